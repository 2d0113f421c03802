/**
 * Property-based fuzz of a running server (fast-check, fixed seed): thousands of random
 * frames and random MessagePack values, each connection answered with a documented close
 * code (never 1011, an internal error), while another client plays on undisturbed.
 */
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Button, ClientKind, CloseCode, PROTOCOL_VERSION, encodeClientMessage } from '../../protocol/index.ts';
import type { DustupServer } from '../../game-server/server.ts';
import { TestClient, startServer, waitFor } from './harness.ts';

const SEED = 20261125;
const RUNS = 3000;

/** Any MessagePack the JavaScript encoder can produce: maps, floats, NaN, binary, nil... */
const anyPackr = new Packr({ useRecords: false, moreTypes: false });
const packAny = (v: unknown): Uint8Array => {
  try {
    return anyPackr.pack(v);
  } catch {
    return new Uint8Array([0xc1]);
  }
};

const tricky = fc.oneof(
  fc.integer(),
  fc.integer({ min: -40, max: 300 }),
  fc.double(), // includes NaN, ±Infinity, -0
  fc.constantFrom(Number.NaN, Infinity, -Infinity, 2 ** 32, 2 ** 53, -(2 ** 31) - 1, 0.5, 1e15 + 1),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', 'new', 'ABCDE', 'zzzz', '<script>', '\u202e\u0000'),
  fc.uint8Array({ maxLength: 40 }),
  fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 300 }),
  fc.constant(null),
  fc.boolean(),
);

/** Arrays that look like messages: a plausible kind, then random fields. */
const messageLike = fc
  .tuple(fc.integer({ min: -1, max: 20 }), fc.array(tricky, { maxLength: 6 }))
  .map(([kind, rest]) => packAny([kind, ...rest]));

/** A valid frame with some of its bytes overwritten. */
const validFrames = [
  encodeClientMessage({ kind: ClientKind.Input, seq: 1, buttons: Button.Up, aim: 3 }),
  encodeClientMessage({ kind: ClientKind.Ping, clientTime: 1234.5 }),
  encodeClientMessage({ kind: ClientKind.Viewport, width: 1280, height: 720 }),
  encodeClientMessage({ kind: ClientKind.Hello, version: PROTOCOL_VERSION, name: 'fuzz', room: '' }),
];
const mutated = fc
  .tuple(fc.constantFrom(...validFrames), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }))
  .map(([frame, edits]) => {
    const out = new Uint8Array(frame);
    for (const [i, b] of edits) out[i % out.length] = b;
    return out;
  });

const frame = fc.oneof(
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 600 }) },
  { weight: 3, arbitrary: fc.anything({ maxDepth: 4 }).map(packAny) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(packAny) },
  { weight: 4, arbitrary: messageLike },
  { weight: 3, arbitrary: mutated },
);

/** One connection's script: maybe a valid hello first, then a few hostile frames. */
const connectionScript = fc.record({ hello: fc.boolean(), frames: fc.array(frame, { minLength: 1, maxLength: 6 }) });

/** Every code a hostile connection may legitimately be closed with. */
const DOCUMENTED = new Set<number>([
  CloseCode.VersionMismatch,
  CloseCode.Malformed,
  CloseCode.UnexpectedMessage,
  CloseCode.RoomFull,
  CloseCode.RoomNotFound,
  CloseCode.FrameTooLarge,
  CloseCode.RateLimited,
  CloseCode.ServerFull,
  CloseCode.ResumeRefused,
]);

let server: DustupServer;
beforeAll(async () => {
  server = await startServer({ maxConnectionsPerIp: 0 });
});
afterAll(async () => {
  await server.close();
});

function runConnection(port: number, script: { hello: boolean; frames: Uint8Array[] }): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('the server did not close a connection that ended with an invalid frame'));
    }, 3000);
    ws.on('error', () => {});
    ws.on('open', () => {
      if (script.hello) ws.send(validFrames[3]!);
      for (const f of script.frames) ws.send(f);
      // Always end with garbage: every connection must end in a close code we can check.
      ws.send(new Uint8Array([0xc1]));
    });
    ws.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe('fuzz', () => {
  it(`${RUNS} hostile connections (seed ${SEED}) get documented close codes while a player keeps its snapshot rate`, async () => {
    const player = new TestClient(server.port);
    await player.join('steady');
    let seq = 0;
    const inputs = setInterval(() => {
      player.send({ kind: ClientKind.Input, seq: ++seq, buttons: seq % 60 < 30 ? Button.Right : Button.Left, aim: seq & 255 });
      if (seq % 15 === 0) player.send({ kind: ClientKind.Ping, clientTime: seq });
    }, 1000 / 30);
    try {
      await waitFor(() => player.snapshots().length > 5, 'the player to be playing');
      const t0 = Date.now();
      const before = player.snapshots().length;
      let frames = 0;
      const codes = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(connectionScript, async (script) => {
          frames += script.frames.length + (script.hello ? 2 : 1);
          const code = await runConnection(server.port, script);
          codes.set(code, (codes.get(code) ?? 0) + 1);
          return DOCUMENTED.has(code);
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
      const elapsed = (Date.now() - t0) / 1000;
      const got = player.snapshots().length - before;
      // The player's view: snapshots at (close to) the configured 30/s, no long gap.
      expect(got / elapsed).toBeGreaterThan(30 * 0.8);
      const arrivals = player.snapshotArrivals.filter((t) => t >= t0);
      let gap = 0;
      for (let i = 1; i < arrivals.length; i++) gap = Math.max(gap, arrivals[i]! - arrivals[i - 1]!);
      expect(gap).toBeLessThan(500);
      expect(player.closeCode).toBeNull();
      expect(frames).toBeGreaterThan(2500);
      expect(codes.get(1011) ?? 0).toBe(0);
      // Still healthy, and every hostile connection is gone (none kept as a player).
      const health = await fetch(`http://127.0.0.1:${server.port}/healthz`).then((r) => r.json());
      expect(health.status).toBe('ok');
      await waitFor(() => server.game.sessions.size === 1, 'the hostile connections to be gone');
      expect(server.game.playerCount).toBe(1);
      // The player's inputs were applied throughout.
      await waitFor(() => player.lastSnapshot()!.ackSeq >= seq - 6, 'the player inputs to be acknowledged');
    } finally {
      clearInterval(inputs);
      player.close();
    }
  }, 60_000);
});
