/**
 * The reader takes replay files as hostile input: a file cut at any byte reads as its
 * whole records or is refused, a changed byte is refused, a wrong version is refused
 * with a message saying which, and nothing but ReplayError ever comes out.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PREAMBLE_BYTES,
  REPLAY_FORMAT_VERSION,
  REPLAY_PROTOCOL_VERSION,
  ReplayCursor,
  ReplayError,
  readReplay,
} from '../../../protocol/replay/index.ts';
import { ReplayWorld } from '../../../game-client/src/replay/replay-world.ts';
import { playRecordedMatch } from './recorded-match.ts';

const match = playRecordedMatch({ ticks: 30 * 12, players: 3, seed: 3, keyframeIntervalS: 2 });
const bytes = match.output.bytes();

/** Read, and seek to the end, as a viewer would: only ReplayError may come out. */
function readAll(b: Uint8Array): ReturnType<typeof readReplay> | ReplayError {
  try {
    const r = readReplay(b);
    const c = new ReplayCursor(r, new ReplayWorld());
    c.seek(r.firstTick);
    c.seek(r.lastTick);
    return r;
  } catch (e) {
    if (e instanceof ReplayError) return e;
    throw e;
  }
}

describe('the replay reader', () => {
  it('reads a file cut at any byte up to its last whole record, or refuses it, never anything else', () => {
    const full = readReplay(bytes);
    let readable = 0;
    for (let n = 0; n < bytes.length; n += 7) {
      const r = readAll(bytes.subarray(0, n));
      if (r instanceof ReplayError) {
        expect(r.message).toMatch(/replay/);
        continue;
      }
      readable++;
      expect(r.truncated).toBe(true);
      expect(r.lastTick).toBeLessThanOrEqual(full.lastTick);
      expect(r.ticks.length).toBeLessThanOrEqual(full.ticks.length);
    }
    expect(readable).toBeGreaterThan(0);
  });

  it('refuses a file with any byte changed after the preamble (CRC-32), or reads it whole', () => {
    fc.assert(
      fc.property(fc.integer({ min: PREAMBLE_BYTES, max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, x) => {
        const b = bytes.slice();
        b[at]! ^= x;
        const r = readAll(b);
        // A change in a record's length field may still frame as a crash-cut file.
        if (!(r instanceof ReplayError)) expect(r.truncated).toBe(true);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('refuses other versions, saying older or newer, and files that are not replays', () => {
    const with16 = (offset: number, v: number): Uint8Array => {
      const b = bytes.slice();
      new DataView(b.buffer).setUint16(offset, v);
      return b;
    };
    expect(() => readReplay(with16(10, REPLAY_PROTOCOL_VERSION - 1))).toThrow(/protocol version \d+, older than this reader's/);
    expect(() => readReplay(with16(10, REPLAY_PROTOCOL_VERSION + 1))).toThrow(/newer than this reader's/);
    expect(() => readReplay(with16(8, REPLAY_FORMAT_VERSION + 1))).toThrow(/format version 2 is newer/);
    expect(() => readReplay(new TextEncoder().encode('<html>not a replay</html>'))).toThrow(ReplayError);
    expect(() => readReplay(new Uint8Array(0))).toThrow(/shorter than the 12-byte preamble/);
    expect(() => readReplay(bytes.subarray(0, PREAMBLE_BYTES))).toThrow(/no header record/);
  });

  it('refuses a record that claims more than the largest record size', () => {
    const b = bytes.slice();
    new DataView(b.buffer).setUint32(PREAMBLE_BYTES, 0xfffffff0);
    expect(() => readReplay(b)).toThrow(/claims \d+ bytes/);
  });
});
