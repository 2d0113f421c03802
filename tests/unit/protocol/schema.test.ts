import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  CLIENT_SCHEMA,
  ClientKind,
  EVENT_SCHEMA,
  EventType,
  Limits,
  ProtocolError,
  SERVER_SCHEMA,
  ServerKind,
  decodeServerMessage,
  encodeClientMessage,
  encodeServerMessage,
  validateClientMessage,
  type WelcomeMsg,
} from '../../../protocol/index.ts';
import { allTables } from './spec-tables.ts';
import { strictDecode } from './strict-msgpack.ts';

const readme = readFileSync(new URL('../../../protocol/README.md', import.meta.url), 'utf8');
const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

describe('protocol/README.md tables come from schema.ts', () => {
  it('every message and event table in the README is the one rendered from the schema', () => {
    const text = squash(readme);
    const stale = allTables().filter((t) => !text.includes(squash(t.table)));
    // On failure, the message is the table to paste under that heading.
    expect(stale.map((t) => `${t.name}:\n${t.table}`).join('\n\n')).toBe('');
  });

  it('each message heading lists the schema fields in order', () => {
    for (const m of [...CLIENT_SCHEMA, ...SERVER_SCHEMA].filter((s) => s.fields.every((f) => f.type !== 'array'))) {
      const required = m.fields.filter((f) => !('optional' in f)).map((f) => (f.type === 'rest' ? null : f.name));
      const shape = `[${[m.kind, ...required.filter((n) => n !== null)].join(', ')}`;
      expect(readme, m.name).toContain(`\`${shape}`);
    }
  });
});

describe('the schema and the TypeScript constants agree', () => {
  it('kinds and event types are the constants messages.ts exports, each once', () => {
    expect(Object.fromEntries(CLIENT_SCHEMA.map((m) => [m.name, m.kind]))).toEqual(ClientKind);
    expect(Object.fromEntries(SERVER_SCHEMA.map((m) => [m.name, m.kind]))).toEqual(ServerKind);
    expect(Object.fromEntries(EVENT_SCHEMA.map((e) => [e.name, e.type]))).toEqual(EventType);
  });

  it('optional fields are trailing: none is followed by a required one', () => {
    for (const m of [...CLIENT_SCHEMA, ...SERVER_SCHEMA]) {
      const opt = m.fields.map((f) => 'optional' in f);
      expect(opt.indexOf(true) === -1 || opt.slice(opt.indexOf(true)).every(Boolean), m.name).toBe(true);
    }
  });

  it('a client message encodes as [kind, ...its schema fields in order], and validates back', () => {
    const samples = [
      { kind: 1, version: 5, name: 'Ann', room: 'ABCD', resumeToken: 'tok', ticket: 'tk', maxBytesPerSecond: 65536, roundSeconds: 30 },
      { kind: 2, seq: 9, buttons: 16, aim: 3, viewTime: 77, ackTick: 40 },
      { kind: 1, version: 6, name: 'Ann', room: 'new', roundSeconds: 120 },
      { kind: 3, clientTime: 5.5 },
      { kind: 4, width: 640, height: 480 },
      { kind: 5, text: 'hi' },
    ] as const;
    for (const msg of samples) {
      const spec = CLIENT_SCHEMA.find((m) => m.kind === msg.kind)!;
      const arr = strictDecode(encodeClientMessage(msg)) as unknown[];
      const values = spec.fields.map((f) => (msg as Record<string, unknown>)[f.name] ?? null);
      while (values.length > 0 && values[values.length - 1] === null) values.pop();
      expect(arr).toEqual([msg.kind, ...values]);
      expect(validateClientMessage(arr)).toEqual(msg);
    }
  });
});

describe('absent optional fields before present ones (protocol version 6)', () => {
  it('travel as nil and decode as absent: an Input without Fire reporting its received tick', () => {
    const msg = { kind: 2, seq: 9, buttons: 0, aim: 3, ackTick: 40 } as const;
    const arr = strictDecode(encodeClientMessage(msg)) as unknown[];
    expect(arr).toEqual([2, 9, 0, 3, null, 40]);
    const back = validateClientMessage(arr);
    expect(back).toEqual(msg);
    expect(Object.keys(back)).toEqual(['kind', 'seq', 'buttons', 'aim', 'ackTick']);
  });

  it('a Hello asking for a budget without a resume token', () => {
    const msg = { kind: 1, version: 6, name: 'Ann', room: '', maxBytesPerSecond: 8000 } as const;
    const arr = strictDecode(encodeClientMessage(msg)) as unknown[];
    expect(arr).toEqual([1, 6, 'Ann', '', null, null, 8000]);
    expect(validateClientMessage(arr)).toEqual(msg);
  });

  it('nil as the last element, nil for a required field, and nil viewTime with Fire are refused', () => {
    for (const bad of [
      [2, 9, 0, 3, null],
      [2, 9, 0, 3, null, null],
      [2, 9, null, 3],
      [2, 9, 16, 3, null, 40],
      [1, 6, 'Ann', '', null],
      [1, 6, 'Ann', '', 'tok', null],
    ])
      expect(() => validateClientMessage(bad), JSON.stringify(bad)).toThrow(ProtocolError);
  });

  it('a round length outside 0..MAX_ROUND_SECONDS is refused; it is element 7, after three nils', () => {
    expect(validateClientMessage([1, 6, 'Ann', 'new', null, null, null, 120])).toMatchObject({ room: 'new', roundSeconds: 120 });
    for (const v of [-1, 1.5, Limits.MAX_ROUND_SECONDS + 1, 'long'])
      expect(() => validateClientMessage([1, 6, 'Ann', 'new', null, null, null, v])).toThrow(ProtocolError);
  });

  it('a budget outside 1..MAX_BYTES_PER_SECOND is refused', () => {
    // The budget is element 6, after the resume token and the ticket (both nil here).
    expect(validateClientMessage([1, 6, 'Ann', '', null, null, Limits.MAX_BYTES_PER_SECOND])).toMatchObject({ maxBytesPerSecond: Limits.MAX_BYTES_PER_SECOND });
    for (const v of [0, -1, 1.5, Limits.MAX_BYTES_PER_SECOND + 1])
      expect(() => validateClientMessage([1, 6, 'Ann', '', null, null, v])).toThrow(ProtocolError);
  });
});

