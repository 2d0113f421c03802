/**
 * The wire format of combat, chat and rooms: Fire/Dash buttons with viewTime, Chat,
 * Events, MatchState, the dash state in a snapshot's self array, and the text
 * sanitizer for chat.
 */
import { describe, expect, it } from 'vitest';
import { Packr } from 'msgpackr';
import {
  Button,
  CREATE_PRIVATE_ROOM,
  ClientKind,
  CloseCode,
  EventType,
  Limits,
  Notice,
  ProtocolError,
  ServerKind,
  decodeClientMessage,
  decodeServerMessage,
  encodeClientMessage,
  encodeEvent,
  encodeEventsFrame,
  encodeServerMessage,
  sanitizeChat,
  sanitizeName,
  type EventsMsg,
  type GameEvent,
  type MatchStateMsg,
  type SnapshotMsg,
} from '../../../protocol/index.ts';
import { strictDecode, toHex } from './strict-msgpack.ts';

const pack = (v: unknown): Uint8Array => new Packr({ useRecords: false }).pack(v);

function refusal(value: unknown): number | 'accepted' {
  try {
    decodeClientMessage(pack(value));
    return 'accepted';
  } catch (e) {
    if (e instanceof ProtocolError) return e.code;
    throw e;
  }
}

describe('Input with Fire and Dash', () => {
  it('Fire carries viewTime as a fifth element; Dash alone does not', () => {
    const fire = { kind: ClientKind.Input, seq: 7, buttons: Button.Fire | Button.Up, aim: 64, viewTime: 60000 } as const;
    const bytes = encodeClientMessage(fire);
    expect(toHex(bytes)).toBe('9502071140cdea60');
    expect(decodeClientMessage(bytes)).toEqual(fire);
    const dash = { kind: ClientKind.Input, seq: 8, buttons: Button.Dash | Button.Left, aim: 0 } as const;
    expect(strictDecode(encodeClientMessage(dash))).toEqual([2, 8, 36, 0]);
    expect(decodeClientMessage(encodeClientMessage(dash))).toEqual(dash);
  });

  it('refuses Fire without viewTime, viewTime without Fire, and viewTime out of range', () => {
    expect(refusal([2, 1, Button.Fire, 0])).toBe(CloseCode.Malformed);
    expect(refusal([2, 1, 0, 0, 100])).toBe(CloseCode.Malformed);
    expect(refusal([2, 1, Button.Dash, 0, 100])).toBe(CloseCode.Malformed);
    for (const bad of [-1, 1.5, 2 ** 32, '5', null]) expect(refusal([2, 1, Button.Fire, 0, bad])).toBe(CloseCode.Malformed);
    expect(refusal([2, 1, Button.Fire, 0, 0])).toBe('accepted');
    expect(refusal([2, 1, Button.Fire, 0, 2 ** 32 - 1])).toBe('accepted');
    expect(refusal([2, 1, 64, 0])).toBe(CloseCode.Malformed);
  });
});

describe('Chat', () => {
  it('round-trips [5, text]', () => {
    const m = { kind: ClientKind.Chat, text: 'gg <b>wp</b> 😀' } as const;
    expect(strictDecode(encodeClientMessage(m))).toEqual([5, m.text]);
    expect(decodeClientMessage(encodeClientMessage(m))).toEqual(m);
  });

  it('refuses a text over MAX_RAW_CHAT UTF-16 units, a non-string, or the wrong length', () => {
    expect(refusal([5, 'x'.repeat(Limits.MAX_RAW_CHAT)])).toBe('accepted');
    expect(refusal([5, 'x'.repeat(Limits.MAX_RAW_CHAT + 1)])).toBe(CloseCode.Malformed);
    expect(refusal([5, 5])).toBe(CloseCode.Malformed);
    expect(refusal([5])).toBe(CloseCode.Malformed);
    expect(refusal([5, 'a', 'b'])).toBe(CloseCode.Malformed);
  });

  it('a frame over 512 bytes is FrameTooLarge before anything else', () => {
    expect(refusal([5, '€'.repeat(200)])).toBe(CloseCode.FrameTooLarge);
  });
});

describe('sanitizeChat', () => {
  it('removes control and invisible characters, collapses spaces, keeps markup characters as text', () => {
    expect(sanitizeChat('  hi\u0000\u0007 there\u202e\u200b  ')).toBe('hi there');
    expect(sanitizeChat('a\tb\r\nc')).toBe('a b c');
    expect(sanitizeChat('<script>alert(1)</script> & co')).toBe('<script>alert(1)</script> & co');
    expect(sanitizeChat('lone \ud800 surrogate')).toBe('lone surrogate');
  });

  it('cuts to MAX_CHAT_LENGTH code points (an emoji is one) and returns "" when nothing visible is left', () => {
    expect(Array.from(sanitizeChat('😀'.repeat(200)))).toHaveLength(Limits.MAX_CHAT_LENGTH);
    expect(sanitizeChat('x'.repeat(500))).toHaveLength(Limits.MAX_CHAT_LENGTH);
    expect(sanitizeChat('\u0000\u200b \t\n')).toBe('');
    expect(sanitizeChat('')).toBe('');
  });
});

