import { describe, it, expect } from 'vitest';
import { Packr } from 'msgpackr';
import {
  ClientKind,
  CloseCode,
  Limits,
  ProtocolError,
  ROOM_CODE_ALPHABET,
  ServerKind,
  decodeClientMessage,
  encodeClientMessage,
  isValidRoomCode,
  sanitizeName,
  validateClientMessage,
  type ClientMessage,
} from '../../../protocol/index.ts';
import { makeRng, pick, randInt } from './prng.ts';
import { fromHex, toHex } from './strict-msgpack.ts';

// A plain standard-MessagePack encoder for building hostile frames.
const packr = new Packr({ useRecords: false });
const pack = (v: unknown): Uint8Array => packr.pack(v);

/** The close code decodeClientMessage refuses a frame with, or 'accepted'. */
function refusal(bytes: Uint8Array): number | 'accepted' {
  try {
    decodeClientMessage(bytes);
    return 'accepted';
  } catch (e) {
    if (e instanceof ProtocolError) return e.code;
    throw e;
  }
}

const expectMalformed = (value: unknown): void => {
  const bytes = pack(value);
  expect(refusal(bytes), `${String(value)} = ${toHex(bytes)}`).toBe(CloseCode.Malformed);
};
const expectMalformedBytes = (bytes: Uint8Array): void => {
  expect(refusal(bytes), toHex(bytes)).toBe(CloseCode.Malformed);
};

const validHello = [ClientKind.Hello, 1, 'Ann', ''];
const validInput = [ClientKind.Input, 1, 0, 0];
const validPing = [ClientKind.Ping, 0];
const validViewport = [ClientKind.Viewport, 1280, 720];

describe('decodeClientMessage accepts exactly-valid frames', () => {
  it('accepts each valid message kind, including the range boundaries', () => {
    expect(decodeClientMessage(pack(validHello))).toEqual({ kind: 1, version: 1, name: 'Ann', room: '' });
    expect(decodeClientMessage(pack([1, 65535, 'x'.repeat(64), 'ABCDEFGH']))).toMatchObject({ version: 65535 });
    expect(decodeClientMessage(pack(validInput))).toEqual({ kind: 2, seq: 1, buttons: 0, aim: 0 });
    expect(decodeClientMessage(pack([2, Limits.MAX_SEQ, 15, 255]))).toEqual({
      kind: 2,
      seq: 0xffffffff,
      buttons: 15,
      aim: 255,
    });
    expect(decodeClientMessage(pack(validPing))).toEqual({ kind: 3, clientTime: 0 });
    expect(decodeClientMessage(pack([3, 1e15]))).toEqual({ kind: 3, clientTime: 1e15 });
    expect(decodeClientMessage(pack([3, 12.75]))).toEqual({ kind: 3, clientTime: 12.75 });
    expect(decodeClientMessage(pack(validViewport))).toEqual({ kind: 4, width: 1280, height: 720 });
    expect(decodeClientMessage(pack([4, 1, 1]))).toEqual({ kind: 4, width: 1, height: 1 });
    const max = Limits.MAX_VIEWPORT_REPORT;
    expect(decodeClientMessage(pack([4, max, max]))).toEqual({ kind: 4, width: max, height: max });
  });

  it('accepts viewport sizes outside MIN_VIEW..MAX_VIEW: the server clamps them, the validator does not', () => {
    expect(decodeClientMessage(pack([4, Limits.MIN_VIEW_WIDTH - 1, 2]))).toEqual({ kind: 4, width: 319, height: 2 });
    expect(decodeClientMessage(pack([4, Limits.MAX_VIEW_WIDTH + 1, Limits.MAX_VIEW_HEIGHT + 1]))).toEqual({
      kind: 4,
      width: 2561,
      height: 1601,
    });
  });
});

