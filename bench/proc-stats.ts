/**
 * CPU and memory of a process read from /proc, i.e. from outside it: the same figure
 * whatever server runs, so scenarios compare across implementations.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux everywhere). */
const USER_HZ = 100;

export interface ProcSample {
  /** Wall time, ms (performance.now). */
  at: number;
  /** user + system CPU time, ms. */
  cpuMs: number;
  rssBytes: number;
}

export function sampleProcess(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { at: performance.now(), cpuMs: ((utime + stime) * 1000) / USER_HZ, rssBytes: rssKb * 1024 };
}

/** CPU use between two samples as % of one core. */
export function cpuPercent(a: ProcSample, b: ProcSample): number {
  return (100 * (b.cpuMs - a.cpuMs)) / (b.at - a.at);
}
