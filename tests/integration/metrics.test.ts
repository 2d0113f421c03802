/**
 * /metrics: valid Prometheus text exposition (checked by a small strict parser here),
 * with the figures a host needs, and counters that move when clients play.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Button, ClientKind, CloseCode } from '../../protocol/index.ts';
import type { DustupServer } from '../../game-server/server.ts';
import { TestClient, startServer, waitFor } from './harness.ts';

let server: DustupServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
interface Family {
  type: string;
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * Parse the Prometheus text format (version 0.0.4) strictly: every family has HELP and
 * TYPE before its samples, every sample line is `name{label="value",...} number`, and
 * each sample belongs to the family declared before it (histograms: _bucket/_sum/_count).
 */
function parsePrometheus(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  let current: string | null = null;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# HELP ')) {
      const [name, ...help] = line.slice(7).split(' ');
      if (!NAME.test(name!)) throw new Error(`bad metric name in ${line}`);
      families.set(name!, { type: '', help: help.join(' '), samples: [] });
      current = name!;
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ');
      const f = families.get(name!);
      if (!f || name !== current) throw new Error(`TYPE without HELP: ${line}`);
      if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type!)) throw new Error(`bad type: ${line}`);
      f.type = type!;
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( \d+)?$/.exec(line);
    if (!m) throw new Error(`bad sample line: ${line}`);
    const [, name, , rawLabels, rawValue] = m;
    const labels: Record<string, string> = {};
    if (rawLabels) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;
      let pos = 0;
      while (pos < rawLabels.length) {
        re.lastIndex = pos;
        const l = re.exec(rawLabels);
        if (!l) throw new Error(`bad labels: ${line}`);
        labels[l[1]!] = l[2]!;
        pos = re.lastIndex;
      }
    }
    // Values parse as Go's strconv.ParseFloat (what Prometheus uses): NaN and Inf in any case.
    const lower = rawValue!.toLowerCase();
    const value = /^[+]?inf$/.test(lower) ? Infinity : lower === '-inf' ? -Infinity : lower === 'nan' ? Number.NaN : Number(rawValue);
    if (Number.isNaN(value) && lower !== 'nan') throw new Error(`bad value: ${line}`);
    const f = current ? families.get(current) : undefined;
    const belongs = f && (name === current || (['histogram', 'summary'].includes(f.type) && /_(bucket|sum|count)$/.test(name!) && name!.replace(/_(bucket|sum|count)$/, '') === current));
    if (!belongs) throw new Error(`sample ${name} outside its family (${current})`);
    f!.samples.push({ name: name!, labels, value });
  }
  return families;
}

async function scrape(port: number): Promise<{ families: Map<string, Family>; contentType: string | null }> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  return { families: parsePrometheus(await res.text()), contentType: res.headers.get('content-type') };
}

const value = (fs: Map<string, Family>, name: string, labels: Record<string, string> = {}): number => {
  const f = fs.get(name.replace(/_(bucket|sum|count)$/, '')) ?? fs.get(name);
  const s = f?.samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return s ? s.value : Number.NaN;
};