describe('decodeClientMessage rejects with CloseCode.Malformed', () => {
  // Values of every MessagePack type, so each field can be given each wrong one.
  const anyType: unknown[] = [null, true, false, 1, -1, 1.5, 'x', '', [], [1], { a: 1 }, new Uint8Array([1, 2])];

  it('a field of the wrong type, for every field of every kind', () => {
    const cases: [unknown[], number, (v: unknown) => boolean][] = [
      [validHello, 1, (v) => Number.isInteger(v) && (v as number) >= 0],
      [validHello, 2, (v) => typeof v === 'string'],
      [validHello, 3, (v) => v === ''],
      [validInput, 1, (v) => Number.isInteger(v) && (v as number) >= 1],
      [validInput, 2, (v) => Number.isInteger(v) && (v as number) >= 0],
      [validInput, 3, (v) => Number.isInteger(v) && (v as number) >= 0],
      [validPing, 1, (v) => typeof v === 'number' && v >= 0],
      [validViewport, 1, (v) => Number.isInteger(v) && (v as number) >= 1],
      [validViewport, 2, (v) => Number.isInteger(v) && (v as number) >= 1],
    ];
    let checked = 0;
    for (const [base, field, wouldBeValid] of cases) {
      for (const wrong of anyType) {
        if (wouldBeValid(wrong)) continue;
        const msg = base.slice();
        msg[field] = wrong;
        expectMalformed(msg);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(80);
  });

  it('a kind that is not one of the client kinds', () => {
    for (const kind of [0, 5, 9, ...Object.values(ServerKind), 127, 255, -1, 1.5, '1', '4', null, true]) {
      expectMalformed([kind, 1, 0, 0]);
      expectMalformed([kind, 1280, 720]);
    }
  });

  it('input.seq 0, negative, fractional or above 2^32-1', () => {
    for (const seq of [0, -1, 1.5, 2 ** 32, 2 ** 53]) expectMalformed([2, seq, 0, 0]);
  });

  it('input.aim outside 0..255 or fractional', () => {
    for (const aim of [256, -1, 1000, 0.5]) expectMalformed([2, 1, 0, aim]);
  });

  it('input.buttons with any bit outside Up|Down|Left|Right|Fire|Dash', () => {
    for (const buttons of [64, 128, 255, 256, 65, -1, 0x10000, 2 ** 31]) expectMalformed([2, 1, buttons, 0]);
  });

  it('ping.clientTime 64-bit integers: a small value is refused, anything that needs 64 bits up to 1e15 is not', () => {
    // msgpackr reads uint64 / int64 as BigInt; an encoder that packs a millisecond epoch
    // (2^40) as uint64 is right to, one that packs 1000 in 64 bits is not.
    expect(refusal(fromHex('92 03 cf0000000100000000'))).toBe('accepted');
    expect(decodeClientMessage(fromHex('92 03 cf0000019383a0d400'))).toEqual({ kind: 3, clientTime: 1733080175616 });
    expect(decodeClientMessage(fromHex('92 03 d30000019383a0d400'))).toEqual({ kind: 3, clientTime: 1733080175616 });
    expect(decodeClientMessage(fromHex('92 03 cf00038d7ea4c68000'))).toEqual({ kind: 3, clientTime: 1e15 });
    expect(decodeClientMessage(fromHex('92 03 cb4279383e0d400000'))).toMatchObject({ kind: 3 });
    for (const hex of ['92 03 cf00000000ffffffff', '92 03 cf00038d7ea4c68001', '92 03 d3ffffffffffffffff', '92 03 cfffffffffffffffff']) {
      expectMalformedBytes(fromHex(hex));
    }
    // Only a field whose range needs 64 bits takes them: seq, aim, viewTime never do.
    expectMalformedBytes(fromHex('94 02 cf0000000100000000 00 00'));
    expectMalformedBytes(fromHex('95 02 01 10 00 cf0000000100000000'));
  });

  it('ping.clientTime negative, NaN, ±Infinity or above 1e15', () => {
    for (const t of [-1, -0.001, NaN, Infinity, -Infinity, 1e15 + 1, 1e300]) expectMalformed([3, t]);
  });

  it('viewport width or height 0, negative, fractional, non-finite or above MAX_VIEWPORT_REPORT', () => {
    const max = Limits.MAX_VIEWPORT_REPORT;
    for (const bad of [0, -1, -1280, 0.5, 1280.5, max + 1, 2 ** 32, NaN, Infinity, -Infinity]) {
      expectMalformed([4, bad, 720]);
      expectMalformed([4, 1280, bad]);
    }
    expectMalformed([4, '1280', 720]);
    expectMalformed([4, 1280, null]);
    expectMalformed([4, [1280, 720]]);
  });

  it('hello.version outside 0..65535, a name over 64 UTF-16 units, a room that is not a code', () => {
    for (const version of [-1, 65536, 1.5]) expectMalformed([1, version, 'Ann', '']);
    expectMalformed([1, 1, 'x'.repeat(65), '']);
    for (const room of ['abcd', 'ABC', 'ABCDEFGHJ', 'ABC0', 'ABCO', 'AB D', ' ABCD', 'ABCD\n']) {
      expectMalformed([1, 1, 'Ann', room]);
    }
  });

  it('hello.ticket (v6): nil stands for an absent resume token only before a ticket; a trailing nil or a bad ticket is refused', () => {
    expect(decodeClientMessage(pack([1, 6, 'Ann', 'QK7MZ', null, 'tk_1-A']))).toEqual({
      kind: 1, version: 6, name: 'Ann', room: 'QK7MZ', resumeToken: undefined, ticket: 'tk_1-A',
    });
    expectMalformed([1, 6, 'Ann', 'QK7MZ', null]);
    expectMalformed([1, 6, 'Ann', 'QK7MZ', 'tok', null]);
    for (const bad of ['', 'a b', 'x'.repeat(65), 7]) expectMalformed([1, 6, 'Ann', 'QK7MZ', null, bad]);
  });

  it('one element too many or too few, for every kind', () => {
    for (const base of [validHello, validInput, validPing, validViewport]) {
      expectMalformed([...base, null]);
      expectMalformed(base.slice(0, -1));
    }
    // A Hello's longest form has a round length and a resume token after the room.
    for (const longest of [[...validHello, 0, 'tok'], validInput, validPing, validViewport]) expectMalformed([...longest, 0]);
    expectMalformed([]);
    expectMalformed([2]);
  });

  it('a frame that is not an array: scalars, strings, binaries, nil, maps', () => {
    for (const v of [5, -3, 1.5, 'hello', null, true, new Uint8Array([0x94, 2, 1, 0, 0])]) expectMalformed(v);
    expectMalformed({ 0: 2, 1: 1, 2: 0, 3: 0 });
    expectMalformed({ kind: 2, seq: 1, buttons: 0, aim: 0 });
    expectMalformed(new Map<unknown, unknown>([[0, 2]]));
    // an array carrying a map where a number belongs
    expectMalformed([2, { seq: 1 }, 0, 0]);
  });

  it('arrays in the 16/32-bit formats, even when their elements would be valid', () => {
    expectMalformedBytes(fromHex('dc0004 02 01 00 00'));
    expectMalformedBytes(fromHex('dd00000004 02 01 00 00'));
  });

  it('bytes that are not MessagePack: empty, 0xc1, garbage, trailing bytes', () => {
    for (const hex of ['', 'c1', '91c1', 'ffffffff', '94 02 01 00 00 00', '94 02 01 00 00 94 02 02 00 00', '92 03 c1']) {
      expectMalformedBytes(fromHex(hex));
    }
  });

  it('every truncation of every valid frame', () => {
    const frames = [
      encodeClientMessage({ kind: 1, version: 1, name: 'Zoë😀', room: 'ABCD' }),
      encodeClientMessage({ kind: 2, seq: 0xffffffff, buttons: 15, aim: 255 }),
      encodeClientMessage({ kind: 3, clientTime: 123.456 }),
      encodeClientMessage({ kind: 4, width: 1280, height: Limits.MAX_VIEWPORT_REPORT }),
    ];
    for (const f of frames) {
      expect(refusal(f)).toBe('accepted');
      for (let n = 0; n < f.byteLength; n++) expectMalformedBytes(f.subarray(0, n));
    }
  });

  it('64-bit integers (uint64 / int64), which decode to BigInt, even for small values', () => {
    expectMalformedBytes(fromHex('94 02 cf0000000000000005 00 00'));
    expectMalformedBytes(fromHex('94 02 d30000000000000005 00 00'));
    expectMalformedBytes(fromHex('94 01 cf0000000000000001 a141 a0'));
    expectMalformedBytes(fromHex('92 03 cf00000000000003e8'));
    expectMalformedBytes(fromHex('94 02 01 00 cf00000000000000ff'));
  });

  it('msgpackr record extensions, at the top level or inside a message', () => {
    const records = new Packr({ useRecords: true });
    expectMalformedBytes(records.pack({ kind: 2, seq: 1, buttons: 0, aim: 0 }));
    expectMalformedBytes(records.pack([2, { seq: 1 }, 0, 0]));
    expectMalformedBytes(records.pack([[2, 1, 0, 0]]));
  });

  it('a rejected record-definition frame does not change how later frames decode', () => {
    // msgpackr reads 0x40..0x7f as record references once a record is defined; a hostile
    // definition must not turn the positive fixint 0x40 (64) of the next client into a record.
    const evil = new Packr({ useRecords: true }).pack([2, { a: 1 }, 0, 0]);
    expect(refusal(evil)).toBe(CloseCode.Malformed);
    expect(decodeClientMessage(fromHex('94 02 40 00 40'))).toEqual({ kind: 2, seq: 64, buttons: 0, aim: 64 });
  });

  it('every MessagePack extension type, wherever it appears', () => {
    const exts = ['d4 00 41', 'd5 00 4142', 'd6 00 00000005', 'd7 00 0000000000000005', 'c7 01 00 41', 'c7 00 00'];
    for (let type = 0; type < 256; type++) {
      for (const ext of exts) {
        const e = ext.replace(/^(d[4-8]|c7 0[01]) 00/, (_, h: string) => `${h} ${type.toString(16).padStart(2, '0')}`);
        for (const frame of [`94 01 01 ${e} a0`, `94 02 ${e} 00 00`, `92 03 ${e}`, `94 01 01 a0 ${e}`, e]) {
          expectMalformedBytes(fromHex(frame));
        }
      }
    }
  });
});

describe('decodeClientMessage rejects oversized frames with CloseCode.FrameTooLarge', () => {
  it('refuses a frame one byte over MAX_CLIENT_FRAME_BYTES before decoding it', () => {
    const limit = Limits.MAX_CLIENT_FRAME_BYTES;
    expect(refusal(new Uint8Array(limit + 1))).toBe(CloseCode.FrameTooLarge);
    expect(refusal(new Uint8Array(100_000).fill(0x94))).toBe(CloseCode.FrameTooLarge);
    expect(refusal(pack([1, 1, 'x'.repeat(600), '']))).toBe(CloseCode.FrameTooLarge);
    // At the limit the size is fine and the content decides.
    expect(refusal(new Uint8Array(limit))).toBe(CloseCode.Malformed);
  });
});

describe('decodeClientMessage on random input (seeded)', () => {
  /** A random MessagePack-encodable value, biased toward the shapes and numbers of real messages. */
  function randomValue(rng: () => number, depth: number): unknown {
    const r = rng();
    if (depth > 0 && r < 0.25) {
      const n = rng() < 0.7 ? randInt(rng, 1, 5) : randInt(rng, 0, 20);
      const arr = Array.from({ length: n }, () => randomValue(rng, depth - 1));
      if (rng() < 0.6) arr[0] = randInt(rng, 0, 4);
      return arr;
    }
    if (depth > 0 && r < 0.3) return { [String(randInt(rng, 0, 3))]: randomValue(rng, depth - 1) };
    return pick(rng, [
      () => randInt(rng, 0, 20),
      () => randInt(rng, -300, 300),
      () => randInt(rng, 0, 0xffffffff) * pick(rng, [1, 2, -1]),
      () => rng() * pick(rng, [1, 1000, 1e16]),
      () => pick(rng, [NaN, Infinity, -Infinity, -0, 0.5, 1e15, 2 ** 32, 2 ** 64]),
      () => BigInt(randInt(rng, 0, 1000)),
      () => pick(rng, ['', 'Ann', 'ABCD', 'abcd', 'x'.repeat(randInt(rng, 0, 80)), '\u202e😀']),
      () => pick(rng, [null, true, false, undefined]),
      () => new Uint8Array(randInt(rng, 0, 4)),
    ])();
  }

  /** Either a message that survives re-validation and a re-encode, or a ProtocolError. */
  const acceptedKinds = new Set<number>();

  function checkOutcome(bytes: Uint8Array): 'ok' | 'refused' {
    let msg: ClientMessage;
    try {
      msg = decodeClientMessage(bytes);
    } catch (e) {
      expect(e, toHex(bytes)).toBeInstanceOf(ProtocolError);
      expect([CloseCode.Malformed, CloseCode.FrameTooLarge]).toContain((e as ProtocolError).code);
      return 'refused';
    }
    let asArray: unknown[];
    switch (msg.kind) {
      case ClientKind.Hello:
        asArray = [msg.kind, msg.version, msg.name, msg.room];
        break;
      case ClientKind.Input:
        asArray = msg.viewTime === undefined ? [msg.kind, msg.seq, msg.buttons, msg.aim] : [msg.kind, msg.seq, msg.buttons, msg.aim, msg.viewTime];
        break;
      case ClientKind.Chat:
        asArray = [msg.kind, msg.text];
        break;
      case ClientKind.Ping:
        asArray = [msg.kind, msg.clientTime];
        break;
      case ClientKind.Viewport:
        asArray = [msg.kind, msg.width, msg.height];
        break;
      case ClientKind.Watch:
        asArray = [msg.kind, msg.version, msg.room];
        break;
      case ClientKind.AllowWatching:
        asArray = [msg.kind, msg.allow];
        break;
    }
    expect(Object.keys(msg).length, toHex(bytes)).toBe(asArray.length);
    expect(validateClientMessage(asArray)).toEqual(msg);
    expect(decodeClientMessage(encodeClientMessage(msg))).toEqual(msg);
    acceptedKinds.add(msg.kind);
    return 'ok';
  }

  it('5,000 random byte strings: a re-validating message or a ProtocolError, nothing else', () => {
    const rng = makeRng(0xd057);
    const tally = { ok: 0, refused: 0 };
    for (let i = 0; i < 5000; i++) {
      const len = rng() < 0.9 ? randInt(rng, 0, 12) : randInt(rng, 13, 700);
      const bytes = new Uint8Array(len);
      for (let k = 0; k < len; k++) bytes[k] = randInt(rng, 0, 255);
      // Half start like a short client message so they get past the first-byte check.
      if (len > 0 && rng() < 0.5) bytes[0] = pick(rng, [0x92, 0x94, 0x93, 0x95]);
      if (len > 1 && rng() < 0.5) bytes[1] = randInt(rng, 0, 4);
      tally[checkOutcome(bytes)]++;
    }
    expect(tally.refused).toBeGreaterThan(4000);
  });

  it('5,000 random MessagePack values and mutated valid frames: same guarantee, some accepted', () => {
    const rng = makeRng(0xbeef);
    const tally = { ok: 0, refused: 0 };
    for (let i = 0; i < 5000; i++) {
      let bytes: Uint8Array;
      if (i % 2 === 0) {
        bytes = pack(randomValue(rng, 3));
      } else {
        bytes = pack(
          pick(rng, [
            [1, randInt(rng, 0, 70000), 'Ann', pick(rng, ['', 'ABCD', 'abcd'])],
            [2, randInt(rng, 0, 300), randInt(rng, 0, 20), randInt(rng, 0, 300)],
            [3, rng() * 2000 - 100],
            [4, randInt(rng, -10, 20000), randInt(rng, -10, 20000)],
          ]),
        ).slice();
        const flips = randInt(rng, 0, 2);
        for (let k = 0; k < flips; k++) bytes[randInt(rng, 0, bytes.length - 1)] = randInt(rng, 0, 255);
      }
      tally[checkOutcome(bytes)]++;
    }
    expect(tally.ok).toBeGreaterThan(500);
    expect([...acceptedKinds].sort()).toEqual([1, 2, 3, 4]);
    expect(tally.refused).toBeGreaterThan(500);
  });
});

describe('sanitizeName', () => {
  it('removes control characters, turning tabs and line breaks into spaces', () => {
    expect(sanitizeName('a\u0000b\u0007c\u007f\u009fd')).toBe('abcd');
    expect(sanitizeName('Big\tBob\r\nJr')).toBe('Big Bob Jr');
  });

  it('removes bidi overrides and isolates', () => {
    expect(sanitizeName('\u202eevil\u202c')).toBe('evil');
    expect(sanitizeName('a\u2066b\u2067c\u2068d\u2069\u200e\u200f')).toBe('abcd');
  });

  it('removes zero-width characters without leaving a gap', () => {
    expect(sanitizeName('ad\u200bmin')).toBe('admin');
    expect(sanitizeName('\ufeffx\u200cy\u200dz\u2060')).toBe('xyz');
  });

  it('collapses every kind of whitespace run to one space and trims the ends', () => {
    expect(sanitizeName('   Big  \t\n  Bob   ')).toBe('Big Bob');
    expect(sanitizeName('a\u00a0\u3000\u2003b\u2028c\u2029d')).toBe('a b c d');
  });

  it('keeps at most 16 code points, counting an astral character as one', () => {
    expect(sanitizeName('abcdefghijklmnopqrstuvwxyz')).toBe('abcdefghijklmnop');
    const emoji = sanitizeName('😀'.repeat(20));
    expect(Array.from(emoji)).toHaveLength(Limits.MAX_NAME_LENGTH);
    expect(emoji).toHaveLength(32);
    expect(sanitizeName('a😀'.repeat(10))).toBe('a😀'.repeat(8));
  });

  it('NFC-normalizes before counting, and trims a space left at the cut', () => {
    expect(sanitizeName('e\u0301')).toBe('\u00e9');
    expect(sanitizeName('abcdefghijklmno  pq')).toBe('abcdefghijklmno');
  });

  it('falls back to "Player" (or the given fallback) when nothing visible is left', () => {
    for (const raw of ['', '   ', '\u200b\u202e', '\u0000\t\n', '\ufeff']) expect(sanitizeName(raw)).toBe('Player');
    expect(sanitizeName('', 'Guest')).toBe('Guest');
  });

  it('keeps markup characters literally: rendering as text is the client’s job', () => {
    expect(sanitizeName('<b>hi</b>')).toBe('<b>hi</b>');
    expect(sanitizeName('a & <script>')).toBe('a & <script>');
  });

  it('on random strings: idempotent, no controls or format chars, no edge/double spaces, ≤ 16 code points', () => {
    const rng = makeRng(16);
    const pool = ['a', 'Z', ' ', '\t', '\n', '\u0000', '\u200b', '\u202e', '\u00a0', '😀', 'é', 'e\u0301', '<', '\u3000'];
    for (let i = 0; i < 2000; i++) {
      const raw = Array.from({ length: randInt(rng, 0, 40) }, () => pick(rng, pool)).join('');
      const name = sanitizeName(raw);
      expect(sanitizeName(name)).toBe(name);
      expect(name).not.toMatch(/[\p{Cc}\p{Cf}]/u);
      expect(name).not.toMatch(/^\s|\s$|\s\s|[^\S ]/u);
      expect(Array.from(name).length).toBeLessThanOrEqual(Limits.MAX_NAME_LENGTH);
      expect(name.length).toBeGreaterThan(0);
    }
  });
});

describe('isValidRoomCode', () => {
  it('accepts 4 to 8 characters of the room-code alphabet', () => {
    for (const code of ['ABCD', 'QK7M', '23456789', 'ZZZZZ', 'HJKMNP']) expect(isValidRoomCode(code), code).toBe(true);
    for (let i = 0; i + 4 <= ROOM_CODE_ALPHABET.length; i += 4) {
      expect(isValidRoomCode(ROOM_CODE_ALPHABET.slice(i, i + 4))).toBe(true);
    }
  });

  it('rejects wrong lengths, lowercase, confusable characters and anything else', () => {
    for (const code of ['', 'ABC', 'ABCDEFGHJ', 'abcd', 'ABC0', 'ABCO', 'ABC1', 'ABCI', 'ABCL', 'AB D', 'ABCD\n', 'ABCD-', 'ÄBCD']) {
      expect(isValidRoomCode(code), JSON.stringify(code)).toBe(false);
    }
  });

  it('the alphabet has no look-alikes (0 O 1 I L)', () => {
    for (const c of '0O1IL') expect(ROOM_CODE_ALPHABET).not.toContain(c);
    expect(new Set(ROOM_CODE_ALPHABET).size).toBe(ROOM_CODE_ALPHABET.length);
  });
});
