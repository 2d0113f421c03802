/**
 * Reads a replay file (protocol/REPLAY.md) into its records, treating it as hostile:
 * every length, count, type and range is checked, and anything wrong is a ReplayError
 * naming the byte offset, never a crash and never a half-read result. A file that ends
 * part-way through a record (a crash while recording) reads up to its last whole record
 * and says so in `truncated`.
 *
 * Records are indexed, not decoded: a tick's frames stay views into the file until a
 * cursor (cursor.ts) decodes the ones a seek needs. Only the small frames (joins,
 * leaves, events) are decoded here, to build the event index the scrub bar marks.
 */
import { EventType, ServerKind, type ServerMessage } from '../messages.ts';
import { unpackr } from '../msgpack.ts';
import { decodeServerMessage } from '../server-codec.ts';
import {
  IndexKind,
  MAX_RECORD_BYTES,
  PREAMBLE_BYTES,
  RECORD_HEAD_BYTES,
  RecordType,
  ReplayError,
  TRAILER_BYTES,
  TRAILER_MAGIC,
  checkPreamble,
  crc32,
  type IndexEntry,
  type IndexKindValue,
} from './format.ts';

export interface ReplayHeader {
  room: string;
  mapId: string;
  tickRate: number;
  snapshotRate: number;
  /** Wall clock when the room opened, ms since 1970. */
  startedAtMs: number;
  isPublic: boolean;
}

export interface TickRecord {
  tick: number;
  serverTime: number;
  /** Server frames (MessagePack), as the room sent them that tick. */
  frames: Uint8Array[];
}

export interface KeyframeRecord {
  tick: number;
  serverTime: number;
  roster: Uint8Array;
  matchState: Uint8Array;
  /** A Snapshot with baseTick -1: every occupied cell whole. */
  snapshot: Uint8Array;
}

/** One shot as the server judged it. Positions in 1/REMOTE_POS_SCALE px, as in the cells. */
export interface ShotRecord {
  tick: number;
  shooter: number;
  /** The server time the shooter was drawing the others at when it fired, ms. */
  viewTime: number;
  X0: number;
  Y0: number;
  /** Where the beam stopped. */
  X1: number;
  Y1: number;
  /** The player the beam hit (0: none). */
  hit: number;
  /** The view was older than the rewind limit: judged against no one. */
  refused: boolean;
  /** The others within reach, where the server rewound them to viewTime. */
  rewound: { id: number; X: number; Y: number }[];
}

export interface ReplayFooter {
  endTick: number;
  endServerTime: number;
  endedAtMs: number;
  players: { id: number; name: string }[];
  index: IndexEntry[];
}

export interface Replay {
  header: ReplayHeader;
  /** By tick, strictly increasing. */
  ticks: TickRecord[];
  /** By tick, strictly increasing; the first is at or before the first tick record. */
  keyframes: KeyframeRecord[];
  footer: ReplayFooter | null;
  /** The file ended inside a record (or without its footer): a crash while recording. */
  truncated: boolean;
  /** Joins, leaves, kills and chat, in tick order, derived from the frames. */
  index: IndexEntry[];
  /** Every shot with the server's view of it, in tick order. */
  shots: ShotRecord[];
  /** Everyone who played, by id. */
  names: Map<number, string>;
  firstTick: number;
  lastTick: number;
  /** Server time of the first and last record, ms. */
  firstTime: number;
  lastTime: number;
  byteLength: number;
}

const MAX_TICK = 2 ** 40;
const MAX_TIME = 2 ** 48;
const MAX_NAME = 64;
const MAX_RATE = 1000;

