import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { Packr, Unpackr } from 'msgpackr';
import {
  PROTOCOL_VERSION,
  ClientKind,
  ServerKind,
  ProtocolError,
  decodeClientMessage,
  decodeServerMessage,
  encodeCellBlock,
  encodeClientMessage,
  encodeServerMessage,
  encodeSnapshot,
  SnapshotWriter,
  type CellBlock,
  type ClientMessage,
  type ServerMessage,
  type SnapshotMsg,
} from '../../../protocol/index.ts';
import { makeRng, pick, randInt } from './prng.ts';
import { StrictDecodeError, fromHex, strictDecode, toHex, type StrictValue } from './strict-msgpack.ts';

const clientMessages: ClientMessage[] = [
  { kind: ClientKind.Hello, version: 2, name: 'Ann', room: '' },
  { kind: ClientKind.Hello, version: 65535, name: 'Zoë 😀 <b>', room: 'ABCD2345' },
  { kind: ClientKind.Hello, version: 0, name: '', room: 'WXYZ' },
  { kind: ClientKind.Input, seq: 1, buttons: 0, aim: 0 },
  { kind: ClientKind.Input, seq: 0xffffffff, buttons: 15, aim: 255 },
  { kind: ClientKind.Input, seq: 300, buttons: 9, aim: 128 },
  { kind: ClientKind.Ping, clientTime: 0 },
  { kind: ClientKind.Ping, clientTime: 123456.789 },
  { kind: ClientKind.Ping, clientTime: 1e15 },
  { kind: ClientKind.Viewport, width: 1280, height: 720 },
  { kind: ClientKind.Viewport, width: 1, height: 16384 },
  { kind: ClientKind.Viewport, width: 127, height: 128 },
];

type Rng = () => number;
const ints = (rng: Rng, n: number, lo: number, hi: number): number[] =>
  Array.from({ length: n }, () => randInt(rng, lo, hi));

/** n players as a full block's entries. The codec does not check that they make a consistent world. */
function randomEntries(rng: Rng, n: number): number[] {
  const e: number[] = [];
  for (let i = 0; i < n; i++)
    e.push(
      randInt(rng, 1, 70000),
      randInt(rng, 0, 96 * 32 * 2),
      randInt(rng, 0, 96 * 32 * 2),
      randInt(rng, -300, 300),
      randInt(rng, -300, 300),
      randInt(rng, 0, 255),
    );
  return e;
}

function randomBlock(rng: Rng, cell: number): CellBlock {
  if (rng() < 0.5) return { cell, full: true, entries: randomEntries(rng, randInt(rng, 0, 12)) };
  // Each list often empty, so every packed length (3 to 6 elements) comes up.
  const maybe = (make: () => number[]): number[] => (rng() < 0.5 ? [] : make());
  return {
    cell,
    full: false,
    // Every byte value, including 0 (escape) and ones that look like MessagePack headers.
    changes: Uint8Array.from(ints(rng, randInt(rng, 0, 40), 0, 255)),
    escapes: maybe(() => ints(rng, randInt(rng, 1, 2) * 5, -3000, 70000)),
    entered: maybe(() => randomEntries(rng, randInt(rng, 1, 3))),
    gone: maybe(() => ints(rng, randInt(rng, 1, 3), 0, 30)),
  };
}

function randomSnapshot(rng: Rng, blockCount: number): SnapshotMsg {
  const cx0 = randInt(rng, 0, 8);
  const cy0 = randInt(rng, 0, 8);
  return {
    kind: ServerKind.Snapshot,
    tick: randInt(rng, 0, 2 ** 31),
    serverTime: rng() < 0.5 ? randInt(rng, 0, 1e9) : rng() * 1e9,
    ackSeq: randInt(rng, 0, 0xffffffff),
    baseTick: rng() < 0.2 ? -1 : randInt(rng, 0, 2 ** 31),
    self: {
      x: randInt(rng, 0, 96 * 32 * 8),
      y: randInt(rng, 0, 96 * 32 * 8),
      vx: randInt(rng, -1920, 1920),
      vy: randInt(rng, -1920, 1920),
    },
    view: { cx0, cy0, cx1: cx0 + randInt(rng, 0, 3), cy1: cy0 + randInt(rng, 0, 3), cols: 12 },
    blocks: Array.from({ length: blockCount }, (_, i) => randomBlock(rng, i * 3 + randInt(rng, 0, 2))),
  };
}

const snapshotWith = (blockCount: number, seed: number): SnapshotMsg => randomSnapshot(makeRng(seed), blockCount);

