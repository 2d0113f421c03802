import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { Unpackr } from 'msgpackr';
import {
  ClientKind,
  ServerKind,
  ProtocolError,
  decodeClientMessage,
  decodeServerMessage,
  encodeClientMessage,
  encodeEntityBlock,
  encodeServerMessage,
  encodeSnapshot,
  type ClientMessage,
  type EntityState,
  type ServerMessage,
  type SnapshotMsg,
} from '../../../protocol/index.ts';
import { makeRng, randInt } from './prng.ts';
import { StrictDecodeError, fromHex, strictDecode, toHex, type StrictValue } from './strict-msgpack.ts';

const clientMessages: ClientMessage[] = [
  { kind: ClientKind.Hello, version: 1, name: 'Ann', room: '' },
  { kind: ClientKind.Hello, version: 65535, name: 'Zoë 😀 <b>', room: 'ABCD2345' },
  { kind: ClientKind.Hello, version: 0, name: '', room: 'WXYZ' },
  { kind: ClientKind.Input, seq: 1, buttons: 0, aim: 0 },
  { kind: ClientKind.Input, seq: 0xffffffff, buttons: 15, aim: 255 },
  { kind: ClientKind.Input, seq: 300, buttons: 9, aim: 128 },
  { kind: ClientKind.Ping, clientTime: 0 },
  { kind: ClientKind.Ping, clientTime: 123456.789 },
  { kind: ClientKind.Ping, clientTime: 1e15 },
];

const entities = (n: number, seed: number): EntityState[] => {
  const rng = makeRng(seed);
  return Array.from({ length: n }, () => ({
    id: randInt(rng, 1, 70000),
    x: randInt(rng, 0, 96 * 32 * 8),
    y: randInt(rng, 0, 96 * 32 * 8),
    vx: randInt(rng, -1920, 1920),
    vy: randInt(rng, -1920, 1920),
    aim: randInt(rng, 0, 255),
  }));
};

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
  { kind: ServerKind.Snapshot, tick: 0, serverTime: 0, ackSeq: 0, entities: [] },
  { kind: ServerKind.Snapshot, tick: 31, serverTime: 1033.3333333333333, ackSeq: 29, entities: entities(1, 1) },
  { kind: ServerKind.Snapshot, tick: 90000, serverTime: 3000000, ackSeq: 0xffffffff, entities: entities(40, 2) },
  { kind: ServerKind.Pong, clientTime: 1234.5, serverTime: 98765.25 },
  { kind: ServerKind.Pong, clientTime: 0, serverTime: 0 },
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
      return [m.kind, m.seq, m.buttons, m.aim];
    case ClientKind.Ping:
      return [m.kind, m.clientTime];
  }
}

function expectedServerArray(m: ServerMessage): StrictValue[] {
  switch (m.kind) {
    case ServerKind.Welcome:
      return [m.kind, m.playerId, m.tickRate, m.snapshotRate, m.serverTick, m.serverTime, m.mapId, m.roomCode];
    case ServerKind.Snapshot:
      return [m.kind, m.tick, m.serverTime, m.ackSeq, m.entities.flatMap((e) => [e.id, e.x, e.y, e.vx, e.vy, e.aim])];
    case ServerKind.Pong:
      return [m.kind, m.clientTime, m.serverTime];
    case ServerKind.Roster:
      return [m.kind, m.players.flatMap((p) => [p.id, p.name])];
  }
}

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
  });
});

describe('server message codec', () => {
  it.each(serverMessages.map((m) => [m.kind, m] as const))('kind %i round-trips: decode(encode(m)) equals m', (_, m) => {
    expect(decodeServerMessage(encodeServerMessage(m))).toEqual(m);
  });

  it('every server message is a standard MessagePack array of its documented elements', () => {
    for (const m of serverMessages) {
      expect(strictDecode(encodeServerMessage(m))).toEqual(expectedServerArray(m));
    }
  });

  it('a fresh msgpackr Unpackr (no shared state with the codec) reads every server frame', () => {
    for (const m of serverMessages) {
      const fresh = new Unpackr({ useRecords: false });
      expect(fresh.unpack(encodeServerMessage(m))).toEqual(expectedServerArray(m));
    }
  });

  it('decodeServerMessage refuses frames that are not a known, well-formed server message', () => {
    const bad = [
      fromHex('c1'),
      fromHex('05'),
      fromHex('91 63'), // unknown kind 99
      fromHex('91 01'), // a client kind
      fromHex('95 0b 01 02 03 95 01 02 03 04 05'), // 5 entity fields: not a whole entity
      fromHex('95 0b 01 02 03 c0'), // entities not an array
      fromHex('92 0d 93 01 a1 41 02'), // roster with an odd element count
      fromHex('93 0c a1 41 01'), // pong with a string time
      fromHex('95 0b 01 02'), // truncated
    ];
    for (const b of bad) expect(() => decodeServerMessage(b), toHex(b)).toThrow(ProtocolError);
  });
});

