import { describe, expect, it } from 'vitest';
import { createLogger, humanLine } from '../../../game-server/logger.ts';

describe('logger', () => {
  it('writes one JSON object per line with level, time, message and fields', () => {
    const lines: string[] = [];
    const log = createLogger({ pretty: false, write: (l) => lines.push(l) });
    log.info({ code: 4001, name: 'Ann' }, 'disconnect');
    log.debug('not shown at info');
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0]!);
    expect(rec).toMatchObject({ level: 30, msg: 'disconnect', code: 4001, name: 'Ann' });
    expect(typeof rec.time).toBe('number');
  });

  it('in a terminal, the same records read as short lines', () => {
    const lines: string[] = [];
    const log = createLogger({ pretty: true, level: 'debug', write: (l) => lines.push(l) });
    log.warn({ code: 4006, reason: 'too many inputs per second' }, 'disconnect');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d\d\d WARN  disconnect code=4006 reason="too many inputs per second"\n$/);
    log.error({ err: new Error('boom') }, 'failed');
    expect(lines[1]).toContain('ERROR failed');
    expect(lines[1]).toContain('Error: boom');
  });

  it('a line that is not JSON passes through unchanged', () => {
    expect(humanLine('plain text\n')).toBe('plain text\n');
  });
});