const serverMessages: ServerMessage[] = [
  {
    kind: ServerKind.Welcome,
    playerId: 7,
    tickRate: 30,
    snapshotRate: 30,
    serverTick: 123456,
    serverTime: 4115200,
    mapId: 'arena',
    roomCode: 'QK7M',
  },
  {
    kind: ServerKind.Welcome,
    playerId: 0xffffffff,
    tickRate: 60,
    snapshotRate: 20,
    serverTick: 5e9,
    serverTime: 1e12 + 0.5,
    mapId: 'arena',
    roomCode: 'ABCDEFGH',
  },
  {
    kind: ServerKind.Snapshot,
    tick: 0,
    serverTime: 0,
    ackSeq: 0,
    baseTick: -1,
    self: { x: 0, y: 0, vx: 0, vy: 0 },
    view: { cx0: 0, cy0: 0, cx1: 0, cy1: 0, cols: 1 },
    blocks: [],
  },
  {
    kind: ServerKind.Snapshot,
    tick: 31,
    serverTime: 1033.3333333333333,
    ackSeq: 29,
    baseTick: 30,
    self: { x: 10884, y: 10624, vx: -1357, vy: 1920 },
    view: { cx0: 2, cy0: 3, cx1: 8, cy1: 7, cols: 12 },
    blocks: [
      {
        cell: 14,
        full: false,
        changes: Uint8Array.from([0x40, 0x98, 0x41, 0x00, 0x82, 0x07]),
        escapes: [1, 3000, 2000, -40, 0],
        entered: [12, 2562, 2700, 0, 0, 16],
        gone: [1],
      },
      { cell: 15, full: false, changes: Uint8Array.from([0x80, 0x1f]), escapes: [], entered: [], gone: [] },
      { cell: 16, full: false, changes: new Uint8Array(0), escapes: [], entered: [], gone: [0, 2] },
      { cell: 17, full: false, changes: Uint8Array.from([0x40, 0x00]), escapes: [0, 1, 2, 3, 4], entered: [], gone: [] },
      { cell: 18, full: true, entries: [] },
    ],
  },
  snapshotWith(1, 1),
  snapshotWith(8, 2),
  snapshotWith(9, 3),
  { ...snapshotWith(40, 4), tick: 90000, serverTime: 3000000, ackSeq: 0xffffffff },
  // A fractional time, and one past 2^32 ms (49.7 days of uptime): float64 on the wire.
  { ...snapshotWith(2, 5), serverTime: 60033.5 },
  { ...snapshotWith(2, 6), serverTime: 2 ** 32 + 5 },
  { kind: ServerKind.Pong, clientTime: 1234.5, serverTime: 98765.25 },
  { kind: ServerKind.Pong, clientTime: 0, serverTime: 0 },
  { kind: ServerKind.PlayerJoined, id: 12, name: 'Zoë 😀' },
  { kind: ServerKind.PlayerJoined, id: 0xffffffff, name: '' },
  { kind: ServerKind.PlayerLeft, id: 12 },
  { kind: ServerKind.InputTiming, adjust: -7, targetMs: 4 },
  { kind: ServerKind.RoundState, round: 3, phase: 1, endsAt: 123456, lengthMs: 90000, standings: [{ id: 4, score: 7 }, { id: 2, score: 0 }] },
  { kind: ServerKind.RoundState, round: 1, phase: 0, endsAt: 10000, lengthMs: 10000, standings: [] },
  { kind: ServerKind.Roster, players: [] },
  {
    kind: ServerKind.Roster,
    players: [
      { id: 1, name: 'Ann' },
      { id: 2, name: 'Player' },
      { id: 300, name: '日本語の名前😀' },
    ],
  },
];

/** The element list each message is documented to have (protocol/README.md). */
function expectedClientArray(m: ClientMessage): StrictValue[] {
  switch (m.kind) {
    case ClientKind.Hello:
      return [m.kind, m.version, m.name, m.room];
    case ClientKind.Input:
      return m.viewTime === undefined ? [m.kind, m.seq, m.buttons, m.aim] : [m.kind, m.seq, m.buttons, m.aim, m.viewTime];
    case ClientKind.Ping:
      return [m.kind, m.clientTime];
    case ClientKind.Viewport:
      return [m.kind, m.width, m.height];
    case ClientKind.Chat:
      return [m.kind, m.text];
    case ClientKind.Watch:
      return [m.kind, m.version, m.room];
    case ClientKind.AllowWatching:
      return [m.kind, m.allow];
  }
}

