import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain, waitFor } from './harness.ts';

const root = join(import.meta.dirname, '..', '..');

describe('server start-up', () => {
  it('refuses to start on the uWS JavaScript fallback, with a clear message', async () => {
    const { code, out } = await runMain(['--port', '0', '--host', '127.0.0.1'], { UWS_USE_FALLBACK: '1' });
    expect(code).not.toBe(0);
    expect(out).toContain('native binding did not load');
    expect(out).toContain('DUSTUP_ALLOW_UWS_FALLBACK');
  });

  it('rejects a bad flag with a message, not a stack trace', async () => {
    const { code, out } = await runMain(['--tick-rate', 'fast'], {});
    expect(code).toBe(2);
    expect(out).toContain('--tick-rate must be an integer');
    expect(out).not.toContain('    at ');
  });

  it('prints the URL it listens on, and SIGTERM stops it with exit code 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'game-server', 'main.ts'), '--port', '0', '--host', '127.0.0.1'], {
      cwd: root,
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const url = await waitFor(() => /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out)?.[0], 'the URL line', 15_000);
    const health = await fetch(`${url}healthz`).then((r) => r.json());
    expect(health).toMatchObject({ status: 'ok', uws: 'native' });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 20_000);
});