const isInt = (v: unknown, lo: number, hi: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
const isBin = (v: unknown): v is Uint8Array => v instanceof Uint8Array;

interface RawRecord {
  offset: number;
  body: unknown[];
}

/** Split the file into its records; checks framing and CRCs only. */
function scanRecords(bytes: Uint8Array): { records: RawRecord[]; truncated: boolean; trailer: boolean } {
  checkPreamble(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: RawRecord[] = [];
  let at = PREAMBLE_BYTES;
  let truncated = false;
  let trailer = false;
  while (at < bytes.length) {
    const left = bytes.length - at;
    if (records.length > 0 && left === TRAILER_BYTES && endsWithTrailer(bytes)) {
      const footerBytes = view.getUint32(at);
      const last = records[records.length - 1]!;
      if (at - footerBytes !== last.offset || last.body[0] !== RecordType.Footer)
        throw new ReplayError(`corrupt replay: the trailer at byte ${at} does not point at a footer record`);
      trailer = true;
      break;
    }
    if (left < RECORD_HEAD_BYTES) {
      truncated = true;
      break;
    }
    const len = view.getUint32(at);
    if (len === 0 || len > MAX_RECORD_BYTES) throw new ReplayError(`corrupt replay: record at byte ${at} claims ${len} bytes (1..${MAX_RECORD_BYTES})`);
    if (left < RECORD_HEAD_BYTES + len) {
      truncated = true;
      break;
    }
    const start = at + RECORD_HEAD_BYTES;
    if (crc32(bytes, start, start + len) !== view.getUint32(at + 4)) throw new ReplayError(`corrupt replay: record at byte ${at} fails its CRC-32 check`);
    let body: unknown;
    try {
      body = unpackr.unpack(bytes.subarray(start, start + len));
    } catch {
      throw new ReplayError(`corrupt replay: record at byte ${at} is not valid MessagePack`);
    }
    if (!Array.isArray(body) || body.length === 0) throw new ReplayError(`corrupt replay: record at byte ${at} is not a non-empty array`);
    if (records.length > 0 && records[records.length - 1]!.body[0] === RecordType.Footer)
      throw new ReplayError(`corrupt replay: record at byte ${at} follows the footer`);
    records.push({ offset: at, body });
    at = start + len;
  }
  return { records, truncated, trailer };
}

function endsWithTrailer(bytes: Uint8Array): boolean {
  const n = bytes.length;
  for (let i = 0; i < 4; i++) if (bytes[n - 4 + i] !== TRAILER_MAGIC[i]) return false;
  return true;
}

/** Read a whole replay file; throws ReplayError when it is not one this code can play. */
export function readReplay(bytes: Uint8Array): Replay {
  const { records, truncated, trailer } = scanRecords(bytes);
  if (records.length === 0) throw new ReplayError('empty replay: no header record');
  const header = readHeader(records[0]!);
  const ticks: TickRecord[] = [];
  const keyframes: KeyframeRecord[] = [];
  let footer: ReplayFooter | null = null;
  const index: IndexEntry[] = [];
  const shots: ShotRecord[] = [];
  const names = new Map<number, string>();
  for (let r = 1; r < records.length; r++) {
    const { offset, body } = records[r]!;
    const bad = (what: string): never => {
      throw new ReplayError(`corrupt replay: record at byte ${offset}: ${what}`);
    };
    const type = body[0];
    if (type === RecordType.Tick) {
      const [, tick, serverTime] = body;
      if (!isInt(tick, 0, MAX_TICK) || !isInt(serverTime, 0, MAX_TIME)) bad('tick or server time out of range');
      const prev = ticks[ticks.length - 1];
      if (prev && (tick as number) <= prev.tick) bad(`tick ${String(tick)} after tick ${prev.tick}`);
      const frames: Uint8Array[] = [];
      for (let i = 3; i < body.length; i++) {
        const f = body[i];
        if (!isBin(f) || f.length < 2) bad(`frame ${i - 3} is not a server frame`);
        frames.push(f as Uint8Array);
      }
      ticks.push({ tick: tick as number, serverTime: serverTime as number, frames });
      // A finished file's footer has the index already: decoding every event is the slow
      // part of opening a long replay (the cursor still validates each frame it applies).
      if (!trailer) for (const f of frames) indexFrame(f, tick as number, index, names, bad);
    } else if (type === RecordType.Keyframe) {
      const [, tick, serverTime, roster, matchState, snapshot] = body;
      if (body.length !== 6) bad(`a keyframe has 6 elements, not ${body.length}`);
      if (!isInt(tick, 0, MAX_TICK) || !isInt(serverTime, 0, MAX_TIME)) bad('tick or server time out of range');
      const last = ticks[ticks.length - 1];
      if (!last || last.tick !== tick) bad(`keyframe for tick ${String(tick)} does not follow that tick's record`);
      if (!isBin(roster) || !isBin(matchState) || !isBin(snapshot)) bad('keyframe parts are not frames');
      if (frameKind(roster as Uint8Array) !== ServerKind.Roster || frameKind(matchState as Uint8Array) !== ServerKind.MatchState || frameKind(snapshot as Uint8Array) !== ServerKind.Snapshot)
        bad('keyframe parts are not a Roster, a MatchState and a Snapshot');
      for (const p of rosterOf(roster as Uint8Array, bad)) if (!names.has(p.id)) names.set(p.id, p.name);
      keyframes.push({ tick: tick as number, serverTime: serverTime as number, roster: roster as Uint8Array, matchState: matchState as Uint8Array, snapshot: snapshot as Uint8Array });
    } else if (type === RecordType.Shot) {
      const [, tick, shooter, viewTime, X0, Y0, X1, Y1, hit, refused, near] = body;
      if (body.length !== 11) bad(`a shot has 11 elements, not ${body.length}`);
      const last = ticks[ticks.length - 1];
      if (!last || last.tick !== tick) bad(`shot for tick ${String(tick)} does not follow that tick's record`);
      for (const v of [shooter, viewTime, X0, Y0, X1, Y1, hit]) if (!isInt(v, 0, MAX_TIME)) bad('shot field out of range');
      if (refused !== 0 && refused !== 1) bad('bad refused flag');
      if (!Array.isArray(near) || near.length % 3 !== 0) bad('bad rewound list');
      const rewound: { id: number; X: number; Y: number }[] = [];
      const n = near as unknown[];
      for (let i = 0; i < n.length; i += 3) {
        if (!isInt(n[i], 0, 0xffffffff) || !isInt(n[i + 1], 0, MAX_TIME) || !isInt(n[i + 2], 0, MAX_TIME)) bad('bad rewound entry');
        rewound.push({ id: n[i] as number, X: n[i + 1] as number, Y: n[i + 2] as number });
      }
      shots.push({
        tick: tick as number,
        shooter: shooter as number,
        viewTime: viewTime as number,
        X0: X0 as number,
        Y0: Y0 as number,
        X1: X1 as number,
        Y1: Y1 as number,
        hit: hit as number,
        refused: refused === 1,
        rewound,
      });
    } else if (type === RecordType.Footer) {
      footer = readFooter(body, bad);
    } else bad(`unknown record type ${String(type)}`);
  }
  if (trailer && footer) {
    index.push(...footer.index);
    for (const p of footer.players) names.set(p.id, p.name);
  }
  if (keyframes.length === 0 || ticks.length === 0) throw new ReplayError(truncated ? 'truncated replay: it ends before its first keyframe' : 'empty replay: no keyframe');
  const first = ticks[0]!;
  const last = ticks[ticks.length - 1]!;
  if (keyframes[0]!.tick !== first.tick) throw new ReplayError('corrupt replay: the first tick record has no keyframe');
  return {
    header,
    ticks,
    keyframes,
    footer,
    truncated: truncated || !trailer,
    index,
    shots,
    names,
    firstTick: first.tick,
    lastTick: last.tick,
    firstTime: first.serverTime,
    lastTime: last.serverTime,
    byteLength: bytes.length,
  };
}

function readHeader({ offset, body }: RawRecord): ReplayHeader {
  const [type, room, mapId, tickRate, snapshotRate, startedAtMs, isPublic] = body;
  const bad = (what: string): never => {
    throw new ReplayError(`corrupt replay: header at byte ${offset}: ${what}`);
  };
  if (type !== RecordType.Header) bad('the first record is not a header');
  if (body.length !== 7) bad(`a header has 7 elements, not ${body.length}`);
  if (typeof room !== 'string' || !/^[A-Z0-9]{1,16}$/.test(room)) bad('bad room code');
  if (typeof mapId !== 'string' || !/^[a-z0-9_-]{1,64}$/i.test(mapId)) bad('bad map id');
  if (!isInt(tickRate, 1, MAX_RATE) || !isInt(snapshotRate, 1, tickRate as number)) bad('bad tick or snapshot rate');
  if (!isInt(startedAtMs, 0, MAX_TIME)) bad('bad start time');
  if (isPublic !== 0 && isPublic !== 1) bad('bad public flag');
  return { room: room as string, mapId: mapId as string, tickRate: tickRate as number, snapshotRate: snapshotRate as number, startedAtMs: startedAtMs as number, isPublic: isPublic === 1 };
}

function readFooter(body: unknown[], bad: (what: string) => never): ReplayFooter {
  const [, endTick, endServerTime, endedAtMs, players, flat] = body;
  if (body.length !== 6) bad(`a footer has 6 elements, not ${body.length}`);
  if (!isInt(endTick, 0, MAX_TICK) || !isInt(endServerTime, 0, MAX_TIME) || !isInt(endedAtMs, 0, MAX_TIME)) bad('bad end');
  if (!Array.isArray(players) || players.length % 2 !== 0) bad('bad player list');
  if (!Array.isArray(flat) || flat.length % 4 !== 0) bad('bad index');
  const ps: { id: number; name: string }[] = [];
  const pl = players as unknown[];
  for (let i = 0; i < pl.length; i += 2) {
    const id = pl[i];
    const name = pl[i + 1];
    if (!isInt(id, 0, 0xffffffff) || typeof name !== 'string' || name.length > MAX_NAME) bad('bad player entry');
    ps.push({ id: id as number, name: name as string });
  }
  const index: IndexEntry[] = [];
  const fl = flat as unknown[];
  for (let i = 0; i < fl.length; i += 4) {
    const [tick, kind, a, b] = [fl[i], fl[i + 1], fl[i + 2], fl[i + 3]];
    if (!isInt(tick, 0, MAX_TICK) || !isInt(kind, 1, 4) || !isInt(a, 0, 0xffffffff) || !isInt(b, 0, 0xffffffff)) bad('bad index entry');
    index.push({ tick: tick as number, kind: kind as IndexKindValue, a: a as number, b: b as number });
  }
  return { endTick: endTick as number, endServerTime: endServerTime as number, endedAtMs: endedAtMs as number, players: ps, index };
}

/**
 * A frame's message kind without decoding it: the first element of its array, after a
 * fixarray, array 16 or array 32 head (-1 when it is not an array starting with a
 * positive fixint).
 */
export function frameKind(f: Uint8Array): number {
  const h = f[0];
  const at = h === undefined ? -1 : h >= 0x90 && h <= 0x9f ? 1 : h === 0xdc ? 3 : h === 0xdd ? 5 : -1;
  const k = at < 0 ? undefined : f[at];
  return k !== undefined && k < 0x80 ? k : -1;
}

/** A frame, decoded and validated by the wire's own decoder; a bad one is a ReplayError. */
export function decodeFrame(f: Uint8Array): ServerMessage {
  try {
    return decodeServerMessage(f);
  } catch (e) {
    throw new ReplayError(`corrupt replay: a recorded frame does not decode (${(e as Error).message})`);
  }
}

function rosterOf(f: Uint8Array, bad: (what: string) => never): { id: number; name: string }[] {
  const m = decodeFrame(f);
  if (m.kind !== ServerKind.Roster) bad('not a roster');
  return (m as Extract<ServerMessage, { kind: typeof ServerKind.Roster }>).players;
}

function indexFrame(f: Uint8Array, tick: number, index: IndexEntry[], names: Map<number, string>, bad: (what: string) => never): void {
  // Snapshots are the bulk of the file and carry nothing the index needs.
  if (frameKind(f) === ServerKind.Snapshot) return;
  let m: ServerMessage;
  try {
    m = decodeServerMessage(f);
  } catch (e) {
    return bad(`a frame does not decode (${(e as Error).message})`);
  }
  const push = (kind: IndexKindValue, a: number, b = 0): void => {
    index.push({ tick, kind, a, b });
  };
  if (m.kind === ServerKind.PlayerJoined) {
    push(IndexKind.Join, m.id);
    names.set(m.id, m.name);
  } else if (m.kind === ServerKind.PlayerLeft) push(IndexKind.Leave, m.id);
  else if (m.kind === ServerKind.Events) {
    for (const e of m.events) {
      if (e.type === EventType.Kill) push(IndexKind.Kill, e.victim, e.killer);
      else if (e.type === EventType.Chat) push(IndexKind.Chat, e.player);
    }
  } else bad(`a tick record carries a frame of kind ${m.kind}`);
}

/** What a listing shows of a finished file, read from its first and last bytes only. */
export interface ReplaySummaryParts {
  header: ReplayHeader;
  footer: ReplayFooter;
}

/**
 * The header of a file from its first bytes (`head`: at least the preamble and the
 * header record) and the footer from its footer record (`footerRecord`: the record the
 * trailer points at, head included). Throws ReplayError on anything malformed.
 */
export function readSummaryParts(head: Uint8Array, footerRecord: Uint8Array): ReplaySummaryParts {
  checkPreamble(head);
  const headRec = singleRecord(head, PREAMBLE_BYTES, 'header');
  const footRec = singleRecord(footerRecord, 0, 'footer');
  if (footRec.body[0] !== RecordType.Footer) throw new ReplayError('corrupt replay: the trailer does not point at a footer');
  return {
    header: readHeader(headRec),
    footer: readFooter(footRec.body, (what) => {
      throw new ReplayError(`corrupt replay: footer: ${what}`);
    }),
  };
}

/** The footer record's length from a finished file's last TRAILER_BYTES, or -1 when they are no trailer. */
export function trailerFooterBytes(tail: Uint8Array): number {
  if (tail.length !== TRAILER_BYTES || !endsWithTrailer(tail)) return -1;
  const n = new DataView(tail.buffer, tail.byteOffset, tail.byteLength).getUint32(0);
  return n > RECORD_HEAD_BYTES && n <= RECORD_HEAD_BYTES + MAX_RECORD_BYTES ? n : -1;
}

function singleRecord(bytes: Uint8Array, at: number, what: string): RawRecord {
  if (bytes.length < at + RECORD_HEAD_BYTES) throw new ReplayError(`truncated replay: no room for the ${what} record`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = view.getUint32(at);
  const start = at + RECORD_HEAD_BYTES;
  if (len === 0 || len > MAX_RECORD_BYTES || bytes.length < start + len) throw new ReplayError(`corrupt replay: bad ${what} record length ${len}`);
  if (crc32(bytes, start, start + len) !== view.getUint32(at + 4)) throw new ReplayError(`corrupt replay: the ${what} record fails its CRC-32 check`);
  let body: unknown;
  try {
    body = unpackr.unpack(bytes.subarray(start, start + len));
  } catch {
    throw new ReplayError(`corrupt replay: the ${what} record is not valid MessagePack`);
  }
  if (!Array.isArray(body) || body.length === 0) throw new ReplayError(`corrupt replay: the ${what} record is not an array`);
  return { offset: at, body };
}
