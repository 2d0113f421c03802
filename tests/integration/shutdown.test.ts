/**
 * A real server process: graceful shutdown on SIGTERM/SIGINT, structured logs, and the
 * command line of the limits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CloseCode } from '../../protocol/index.ts';
import { TestClient, waitFor } from './harness.ts';

const root = join(import.meta.dirname, '..', '..');

interface Running {
  child: ChildProcess;
  port: number;
  out: () => string;
  exited: Promise<{ code: number | null; at: number }>;
}

async function startMain(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'game-server', 'main.ts'), '--port', '0', '--host', '127.0.0.1', ...args], {
    cwd: root,
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.on('exit', (code) => resolve({ code, at: Date.now() })));
  const port = Number(await waitFor(() => /listening: http:\/\/127\.0\.0\.1:(\d+)\//.exec(out)?.[1], 'the URL line', 15_000));
  return { child, port, out: () => out, exited };
}

function runMain(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'game-server', 'main.ts'), ...args], { cwd: root });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', (code) => {
      clearTimeout(kill);
      resolve({ code, out });
    });
  });
}

const jsonLines = (out: string): Record<string, unknown>[] =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('graceful shutdown', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal}: stops accepting, closes every client with ServerShutdown (4010), exits 0 in time`, async () => {
      const srv = await startMain(['--log-format', 'json', '--shutdown-timeout', '3']);
      const players = [new TestClient(srv.port), new TestClient(srv.port)];
      const w = await players[0]!.join('one');
      await players[1]!.join('two', w.roomCode);
      const lurker = new TestClient(srv.port); // connected, no hello yet
      await lurker.open();
      await waitFor(() => players[1]!.snapshots().length > 3, 'play to start');

      const t0 = Date.now();
      srv.child.kill(signal);
      for (const c of [...players, lurker]) {
        const { code, reason } = await c.closed(5000);
        expect(code).toBe(CloseCode.ServerShutdown);
        expect(reason).toContain('restarting');
      }
      const { code, at } = await srv.exited;
      expect(code).toBe(0);
      // Clients went at once, so well within the 3 s shutdown timeout (plus start-up slack).
      expect(at - t0).toBeLessThan(3000);

      // Nobody can connect any more.
      const late = new TestClient(srv.port);
      await expect(late.open()).rejects.toThrow(/ECONNREFUSED/);

      // Structured logs: the signal, and each disconnect with its code and reason.
      const logs = jsonLines(srv.out());
      expect(logs.some((l) => l.signal === signal)).toBe(true);
      const disconnects = logs.filter((l) => typeof l.msg === 'string' && (l.msg as string).startsWith('disconnect'));
      expect(disconnects).toHaveLength(3);
      for (const d of disconnects) expect(d).toMatchObject({ code: 4010, codeName: 'ServerShutdown', reason: 'server restarting', by: 'server' });
      expect(disconnects.map((d) => d.name ?? '(no hello)').sort()).toEqual(['(no hello)', 'one', 'two']);
    }, 25_000);
  }
});

describe('logs', () => {
  it('a disconnect during play is logged with code, player name and reason', async () => {
    const srv = await startMain(['--log-format', 'json']);
    try {
      const c = new TestClient(srv.port);
      await c.join('Logger');
      c.sendRaw(new Uint8Array([0x91, 0xc1]));
      await c.closed();
      await waitFor(() => jsonLines(srv.out()).find((l) => l.msg === 'disconnect' && l.name === 'Logger'), 'the log line');
      const line = jsonLines(srv.out()).find((l) => l.msg === 'disconnect' && l.name === 'Logger')!;
      expect(line).toMatchObject({ level: 30, code: 4001, codeName: 'Malformed', by: 'server', kept: false });
      expect(String(line.reason).length).toBeGreaterThan(0);
      expect(typeof line.time).toBe('number');
    } finally {
      srv.child.kill('SIGTERM');
      await srv.exited;
    }
  }, 20_000);

  it('--log-format pretty writes one human-readable line per record', async () => {
    const srv = await startMain(['--log-format', 'pretty']);
    srv.child.kill('SIGTERM');
    await srv.exited;
    expect(srv.out()).toMatch(/^\d\d:\d\d:\d\d\.\d\d\d INFO  Dustup server listening: http:\/\/127\.0\.0\.1:\d+\//m);
    expect(srv.out()).not.toContain('{"level"');
  }, 20_000);
});

describe('command line of the limits', () => {
  for (const [args, message] of [
    [['--idle-timeout', '5'], '--idle-timeout must be 0 or a whole number of seconds >= 8'],
    [['--allowed-origins', 'evil.com'], '--allowed-origins takes origins like https://example.com'],
    [['--max-frame-bytes', '100000'], 'max frame size must be 64..'],
    [['--max-inputs-per-second', '0'], '--max-inputs-per-second must be a number > 0'],
    [['--resume-grace=-1'], '--resume-grace must be a number of seconds >= 0'],
    [['--log-level', 'loud'], '--log-level must be one of'],
  ] as const) {
    it(`${args.join(' ')} is refused with a clear message`, async () => {
      const { code, out } = await runMain([...args, '--port', '0', '--host', '127.0.0.1']);
      expect(code).not.toBe(0);
      expect(out).toContain(message);
      expect(out).not.toContain('    at ');
    });
  }

  it('--help lists every limit flag', async () => {
    const { code, out } = await runMain(['--help']);
    expect(code).toBe(0);
    for (const flag of [
      '--max-frame-bytes',
      '--max-messages-per-second',
      '--max-inputs-per-second',
      '--max-chat-per-second',
      '--max-connections-per-ip',
      '--allowed-origins',
      '--handshake-timeout',
      '--idle-timeout',
      '--resume-grace',
      '--shutdown-timeout',
      '--max-rooms',
      '--max-players',
      '--log-level',
      '--log-format',
    ])
      expect(out).toContain(flag);
  });
});
