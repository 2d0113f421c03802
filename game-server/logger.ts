/**
 * Structured logs: pino writes one JSON object per line (what a log shipper wants);
 * in a terminal the same records are shown as short human-readable lines instead.
 * The server takes a Logger in its config, so tests pass a silent one.
 */
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export interface LoggerOptions {
  /** Human-readable lines instead of JSON (default: when stdout is a terminal). */
  pretty?: boolean;
  /** trace, debug, info (default), warn, error, fatal or silent. */
  level?: string;
  /** Where lines go (default stdout). */
  write?: (line: string) => void;
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export function createLogger(opts: LoggerOptions = {}): Logger {
  const pretty = opts.pretty ?? process.stdout.isTTY === true;
  const write = opts.write ?? ((line: string) => void process.stdout.write(line));
  const stream = { write: pretty ? (line: string) => write(humanLine(line)) : write };
  return pino({ level: opts.level ?? 'info', base: { pid: process.pid } }, stream);
}

/** A logger that drops everything (tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const OMIT = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/** One pino JSON line as `12:34:56.789 INFO  message key=value ...`. */
export function humanLine(json: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof rec.time === 'number' ? new Date(rec.time).toISOString().slice(11, 23) : '';
  const level = (LEVEL_NAMES[rec.level as number] ?? String(rec.level)).padEnd(5);
  let out = `${time} ${level} ${String(rec.msg ?? '')}`;
  for (const [k, v] of Object.entries(rec)) {
    if (OMIT.has(k)) continue;
    if (k === 'err' && v && typeof v === 'object' && 'stack' in v) {
      out += `\n${String((v as { stack: unknown }).stack)}`;
      continue;
    }
    out += ` ${k}=${JSON.stringify(v)}`;
  }
  return `${out}\n`;
}