/**
 * A cell block as documented: full [cell, 0, entries]; delta [cell, 1, changes (bin),
 * escapes, entered, gone] with trailing empty lists left out.
 */
function blockArray(b: CellBlock): StrictValue[] {
  if (b.full) return [b.cell, 0, b.entries];
  const out: StrictValue[] = [b.cell, 1, b.changes, b.escapes, b.entered, b.gone];
  while (out.length > 3 && (out[out.length - 1] as StrictValue[]).length === 0) out.pop();
  return out;
}

function expectedServerArray(m: ServerMessage): StrictValue[] {
  switch (m.kind) {
    case ServerKind.Welcome:
      return [m.kind, m.playerId, m.tickRate, m.snapshotRate, m.serverTick, m.serverTime, m.mapId, m.roomCode];
    case ServerKind.Snapshot:
      return [
        m.kind,
        m.tick,
        m.serverTime,
        m.ackSeq,
        m.baseTick,
        m.self.dash || m.self.dashCooldown
          ? [m.self.x, m.self.y, m.self.vx, m.self.vy, m.self.dash ?? 0, m.self.dashCooldown ?? 0]
          : [m.self.x, m.self.y, m.self.vx, m.self.vy],
        [m.view.cx0, m.view.cy0, m.view.cx1, m.view.cy1, m.view.cols],
        ...m.blocks.map(blockArray),
      ];
    case ServerKind.Pong:
      return [m.kind, m.clientTime, m.serverTime];
    case ServerKind.Roster:
      return [m.kind, m.players.flatMap((p) => [p.id, p.name])];
    case ServerKind.PlayerJoined:
      return [m.kind, m.id, m.name];
    case ServerKind.PlayerLeft:
      return [m.kind, m.id];
    case ServerKind.InputTiming:
      return [m.kind, m.adjust, m.targetMs];
    case ServerKind.RoundState:
      return [m.kind, m.round, m.phase, m.endsAt, m.lengthMs, m.standings.flatMap((p) => [p.id, p.score])];
    case ServerKind.Events:
    case ServerKind.MatchState:
      throw new Error('events and match state are checked in events-codec.test.ts');
  }
}

/** An encoder independent of the codec's own header writer. */
const independentPack = (v: unknown): Uint8Array => new Packr({ useRecords: false }).pack(v);

/** What the server does: each block packed once on its own, then assembled per client. */
const preEncoded = (m: SnapshotMsg): Uint8Array[] => m.blocks.map((b) => encodeCellBlock(blockArray(b) as unknown[]));
const assemble = (m: SnapshotMsg, blocks = preEncoded(m)): Uint8Array =>
  encodeSnapshot(m.tick, m.serverTime, m.ackSeq, m.baseTick, m.self, m.view, blocks);

const EXT_MARKERS = new Set([0xc7, 0xc8, 0xc9, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8]);

describe('client message codec', () => {
  it.each(clientMessages.map((m) => [m.kind, m] as const))('kind %i round-trips: decode(encode(m)) equals m', (_, m) => {
    expect(decodeClientMessage(encodeClientMessage(m))).toEqual(m);
  });

  it('every client message is a standard MessagePack array of its documented elements', () => {
    for (const m of clientMessages) {
      expect(strictDecode(encodeClientMessage(m))).toEqual(expectedClientArray(m));
    }
  });

  it('packs small integers in one byte: input [2, 1, 0, 0] is exactly 94 02 01 00 00', () => {
    expect(toHex(encodeClientMessage({ kind: ClientKind.Input, seq: 1, buttons: 0, aim: 0 }))).toBe('9402010000');
    expect(toHex(encodeClientMessage({ kind: ClientKind.Input, seq: 300, buttons: 9, aim: 128 }))).toBe(
      '9402cd012c09cc80',
    );
    expect(toHex(encodeClientMessage({ kind: ClientKind.Viewport, width: 100, height: 127 }))).toBe('9304647f');
  });

  it('accepts frames written by another encoder (hand-written bytes, wider integer formats)', () => {
    // [1, 1, "Bo", ""] with the version as uint16 and the name as str8
    expect(decodeClientMessage(fromHex('94 01 cd0001 d902426f a0'))).toEqual({
      kind: ClientKind.Hello,
      version: 1,
      name: 'Bo',
      room: '',
    });
    // [2, 5, 3, 200] with every integer as uint32, [3, 1.5] with a float32
    expect(decodeClientMessage(fromHex('94 02 ce00000005 ce00000003 ce000000c8'))).toEqual({
      kind: ClientKind.Input,
      seq: 5,
      buttons: 3,
      aim: 200,
    });
    expect(decodeClientMessage(fromHex('92 03 ca3fc00000'))).toEqual({ kind: ClientKind.Ping, clientTime: 1.5 });
    // [4, 1280, 720] with uint32 sizes
    expect(decodeClientMessage(fromHex('93 04 ce00000500 ce000002d0'))).toEqual({
      kind: ClientKind.Viewport,
      width: 1280,
      height: 720,
    });
  });
});