describe('/metrics', () => {
  it('is valid Prometheus text with the host figures, and its counters move when clients play', async () => {
    server = await startServer({ processMetrics: true });
    const before = await scrape(server.port);
    expect(before.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const f0 = before.families;
    for (const [name, type] of [
      ['dustup_tick_duration_seconds', 'histogram'],
      ['dustup_tick_overruns_total', 'counter'],
      ['dustup_players', 'gauge'],
      ['dustup_players_kept', 'gauge'],
      ['dustup_rooms', 'gauge'],
      ['dustup_connections', 'gauge'],
      ['dustup_received_bytes_total', 'counter'],
      ['dustup_sent_bytes_total', 'counter'],
      ['dustup_received_messages_total', 'counter'],
      ['dustup_sent_messages_total', 'counter'],
      ['dustup_snapshots_sent_total', 'counter'],
      ['dustup_snapshots_skipped_total', 'counter'],
      ['dustup_disconnects_total', 'counter'],
      ['dustup_input_ticks_total', 'counter'],
      ['dustup_input_starvations_total', 'counter'],
      ['dustup_input_starvations_behind_total', 'counter'],
      ['dustup_inputs_applied_total', 'counter'],
      ['dustup_input_catch_ups_total', 'counter'],
      ['dustup_input_buffer_depth_sum', 'counter'],
      ['dustup_input_wait_seconds_sum', 'counter'],
      ['nodejs_eventloop_lag_seconds', 'gauge'],
      ['nodejs_eventloop_lag_p99_seconds', 'gauge'],
      ['process_resident_memory_bytes', 'gauge'],
    ] as const)
      expect(f0.get(name)?.type, name).toBe(type);
    expect(value(f0, 'dustup_players')).toBe(0);
    // Buckets small enough for sub-millisecond ticks, in seconds.
    const buckets = f0.get('dustup_tick_duration_seconds')!.samples.filter((s) => s.name.endsWith('_bucket')).map((s) => s.labels.le);
    expect(buckets).toContain('0.001');
    expect(buckets).toContain('+Inf');

    const a = new TestClient(server.port);
    const b = new TestClient(server.port);
    const w = await a.join('alpha');
    await b.join('beta', w.roomCode);
    for (let seq = 1; seq <= 30; seq++) a.send({ kind: ClientKind.Input, seq, buttons: Button.Right, aim: 0 });
    await waitFor(() => a.lastSnapshot()?.ackSeq === 30, 'the inputs to be applied');
    const mid = (await scrape(server.port)).families;
    expect(value(mid, 'dustup_players')).toBe(2);
    expect(value(mid, 'dustup_rooms')).toBe(1);
    expect(value(mid, 'dustup_connections')).toBe(2);
    for (const name of ['dustup_received_bytes_total', 'dustup_sent_bytes_total', 'dustup_received_messages_total', 'dustup_sent_messages_total', 'dustup_snapshots_sent_total', 'dustup_tick_duration_seconds_count'])
      expect(value(mid, name), name).toBeGreaterThan(value(f0, name));
    expect(value(mid, 'dustup_received_messages_total')).toBeGreaterThanOrEqual(32);
    // The input buffer: 30 inputs applied; sent as one burst, they waited and were drained.
    expect(value(mid, 'dustup_inputs_applied_total')).toBe(30);
    expect(value(mid, 'dustup_input_buffer_depth_sum')).toBeGreaterThan(0);
    expect(value(mid, 'dustup_input_wait_seconds_sum')).toBeGreaterThan(0);
    expect(value(mid, 'dustup_input_catch_ups_total')).toBeGreaterThan(0);
    // b never sent an input: its ticks are not starvations. a's after its burst are.
    await waitFor(() => server!.game.roomTotals.input.starved >= 3, 'a tick to find a\'s queue empty');
    const late = (await scrape(server.port)).families;
    expect(value(late, 'dustup_input_starvations_total')).toBeGreaterThanOrEqual(3);
    expect(value(late, 'dustup_input_ticks_total')).toBeGreaterThanOrEqual(value(late, 'dustup_input_starvations_total'));

    // Disconnects are counted by close code.
    b.sendRaw(new Uint8Array([0x91, 0xc1]));
    await b.closed();
    a.drop();
    await waitFor(() => server!.game.sessions.size === 0, 'both sockets to close');
    const after = (await scrape(server.port)).families;
    expect(value(after, 'dustup_disconnects_total', { code: String(CloseCode.Malformed), name: 'Malformed' })).toBe(1);
    expect(value(after, 'dustup_disconnects_total', { code: '1006', name: 'Abnormal' })).toBe(1);
    // The dropped player is kept for a resume; the other one is gone.
    expect(value(after, 'dustup_players_kept')).toBe(1);
    expect(value(after, 'dustup_players')).toBe(1);
    // Counters never go down, even when rooms are disposed.
    expect(value(after, 'dustup_snapshots_sent_total')).toBeGreaterThanOrEqual(value(mid, 'dustup_snapshots_sent_total'));
  });

  it('/api/stats?since=N takes the tick percentiles over ticks N.. only, and carries the input counters', async () => {
    server = await startServer();
    const get = (q = ''): Promise<Record<string, any>> => fetch(`http://127.0.0.1:${server!.port}/api/stats${q}`).then((r) => r.json());
    await waitFor(() => server!.game.tickStats.totalTicks >= 45, 'a second and a half of idle ticks', 10_000);
    const first = await get();
    expect(first.tickWindow.first).toBe(Math.max(0, first.ticks - 1024));
    expect(first.input).toMatchObject({ ticks: 0, starved: 0, applied: 0 });
    // Ticks from here on take 50 ms each (a slow tick recorded by hand); the ones before were idle.
    const since = server.game.tickStats.totalTicks;
    for (let i = 0; i < 20; i++) server.game.tickStats.record(50);
    const own = await get(`?since=${since}`);
    expect(own.tickWindow.first).toBe(since);
    expect(own.tickWindow.count).toBeGreaterThanOrEqual(20);
    expect(own.tickP50Ms).toBe(50);
    // Without since, the idle ticks before dilute the same figure.
    const whole = await get('?since=0');
    expect(whole.tickWindow.first).toBe(0);
    expect(whole.tickP50Ms).toBeLessThan(50);
    // A since that is not a tick number falls back to the last 1024.
    expect((await get('?since=soon')).tickWindow.count).toBeLessThanOrEqual(1024);
  });

  it('/healthz answers with status and counts', async () => {
    server = await startServer();
    const h = await fetch(`http://127.0.0.1:${server.port}/healthz`).then((r) => r.json());
    expect(h).toMatchObject({ status: 'ok', rooms: 0, players: 0, connections: 0, uws: 'native' });
  });
});