describe('snapshot assembly from a shared entity block', () => {
  const snap: SnapshotMsg = {
    kind: ServerKind.Snapshot,
    tick: 4242,
    serverTime: 141400,
    ackSeq: 4200,
    entities: entities(25, 3),
  };

  it('encodeSnapshot(header + shared block) is byte-identical to encodeServerMessage', () => {
    const block = encodeEntityBlock(snap.entities);
    expect(toHex(encodeSnapshot(snap.tick, snap.serverTime, snap.ackSeq, block))).toBe(
      toHex(encodeServerMessage(snap)),
    );
  });

  it('the assembled frame is a 5-element fixarray (first byte 0x95) that any decoder reads', () => {
    const frame = encodeSnapshot(snap.tick, snap.serverTime, snap.ackSeq, encodeEntityBlock(snap.entities));
    expect(frame[0]).toBe(0x95);
    const expected = expectedServerArray(snap);
    expect(new Unpackr({ useRecords: false }).unpack(frame)).toEqual(expected);
    expect(strictDecode(frame)).toEqual(expected);
    expect(decodeServerMessage(frame)).toEqual(snap);
  });

  it('one block serves many clients: each frame carries its own ackSeq and the same entities', () => {
    const block = encodeEntityBlock(snap.entities);
    const blockHex = toHex(block);
    for (const ackSeq of [0, 1, 127, 128, 65536, 0xffffffff]) {
      const decoded = decodeServerMessage(encodeSnapshot(snap.tick, snap.serverTime, ackSeq, block));
      expect(decoded).toEqual({ ...snap, ackSeq });
    }
    expect(toHex(block)).toBe(blockHex);
  });

  it('a block kept across a tick stays valid while thousands of other frames are encoded', () => {
    const block = encodeEntityBlock(snap.entities);
    const blockHex = toHex(block);
    for (let i = 0; i < 5000; i++) {
      encodeServerMessage({ kind: ServerKind.Pong, clientTime: i, serverTime: i * 3 });
      encodeEntityBlock(entities(3, i));
    }
    expect(toHex(block)).toBe(blockHex);
    expect(decodeServerMessage(encodeSnapshot(snap.tick, snap.serverTime, snap.ackSeq, block))).toEqual(snap);
  });

  it('an empty block makes a snapshot with no entities', () => {
    const frame = encodeSnapshot(1, 33.5, 0, encodeEntityBlock([]));
    expect(toHex(frame)).toBe('950b01cb4040c00000000000' + '00' + '90');
    expect(decodeServerMessage(frame)).toEqual({
      kind: ServerKind.Snapshot,
      tick: 1,
      serverTime: 33.5,
      ackSeq: 0,
      entities: [],
    });
  });
});

describe('frames are standard MessagePack only', () => {
  it('typical frames built from small ints and ASCII contain no extension markers', () => {
    // Values below 0x80 and ASCII text cannot themselves produce the bytes 0xc7..0xc9 or
    // 0xd4..0xd8, so any such byte would be a msgpackr extension header.
    const frames = [
      encodeClientMessage({ kind: ClientKind.Hello, version: 1, name: 'Ann', room: 'ABCD' }),
      encodeClientMessage({ kind: ClientKind.Input, seq: 5, buttons: 3, aim: 100 }),
      encodeClientMessage({ kind: ClientKind.Ping, clientTime: 100 }),
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
        entities: [{ id: 1, x: 100, y: 120, vx: 0, vy: 5, aim: 64 }],
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
      const snap: SnapshotMsg = {
        kind: ServerKind.Snapshot,
        tick: randInt(rng, 0, 2 ** 31),
        serverTime: rng() * 1e9,
        ackSeq: randInt(rng, 0, 0xffffffff),
        entities: entities(randInt(rng, 0, 30), i),
      };
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
    }
  });

  it('the strict decoder used above really refuses extensions and trailing bytes', () => {
    expect(() => strictDecode(fromHex('d4 72 01'))).toThrow(StrictDecodeError);
    expect(() => strictDecode(fromHex('c7 01 00 00'))).toThrow(StrictDecodeError);
    expect(() => strictDecode(fromHex('91 c1'))).toThrow(StrictDecodeError);
    expect(() => strictDecode(fromHex('01 02'))).toThrow(StrictDecodeError);
    expect(() => strictDecode(fromHex('92 01'))).toThrow(StrictDecodeError);
    expect(strictDecode(fromHex('93 01 a1 41 c0'))).toEqual([1, 'A', null]);
  });
});

describe('protocol/README.md examples', () => {
  const readme = readFileSync(new URL('../../../protocol/README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
  const spaced = (b: Uint8Array): string => toHex(b).replace(/(..)(?!$)/g, '$1 ');

  it('every example frame in the README is what the codec produces for the stated values', () => {
    const examples: Uint8Array[] = [
      encodeClientMessage({ kind: ClientKind.Hello, version: 1, name: 'Ann', room: '' }),
      encodeClientMessage({ kind: ClientKind.Input, seq: 300, buttons: 1 | 8, aim: 224 }),
      encodeClientMessage({ kind: ClientKind.Ping, clientTime: 12345.5 }),
      encodeClientMessage({ kind: ClientKind.Ping, clientTime: 12345 }),
      encodeServerMessage({
        kind: ServerKind.Welcome,
        playerId: 7,
        tickRate: 30,
        snapshotRate: 30,
        serverTick: 1800,
        serverTime: 60000,
        mapId: 'arena',
        roomCode: 'QK7MZ',
      }),
      encodeServerMessage({
        kind: ServerKind.Snapshot,
        tick: 1801,
        serverTime: 60033,
        ackSeq: 300,
        entities: [
          { id: 7, x: 10884, y: 10624, vx: 1357, vy: -1357, aim: 224 },
          { id: 9, x: 752 * 8, y: 880 * 8, vx: 0, vy: 0, aim: 64 },
        ],
      }),
      encodeServerMessage({ kind: ServerKind.Snapshot, tick: 0, serverTime: 0, ackSeq: 0, entities: [] }),
      encodeServerMessage({ kind: ServerKind.Pong, clientTime: 12345.5, serverTime: 60040.25 }),
      encodeServerMessage({ kind: ServerKind.Roster, players: [{ id: 7, name: 'Ann' }, { id: 9, name: 'Bo' }] }),
    ];
    for (const frame of examples) expect(readme).toContain(spaced(frame));
  });
});