describe('server message codec', () => {
  it.each(serverMessages.map((m) => [m.kind, m] as const))('kind %i round-trips: decode(encode(m)) equals m', (_, m) => {
    expect(decodeServerMessage(encodeServerMessage(m))).toEqual(m);
  });

  it('delta blocks keep their changes as binary through a round trip', () => {
    const snap = serverMessages[3] as SnapshotMsg;
    const back = decodeServerMessage(encodeServerMessage(snap)) as SnapshotMsg;
    const block = back.blocks[0]!;
    expect(block.full).toBe(false);
    if (block.full) return;
    expect(block.changes).toBeInstanceOf(Uint8Array);
    expect([...block.changes]).toEqual([0x40, 0x98, 0x41, 0x00, 0x82, 0x07]);
  });

  it('a delta block leaves out trailing empty lists: 3 to 6 elements, and reads back with them empty', () => {
    const snap = serverMessages[3] as SnapshotMsg;
    const elements = (strictDecode(encodeServerMessage(snap)) as StrictValue[]).slice(7) as StrictValue[][];
    expect(elements.map((b) => b.length)).toEqual([6, 3, 6, 4, 3]);
    // [16, 1, changes, [], [], [0, 2]]: empty lists before a non-empty one stay.
    expect(elements[2]).toEqual([16, 1, new Uint8Array(0), [], [], [0, 2]]);
    const back = decodeServerMessage(encodeServerMessage(snap)) as SnapshotMsg;
    expect(back.blocks[1]).toEqual({ cell: 15, full: false, changes: Uint8Array.from([0x80, 0x1f]), escapes: [], entered: [], gone: [] });
  });

  it('every server message is a standard MessagePack array of its documented elements', () => {
    for (const m of serverMessages) {
      expect(strictDecode(encodeServerMessage(m))).toEqual(expectedServerArray(m));
    }
  });

  it('changes are MessagePack bin8 (c4 len bytes), not an array', () => {
    const frame = encodeServerMessage(serverMessages[3]!);
    expect(toHex(frame)).toContain('c406409841008207');
    expect(toHex(frame)).toContain('c402801f');
  });

  it('a fresh msgpackr Unpackr (no shared state with the codec) reads every server frame', () => {
    for (const m of serverMessages) {
      const fresh = new Unpackr({ useRecords: false });
      expect(fresh.unpack(encodeServerMessage(m))).toEqual(expectedServerArray(m));
    }
  });

  it('decodeServerMessage refuses frames that are not a known, well-formed server message', () => {
    const p = new Packr({ useRecords: false });
    const header = [11, 1, 2, 3, -1, [0, 0, 0, 0], [0, 0, 0, 0, 1]];
    const withBlock = (b: unknown): Uint8Array => p.pack([...header, b]);
    const bad = [
      fromHex('c1'),
      fromHex('05'),
      fromHex('91 63'), // unknown kind 99
      fromHex('91 01'), // a client kind
      fromHex('92 0d 93 01 a1 41 02'), // roster with an odd element count
      fromHex('93 0c a1 41 01'), // pong with a string time
      fromHex('97 0b 01 02'), // truncated
      p.pack([11, 1, 2, 3, -1, [0, 0, 0], [0, 0, 0, 0, 1]]), // self of 3
      p.pack([11, 1, 2, 3, -1, [0, 0, 0, 0.5], [0, 0, 0, 0, 1]]), // fractional self
      p.pack([11, 1, 2, 3, -1, [0, 0, 0, 0], [0, 0, 0, 1]]), // view of 4
      p.pack([11, 1, 2, 3, -1, [0, 0, 0, 0]]), // no view
      p.pack([11, 1, 2, 3, -1, null, [0, 0, 0, 0, 1]]), // self not an array
      p.pack([11, 'x', 2, 3, -1, [0, 0, 0, 0], [0, 0, 0, 0, 1]]), // string tick
      p.pack([11, 1, 2, 3, 0.5, [0, 0, 0, 0], [0, 0, 0, 0, 1]]), // fractional baseTick
      p.pack([11, 1, 2, 3, null, [0, 0, 0, 0], [0, 0, 0, 0, 1]]), // missing baseTick
      withBlock(5), // a block that is not an array
      withBlock(['a', 0, []]), // string cell
      withBlock([1, 2, []]), // neither full nor delta
      withBlock([1, 0, [], 5]), // full block of 4 elements
      withBlock([1, 0, 5]), // entries not an array
      withBlock([1, 0, [1, 2, 'x', 4, 5, 6]]), // a string entry
      withBlock([1, 0, [1, 2, 3.5, 4, 5, 6]]), // a fractional entry
      withBlock([1, 1, [0x40, 0x98]]), // changes as an array, not bin
      withBlock([1, 1, 'ab']), // changes as a string
      withBlock([1, 1]), // delta of 2 elements
      withBlock([1, 1, new Uint8Array([0x40, 0x98]), [], [], [], []]), // delta of 7 elements
      withBlock([1, 1, new Uint8Array(0), [], [], [0.5]]), // fractional gone index
      withBlock([1, 1, new Uint8Array(0), null]), // escapes not an array
      withBlock([1, 1, new Uint8Array(0), [], 7]), // entered not an array
    ];
    for (const b of bad) expect(() => decodeServerMessage(b), toHex(b)).toThrow(ProtocolError);
    // The same header with good blocks is accepted, so each case above fails for its own reason.
    expect(decodeServerMessage(withBlock([1, 1, new Uint8Array([0x40, 0x98]), [], [], [0]]))).toMatchObject({
      kind: ServerKind.Snapshot,
      blocks: [{ cell: 1, full: false, gone: [0] }],
    });
    expect(decodeServerMessage(withBlock([1, 1, new Uint8Array([0x40, 0x98])]))).toMatchObject({
      blocks: [{ cell: 1, full: false, escapes: [], entered: [], gone: [] }],
    });
  });

  it('every truncation of a snapshot frame is refused', () => {
    const frame = encodeServerMessage(serverMessages[3]!);
    expect(() => decodeServerMessage(frame)).not.toThrow();
    for (let n = 0; n < frame.byteLength; n++) {
      expect(() => decodeServerMessage(frame.subarray(0, n)), `first ${n} bytes`).toThrow(ProtocolError);
    }
  });
});

