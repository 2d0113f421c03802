/**
 * The replay file format's constants and framing, shared by the server's recorder and
 * every reader. protocol/REPLAY.md is the byte-level description; this file and it must
 * say the same thing.
 *
 * A file is a fixed preamble (magic, format version, protocol version) and then a run of
 * records, each a length, a CRC-32 and a MessagePack array. Records are appended as the
 * match goes on, so a file cut short by a crash is a valid prefix up to its last whole
 * record. A finished file ends with a footer record and an 8-byte trailer that points
 * back at it, so a listing can read the summary without scanning the file.
 */
import { PROTOCOL_VERSION } from '../version.ts';

/** "DUSTUPRP": the first 8 bytes of every replay file. */
export const REPLAY_MAGIC = Uint8Array.of(0x44, 0x55, 0x53, 0x54, 0x55, 0x50, 0x52, 0x50);
/** Layout of the records themselves (the frames inside follow PROTOCOL_VERSION). */
export const REPLAY_FORMAT_VERSION = 1;
/** The protocol version whose server frames the records carry. */
export const REPLAY_PROTOCOL_VERSION = PROTOCOL_VERSION;
/** Magic + u16 format version + u16 protocol version. */
export const PREAMBLE_BYTES = 12;
/** u32 payload length + u32 CRC-32 of the payload. */
export const RECORD_HEAD_BYTES = 8;
/** Largest record payload a reader accepts (a keyframe of a full 10,000-player room fits). */
export const MAX_RECORD_BYTES = 8 * 1024 * 1024;
/** "DEND": the last 4 bytes of a finished file, after the footer's length. */
export const TRAILER_MAGIC = Uint8Array.of(0x44, 0x45, 0x4e, 0x44);
/** u32 byte length of the footer record (head + payload) + TRAILER_MAGIC. */
export const TRAILER_BYTES = 8;
/** A keyframe at least this often (the recorder's default), seconds. */
export const KEYFRAME_INTERVAL_S = 5;

/** Element 0 of each record's array. */
export const RecordType = {
  /** [1, room, mapId, tickRate, snapshotRate, startedAtMs, public]: always the first record. */
  Header: 1,
  /** [2, tick, serverTime, frame...]: the server frames of one tick, in the order sent. */
  Tick: 2,
  /** [3, tick, serverTime, roster, matchState, snapshot]: the whole room after that tick. */
  Keyframe: 3,
  /** [4, endTick, endServerTime, endedAtMs, [id, name, ...], [tick, kind, a, b, ...]]: last. */
  Footer: 4,
  /**
   * [5, tick, shooter, viewTime, X0, Y0, X1, Y1, hit, refused, [id, X, Y, ...]]: one shot as
   * the server judged it (the shot inspector), after its tick's record.
   */
  Shot: 5,
} as const;

/** Kinds in the event index (footer, and what a reader derives). */
export const IndexKind = {
  /** a: player id */
  Join: 1,
  /** a: player id */
  Leave: 2,
  /** a: victim, b: killer */
  Kill: 3,
  /** a: player */
  Chat: 4,
} as const;
export type IndexKindValue = (typeof IndexKind)[keyof typeof IndexKind];

export interface IndexEntry {
  tick: number;
  kind: IndexKindValue;
  a: number;
  b: number;
}

/** A replay file the reader refuses: what is wrong, for a person to read. */
export class ReplayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayError';
  }
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, as zlib and PNG use) of bytes[start, end). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The 12-byte preamble of a file recorded now. */
export function encodePreamble(): Uint8Array {
  const out = new Uint8Array(PREAMBLE_BYTES);
  out.set(REPLAY_MAGIC, 0);
  const v = new DataView(out.buffer);
  v.setUint16(8, REPLAY_FORMAT_VERSION);
  v.setUint16(10, REPLAY_PROTOCOL_VERSION);
  return out;
}

/** One whole record around an already packed payload. */
export function frameRecord(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(RECORD_HEAD_BYTES + payload.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, payload.length);
  v.setUint32(4, crc32(payload));
  out.set(payload, RECORD_HEAD_BYTES);
  return out;
}

/** The trailer that follows a footer record of `footerBytes` (head included). */
export function encodeTrailer(footerBytes: number): Uint8Array {
  const out = new Uint8Array(TRAILER_BYTES);
  new DataView(out.buffer).setUint32(0, footerBytes);
  out.set(TRAILER_MAGIC, 4);
  return out;
}

/**
 * Check a file's preamble; throws ReplayError saying what it is instead. Versions are
 * compared exactly: the frames inside are the wire of one protocol version, and this
 * code decodes only its own.
 */
export function checkPreamble(bytes: Uint8Array): void {
  if (bytes.length < PREAMBLE_BYTES) throw new ReplayError(`not a replay: ${bytes.length} bytes is shorter than the ${PREAMBLE_BYTES}-byte preamble`);
  for (let i = 0; i < REPLAY_MAGIC.length; i++)
    if (bytes[i] !== REPLAY_MAGIC[i]) throw new ReplayError('not a replay: the file does not start with "DUSTUPRP"');
  const v = new DataView(bytes.buffer, bytes.byteOffset, PREAMBLE_BYTES);
  const format = v.getUint16(8);
  const protocol = v.getUint16(10);
  if (format !== REPLAY_FORMAT_VERSION)
    throw new ReplayError(`replay format version ${format} is ${format < REPLAY_FORMAT_VERSION ? 'older' : 'newer'} than this reader's (${REPLAY_FORMAT_VERSION}): it cannot be played here`);
  if (protocol !== REPLAY_PROTOCOL_VERSION)
    throw new ReplayError(
      `replay recorded with protocol version ${protocol}, ${protocol < REPLAY_PROTOCOL_VERSION ? 'older' : 'newer'} than this reader's (${REPLAY_PROTOCOL_VERSION}): it cannot be played here`,
    );
}