describe('names', () => {
  it('a Hello name over 64 UTF-16 units is refused; control and invisible characters are cleaned out', () => {
    expect(refusal([1, 3, 'x'.repeat(65), ''])).toBe(CloseCode.Malformed);
    expect(refusal([1, 3, 'x'.repeat(64), ''])).toBe('accepted');
    expect(sanitizeName('\u0007Ad\u200bmin\u202e\n')).toBe('Admin');
    expect(sanitizeName('x'.repeat(64))).toHaveLength(Limits.MAX_NAME_LENGTH);
    expect(sanitizeName('\u0000\u200b')).toBe('Player');
  });
});

describe('Hello asking for a private room', () => {
  it(`accepts room "${CREATE_PRIVATE_ROOM}" and still refuses other non-codes`, () => {
    expect(refusal([1, 3, 'Ann', CREATE_PRIVATE_ROOM])).toBe('accepted');
    expect(refusal([1, 3, 'Ann', 'NEW'])).toBe(CloseCode.Malformed);
    expect(refusal([1, 3, 'Ann', 'new!'])).toBe(CloseCode.Malformed);
  });
});

const allEvents: GameEvent[] = [
  { type: EventType.Shot, shooter: 7, x0: 100, y0: 200, x1: 740, y1: -3 },
  { type: EventType.Hit, victim: 9, attacker: 7, damage: 25, health: 75 },
  { type: EventType.Kill, victim: 9, killer: 7, killerScore: 12 },
  { type: EventType.Respawn, player: 9, x: 1520, y: 400, health: 100, protectMs: 2000 },
  { type: EventType.Pickup, player: 7, pickup: 3, health: 100 },
  { type: EventType.PickupReady, pickup: 3 },
  { type: EventType.Chat, player: 7, text: 'gg 😀 <i>' },
  { type: EventType.Notice, notice: Notice.ChatRateLimited, text: 'slow down' },
];

describe('Events', () => {
  it('round-trips every event type, in order', () => {
    const m: EventsMsg = { kind: ServerKind.Events, tick: 1801, events: allEvents };
    expect(decodeServerMessage(encodeServerMessage(m))).toEqual(m);
  });

  it('is a standard MessagePack array [16, tick, event...]; events pre-encoded once give the same bytes', () => {
    const m: EventsMsg = { kind: ServerKind.Events, tick: 5, events: allEvents.slice(0, 2) };
    const bytes = encodeServerMessage(m);
    expect(strictDecode(bytes)).toEqual([16, 5, [1, 7, 100, 200, 740, -3], [2, 9, 7, 25, 75]]);
    expect(toHex(encodeEventsFrame(5, m.events.map(encodeEvent)))).toBe(toHex(bytes));
  });

  it('uses an array16 header past 13 events', () => {
    const events = Array.from({ length: 20 }, (_, i): GameEvent => ({ type: EventType.PickupReady, pickup: i }));
    const bytes = encodeEventsFrame(70000, events.map(encodeEvent));
    expect(bytes[0]).toBe(0xdc);
    expect(decodeServerMessage(bytes)).toEqual({ kind: ServerKind.Events, tick: 70000, events });
  });

  it('skips event types it does not know, ignores extra trailing fields, refuses a known type with missing fields', () => {
    expect(decodeServerMessage(pack([16, 1, [99, 1, 2], [6, 4, 'extra']]))).toEqual({
      kind: ServerKind.Events,
      tick: 1,
      events: [{ type: EventType.PickupReady, pickup: 4 }],
    });
    expect(() => decodeServerMessage(pack([16, 1, [2, 9, 7]]))).toThrow(ProtocolError);
    expect(() => decodeServerMessage(pack([16, 1, [7, 9, 5]]))).toThrow(ProtocolError);
  });
});

describe('MatchState', () => {
  it('round-trips [17, [id, score, health, ...], [pickup, ...]]', () => {
    const m: MatchStateMsg = {
      kind: ServerKind.MatchState,
      players: [
        { id: 1, score: 3, health: 100 },
        { id: 4, score: 0, health: 0 },
      ],
      pickupsTaken: [2, 5],
    };
    const bytes = encodeServerMessage(m);
    expect(strictDecode(bytes)).toEqual([17, [1, 3, 100, 4, 0, 0], [2, 5]]);
    expect(decodeServerMessage(bytes)).toEqual(m);
    expect(() => decodeServerMessage(pack([17, [1, 2], []]))).toThrow(ProtocolError);
  });
});

describe('Snapshot self with dash state', () => {
  const base: SnapshotMsg = {
    kind: ServerKind.Snapshot,
    tick: 10,
    serverTime: 333,
    ackSeq: 9,
    baseTick: -1,
    self: { x: 800, y: 960, vx: 5760, vy: 0 },
    view: { cx0: 0, cy0: 0, cx1: 1, cy1: 1, cols: 2 },
    blocks: [],
  };

  it('has 4 elements while dash and cooldown are 0, 6 otherwise, and reads back either way', () => {
    expect((strictDecode(encodeServerMessage(base)) as unknown[])[5]).toEqual([800, 960, 5760, 0]);
    const dashing = { ...base, self: { ...base.self, dash: 4, dashCooldown: 43 } };
    expect((strictDecode(encodeServerMessage(dashing)) as unknown[])[5]).toEqual([800, 960, 5760, 0, 4, 43]);
    expect(decodeServerMessage(encodeServerMessage(dashing))).toEqual(dashing);
    expect(decodeServerMessage(encodeServerMessage(base))).toEqual(base);
    expect(() => decodeServerMessage(pack([11, 1, 1, 0, -1, [1, 2, 3, 4, 5], [0, 0, 0, 0, 1]]))).toThrow(ProtocolError);
  });
});