describe('snapshot assembly from pre-encoded cell blocks', () => {
  it.each([0, 1, 2, 8, 9, 10, 40, 249, 300])(
    '%i blocks: header + blocks is byte-identical to encodeServerMessage and decodes to the same message',
    (n) => {
      const snap = snapshotWith(n, 100 + n);
      const frame = assemble(snap);
      expect(toHex(frame)).toBe(toHex(encodeServerMessage(snap)));
      expect(decodeServerMessage(frame)).toEqual(snap);
      expect(strictDecode(frame)).toEqual(expectedServerArray(snap));
      expect(new Unpackr({ useRecords: false }).unpack(frame)).toEqual(expectedServerArray(snap));
      // 7 header elements + n blocks: a fixarray up to 15 elements, then array16.
      const count = 7 + n;
      if (count <= 15) expect(frame[0]).toBe(0x90 | count);
      else expect([...frame.subarray(0, 3)]).toEqual([0xdc, count >> 8, count & 0xff]);
      // Byte for byte what a general MessagePack encoder makes of the documented elements.
      expect(toHex(frame)).toBe(toHex(independentPack(expectedServerArray(snap))));
    },
  );

  it('the header packs every number as msgpackr would: smallest int format, float64 otherwise', () => {
    const rng = makeRng(31);
    const edges = [0, 1, 127, 128, 255, 256, 65535, 65536, 0xffffffff, -1, -32, -33, -128, -129, -32768, -32769, -0x80000000];
    for (let i = 0; i < 300; i++) {
      const v = (): number => (rng() < 0.7 ? pick(rng, edges) : randInt(rng, -0x80000000, 0xffffffff));
      const snap: SnapshotMsg = {
        ...snapshotWith(randInt(rng, 0, 3), i),
        tick: randInt(rng, 0, 0xffffffff),
        serverTime: pick(rng, [v(), rng() * 1e6, 2 ** 32, 1e12 + 0.5, -0.5]),
        ackSeq: pick(rng, edges.filter((e) => e >= 0)),
        baseTick: pick(rng, [-1, v()]),
        self: { x: v(), y: v(), vx: v(), vy: v() },
        view: { cx0: v(), cy0: v(), cx1: v(), cy1: v(), cols: v() },
      };
      const frame = assemble(snap);
      expect(toHex(frame)).toBe(toHex(independentPack(expectedServerArray(snap))));
      expect(decodeServerMessage(frame)).toEqual(snap);
    }
  });

  it('a SnapshotWriter reuses its buffer: each frame is valid until the next write, and it grows for big ones', () => {
    const writer = new SnapshotWriter();
    const small = snapshotWith(3, 40);
    const big = snapshotWith(300, 41);
    const write = (m: SnapshotMsg): Uint8Array => writer.write(m.tick, m.serverTime, m.ackSeq, m.baseTick, m.self, m.view, preEncoded(m));
    const first = write(small);
    expect(decodeServerMessage(first)).toEqual(small);
    const kept = first.slice();
    const second = write(big);
    expect(second.byteLength).toBeGreaterThan(4096);
    expect(decodeServerMessage(second)).toEqual(big);
    expect(decodeServerMessage(write(small))).toEqual(small);
    expect(toHex(write(small))).toBe(toHex(kept));
    expect(toHex(encodeServerMessage(big))).toBe(toHex(write(big)));
  });

  it('one set of blocks serves many clients: each frame carries its own header and the same blocks', () => {
    const snap = snapshotWith(12, 7);
    const blocks = preEncoded(snap);
    const before = blocks.map(toHex);
    for (const ackSeq of [0, 1, 127, 128, 65536, 0xffffffff]) {
      for (const baseTick of [-1, 0, snap.tick - 1]) {
        const self = { x: ackSeq % 1000, y: 5, vx: (ackSeq % 1920) - 960, vy: 0 };
        const decoded = decodeServerMessage(assemble({ ...snap, ackSeq, baseTick, self }, blocks));
        expect(decoded).toEqual({ ...snap, ackSeq, baseTick, self });
      }
    }
    expect(blocks.map(toHex)).toEqual(before);
  });

  it('a block kept across a tick stays valid while thousands of other frames are encoded', () => {
    const snap = snapshotWith(5, 8);
    const blocks = preEncoded(snap);
    const before = blocks.map(toHex);
    const rng = makeRng(8);
    for (let i = 0; i < 5000; i++) {
      encodeServerMessage({ kind: ServerKind.Pong, clientTime: i, serverTime: i * 3 });
      encodeCellBlock(blockArray(randomBlock(rng, i)) as unknown[]);
    }
    expect(blocks.map(toHex)).toEqual(before);
    expect(decodeServerMessage(assemble(snap, blocks))).toEqual(snap);
  });

  it('a snapshot with no blocks is the 7-element header alone', () => {
    const frame = encodeSnapshot(1, 33.5, 0, -1, { x: 0, y: 0, vx: 0, vy: 0 }, { cx0: 0, cy0: 0, cx1: 1, cy1: 1, cols: 2 }, []);
    // 97 = array of 7, 0b, tick 1, float64 33.5, ack 0, baseTick -1 (ff), self, view
    expect(toHex(frame)).toBe('970b01cb4040c00000000000' + '00' + 'ff' + '9400000000' + '950000010102');
    expect(decodeServerMessage(frame)).toEqual({
      kind: ServerKind.Snapshot,
      tick: 1,
      serverTime: 33.5,
      ackSeq: 0,
      baseTick: -1,
      self: { x: 0, y: 0, vx: 0, vy: 0 },
      view: { cx0: 0, cy0: 0, cx1: 1, cy1: 1, cols: 2 },
      blocks: [],
    });
  });
});