describe('Welcome.privateRoom (protocol version 4)', () => {
  const base: WelcomeMsg = {
    kind: ServerKind.Welcome,
    playerId: 7,
    tickRate: 30,
    snapshotRate: 30,
    serverTick: 1800,
    serverTime: 60000,
    mapId: 'arena',
    roomCode: 'QK7MZ',
  };

  it('travels as element 10, 1 for a private room, after the resume fields', () => {
    const frame = strictDecode(encodeServerMessage({ ...base, resumeToken: 'tok', resumed: true, privateRoom: true }));
    expect(frame).toEqual([10, 7, 30, 30, 1800, 60000, 'arena', 'QK7MZ', 'tok', 1, 1]);
    expect(decodeServerMessage(encodeServerMessage({ ...base, resumeToken: 'tok', resumed: true, privateRoom: true }))).toEqual({
      ...base,
      resumeToken: 'tok',
      resumed: true,
      privateRoom: true,
    });
  });

  it('left unset by the server, it is written as 0 whenever the resume token is, and reads as false', () => {
    const frame = encodeServerMessage({ ...base, resumeToken: 'tok', resumed: false });
    expect(strictDecode(frame)).toEqual([10, 7, 30, 30, 1800, 60000, 'arena', 'QK7MZ', 'tok', 0, 0]);
    expect(decodeServerMessage(frame)).toMatchObject({ resumed: false, privateRoom: false });
  });

  it('a Welcome from an older server (8 or 10 elements) decodes without it', () => {
    expect(decodeServerMessage(encodeServerMessage(base))).toEqual(base);
    const old = decodeServerMessage(new Uint8Array([0x9a, ...encodeServerMessage(base).subarray(1), 0xa3, 0x74, 0x6f, 0x6b, 0x01]));
    expect(old).toEqual({ ...base, resumeToken: 'tok', resumed: true });
    expect('privateRoom' in old).toBe(false);
  });
});

describe('Welcome.maxRewindMs (version 5)', () => {
  const base: WelcomeMsg = {
    kind: ServerKind.Welcome,
    playerId: 7,
    tickRate: 30,
    snapshotRate: 30,
    serverTick: 1800,
    serverTime: 60000,
    mapId: 'arena',
    roomCode: 'QK7MZ',
  };

  it('travels as element 11, after privateRoom, and reads back', () => {
    const msg: WelcomeMsg = { ...base, resumeToken: 'tok', resumed: false, privateRoom: false, maxRewindMs: 500 };
    expect(strictDecode(encodeServerMessage(msg))).toEqual([10, 7, 30, 30, 1800, 60000, 'arena', 'QK7MZ', 'tok', 0, 0, 500]);
    expect(decodeServerMessage(encodeServerMessage(msg))).toEqual(msg);
  });

  it('a version 4 Welcome (11 elements) decodes without it', () => {
    const old = decodeServerMessage(encodeServerMessage({ ...base, resumeToken: 'tok', resumed: false }));
    expect('maxRewindMs' in old).toBe(false);
  });
});

describe('unknown top-level kinds', () => {
  it('a server frame of a kind this version does not define is an error (the client closes 4001)', () => {
    for (const kind of [9, 30, 99, 255]) expect(() => decodeServerMessage(new Uint8Array([0x92, kind, 0x00]))).toThrow(/unknown server message kind/);
  });

  it('an unknown event type inside an Events frame is skipped, not an error', () => {
    const frame = new Uint8Array([0x94, 0x10, 0x05, 0x92, 0x63, 0x01, 0x92, 0x06, 0x02]);
    expect(decodeServerMessage(frame)).toEqual({ kind: 16, tick: 5, events: [{ type: 6, pickup: 2 }] });
  });
});