describe('frames are standard MessagePack only', () => {
  it('typical frames built from small ints and ASCII contain no extension markers', () => {
    // Values below 0x80 and ASCII text cannot themselves produce the bytes 0xc7..0xc9 or
    // 0xd4..0xd8, so any such byte would be a msgpackr extension header. (Change bytes
    // are raw data and may take any value, so these avoid the markers.)
    const frames = [
      encodeClientMessage({ kind: ClientKind.Hello, version: 2, name: 'Ann', room: 'ABCD' }),
      encodeClientMessage({ kind: ClientKind.Input, seq: 5, buttons: 3, aim: 100 }),
      encodeClientMessage({ kind: ClientKind.Ping, clientTime: 100 }),
      encodeClientMessage({ kind: ClientKind.Viewport, width: 100, height: 90 }),
      encodeServerMessage({
        kind: ServerKind.Welcome,
        playerId: 3,
        tickRate: 30,
        snapshotRate: 30,
        serverTick: 9,
        serverTime: 90,
        mapId: 'arena',
        roomCode: 'ABCD',
      }),
      encodeServerMessage({
        kind: ServerKind.Snapshot,
        tick: 9,
        serverTime: 90,
        ackSeq: 8,
        baseTick: 8,
        self: { x: 100, y: 120, vx: 0, vy: -5 },
        view: { cx0: 0, cy0: 0, cx1: 2, cy1: 2, cols: 3 },
        blocks: [
          { cell: 0, full: true, entries: [1, 100, 120, 0, 5, 64] },
          { cell: 1, full: false, changes: Uint8Array.from([0x40, 0x98, 0x81, 0x03]), escapes: [], entered: [], gone: [0] },
        ],
      }),
      encodeServerMessage({ kind: ServerKind.Pong, clientTime: 10, serverTime: 20 }),
      encodeServerMessage({ kind: ServerKind.Roster, players: [{ id: 1, name: 'Ann' }, { id: 2, name: 'Bob' }] }),
    ];
    for (const f of frames) {
      const markers = [...f].filter((b) => EXT_MARKERS.has(b));
      expect(markers, toHex(f)).toEqual([]);
    }
  });

  it('random server frames always pass the strict decoder and match their element lists', () => {
    const rng = makeRng(77);
    for (let i = 0; i < 500; i++) {
      const snap = randomSnapshot(rng, randInt(rng, 0, 20));
      const roster: ServerMessage = {
        kind: ServerKind.Roster,
        players: Array.from({ length: randInt(rng, 0, 20) }, (_, k) => ({
          id: randInt(rng, 0, 0xffffffff),
          name: String.fromCodePoint(...Array.from({ length: randInt(rng, 0, 16) }, () => randInt(rng, 0x20, 0xd7ff))) + k,
        })),
      };
      for (const m of [snap, roster]) {
        const frame = encodeServerMessage(m);
        expect(strictDecode(frame)).toEqual(expectedServerArray(m));
        expect(decodeServerMessage(frame)).toEqual(m);
      }
      expect(toHex(assemble(snap))).toBe(toHex(encodeServerMessage(snap)));
    }
  });

  it('the strict decoder used above really refuses extensions and trailing bytes, and reads bin8', () => {
    expect(() => strictDecode(fromHex('d4 72 01'))).toThrow(StrictDecodeError);
    expect(() => strictDecode(fromHex('c7 01 00 00'))).toThrow(StrictDecodeError);
    expect(() => strictDecode(fromHex('91 c1'))).toThrow(StrictDecodeError);
    expect(() => strictDecode(fromHex('01 02'))).toThrow(StrictDecodeError);
    expect(() => strictDecode(fromHex('92 01'))).toThrow(StrictDecodeError);
    expect(() => strictDecode(fromHex('c4 03 01 02'))).toThrow(StrictDecodeError);
    expect(strictDecode(fromHex('93 01 a1 41 c0'))).toEqual([1, 'A', null]);
    expect(strictDecode(fromHex('92 c4 02 00 d4 05'))).toEqual([Uint8Array.from([0, 0xd4]), 5]);
  });
});

/** The frames protocol/README.md shows, by the values it states for them. */
const readmeExamples = (): Uint8Array[] => {
  const view = { cx0: 1, cy0: 1, cx1: 4, cy1: 3, cols: 6 };
  const snap = (m: Omit<SnapshotMsg, 'kind' | 'view'>): Uint8Array =>
    encodeServerMessage({ kind: ServerKind.Snapshot, view, ...m });
  return [
    encodeClientMessage({ kind: ClientKind.Hello, version: PROTOCOL_VERSION, name: 'Ann', room: '' }),
    encodeClientMessage({ kind: ClientKind.Hello, version: PROTOCOL_VERSION, name: 'Ann', room: '', resumeToken: 'q3Yb8xJ0sKp2Lm9TzR4vWA' }),
    encodeClientMessage({ kind: ClientKind.Hello, version: PROTOCOL_VERSION, name: 'Ann', room: 'QK7MZ', ticket: 'Zt4mQ9wLx2cV8bN1rK6pHg' }),
    encodeClientMessage({ kind: ClientKind.Input, seq: 300, buttons: 1 | 8, aim: 224 }),
    encodeClientMessage({ kind: ClientKind.Input, seq: 300, buttons: 1 | 8, aim: 224, ackTick: 1800 }),
    encodeClientMessage({ kind: ClientKind.Hello, version: PROTOCOL_VERSION, name: 'Ann', room: '', maxBytesPerSecond: 16000 }),
    encodeClientMessage({ kind: ClientKind.Hello, version: PROTOCOL_VERSION, name: 'Ann', room: 'new', roundSeconds: 120 }),
    encodeClientMessage({ kind: ClientKind.Ping, clientTime: 12345.5 }),
    encodeClientMessage({ kind: ClientKind.Ping, clientTime: 12345 }),
    encodeClientMessage({ kind: ClientKind.Viewport, width: 1280, height: 720 }),
    encodeServerMessage({
      kind: ServerKind.Welcome,
      playerId: 7,
      tickRate: 30,
      snapshotRate: 30,
      serverTick: 1800,
      serverTime: 60000,
      mapId: 'arena',
      roomCode: 'QK7MZ',
      resumeToken: 'q3Yb8xJ0sKp2Lm9TzR4vWA',
      resumed: false,
      maxRewindMs: 500,
    }),
    // Tick 1801, a fresh start: full blocks for the two occupied cells (7 and 14).
    snap({
      tick: 1801,
      serverTime: 60033,
      ackSeq: 300,
      baseTick: -1,
      self: { x: 10884, y: 10624, vx: 1320, vy: -1320 },
      blocks: [
        { cell: 7, full: true, entries: [9, 1504, 1760, 0, 0, 8] },
        { cell: 14, full: true, entries: [7, 2721, 2656, 11, -11, 28] },
      ],
    }),
    // Tick 1802: 7 turns its aim to 30, 12 joins in cell 14; cell 7 is left out.
    snap({
      tick: 1802,
      serverTime: 60067,
      ackSeq: 301,
      baseTick: 1801,
      self: { x: 10932, y: 10580, vx: 1440, vy: -1320 },
      blocks: [{ cell: 14, full: false, changes: Uint8Array.from([0x80, 30]), escapes: [], entered: [12, 2054, 2700, 0, 0, 16], gone: [] }],
    }),
    // Tick 1803: 12 walks from cell 14 into cell 13; 7's displacement changes by (+2, +3).
    snap({
      tick: 1803,
      serverTime: 60100,
      ackSeq: 302,
      baseTick: 1802,
      self: { x: 10984, y: 10548, vx: 1560, vy: -960 },
      blocks: [
        { cell: 13, full: false, changes: new Uint8Array(0), escapes: [], entered: [12, 2042, 2700, -12, 0, 16], gone: [] },
        { cell: 14, full: false, changes: Uint8Array.from([0x40, 0xab]), escapes: [], entered: [], gone: [1] },
      ],
    }),
    // Tick 1804: 7 stops dead (an escape); 12 keeps walking, cell 13 is left out.
    snap({
      tick: 1804,
      serverTime: 60133,
      ackSeq: 303,
      baseTick: 1803,
      self: { x: 10984, y: 10548, vx: 0, vy: 0 },
      blocks: [{ cell: 14, full: false, changes: Uint8Array.from([0x40, 0x00]), escapes: [0, 2746, 2637, 0, 0], entered: [], gone: [] }],
    }),
    // Tick 1805: everyone moves exactly as before, so no blocks at all.
    snap({ tick: 1805, serverTime: 60167, ackSeq: 304, baseTick: 1804, self: { x: 10984, y: 10548, vx: 0, vy: 0 }, blocks: [] }),
    encodeServerMessage({ kind: ServerKind.Pong, clientTime: 12345.5, serverTime: 60040.25 }),
    encodeServerMessage({ kind: ServerKind.Roster, players: [{ id: 7, name: 'Ann' }, { id: 9, name: 'Bo' }] }),
    encodeServerMessage({ kind: ServerKind.PlayerJoined, id: 12, name: 'Cy' }),
    encodeServerMessage({ kind: ServerKind.PlayerLeft, id: 12 }),
    encodeServerMessage({ kind: ServerKind.InputTiming, adjust: -3, targetMs: 4 }),
  ];
};

describe('protocol/README.md examples', () => {
  const readme = readFileSync(new URL('../../../protocol/README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
  const spaced = (b: Uint8Array): string => toHex(b).replace(/(..)(?!$)/g, '$1 ');

  it('every example frame in the README is what the codec produces for the stated values', () => {
    const examples = readmeExamples();
    expect(examples.length).toBe(21);
    for (const frame of examples) expect(readme).toContain(spaced(frame));
  });

  it('the README states the current protocol version', () => {
    expect(readme).toContain(`\`PROTOCOL_VERSION\` is **${PROTOCOL_VERSION}**`);
    expect(readme).toContain(`# Dustup wire protocol (version ${PROTOCOL_VERSION})`);
  });
});
