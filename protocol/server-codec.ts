/**
 * Server -> client frames. Welcome, Pong, Roster, PlayerJoined, PlayerLeft and
 * MatchState are encoded and decoded straight from SERVER_SCHEMA; Snapshot (the hot
 * path, see snapshot-writer.ts) and Events (pre-packed events, events-codec.ts) follow
 * the same table by hand, and tests hold them to it.
 */
import { malformed } from './errors.ts';
import { ServerKind, type GameEvent, type ServerMessage } from './messages.ts';
import type { CellBlock } from './delta.ts';
import { SERVER_SCHEMA, type FieldSpec } from './schema.ts';
import { pack, unpackr } from './msgpack.ts';
import { compile, readLenient, toArray, type CompiledMessage } from './table-codec.ts';
import { SNAPSHOT_HEADER_ELEMENTS, encodeSnapshot } from './snapshot-writer.ts';
import { decodeEvent, encodeEvent, encodeEventsFrame } from './events-codec.ts';

const fieldsByKind: (readonly FieldSpec[] | undefined)[] = [];
const compiledByKind: (CompiledMessage | undefined)[] = [];
for (const m of SERVER_SCHEMA) {
  fieldsByKind[m.kind] = m.fields;
  if (m.kind !== ServerKind.Snapshot && m.kind !== ServerKind.Events)
    compiledByKind[m.kind] = compile(m.kind, m.name, m.fields, false);
}

function blockArray(b: CellBlock): unknown[] {
  if (b.full) return [b.cell, 0, b.entries];
  const out: unknown[] = [b.cell, 1, b.changes, b.escapes, b.entered, b.gone];
  while (out.length > 3 && (out[out.length - 1] as number[]).length === 0) out.pop();
  return out;
}

export function encodeServerMessage(msg: ServerMessage): Uint8Array {
  switch (msg.kind) {
    case ServerKind.Snapshot:
      return encodeSnapshot(
        msg.tick,
        msg.serverTime,
        msg.ackSeq,
        msg.baseTick,
        msg.self,
        msg.view,
        msg.blocks.map((b) => pack(blockArray(b))),
      );
    case ServerKind.Events:
      return encodeEventsFrame(msg.tick, msg.events.map(encodeEvent));
    default:
      return pack(toArray(msg.kind, fieldsByKind[msg.kind]!, msg as unknown as Readonly<Record<string, unknown>>));
  }
}

const int = (v: unknown, what: string): number => {
  if (!Number.isInteger(v)) throw malformed(`${what} must be an integer`);
  return v as number;
};
const num = (v: unknown, what: string): number => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw malformed(`${what} must be a number`);
  return v;
};

function intArray(v: unknown, len: number | null, what: string): number[] {
  if (!Array.isArray(v) || (len !== null && v.length !== len)) throw malformed(`${what} must be an array${len ? ` of ${len}` : ''}`);
  for (const x of v) if (!Number.isInteger(x)) throw malformed(`${what} must hold integers`);
  return v as number[];
}

function decodeBlock(v: unknown): CellBlock {
  if (!Array.isArray(v)) throw malformed('snapshot block must be an array');
  const cell = int(v[0], 'block.cell');
  if (v[1] === 0 && v.length === 3) return { cell, full: true, entries: intArray(v[2], null, 'block.entries') };
  if (v[1] === 1 && v.length >= 3 && v.length <= 6) {
    if (!(v[2] instanceof Uint8Array)) throw malformed('block.changes must be binary');
    return {
      cell,
      full: false,
      changes: v[2],
      escapes: v.length > 3 ? intArray(v[3], null, 'block.escapes') : [],
      entered: v.length > 4 ? intArray(v[4], null, 'block.entered') : [],
      gone: v.length > 5 ? intArray(v[5], null, 'block.gone') : [],
    };
  }
  throw malformed('snapshot block is neither full [cell, 0, entries] nor delta [cell, 1, changes, ...]');
}

function decodeSnapshot(v: unknown[]): ServerMessage {
  const self = intArray(v[5], null, 'snapshot.self');
  if (self.length !== 4 && self.length !== 6) throw malformed('snapshot.self must be an array of 4 or 6');
  const view = intArray(v[6], 5, 'snapshot.view');
  const blocks: CellBlock[] = [];
  for (let i = SNAPSHOT_HEADER_ELEMENTS; i < v.length; i++) blocks.push(decodeBlock(v[i]));
  return {
    kind: ServerKind.Snapshot,
    tick: int(v[1], 'snapshot.tick'),
    serverTime: num(v[2], 'snapshot.serverTime'),
    ackSeq: int(v[3], 'snapshot.ackSeq'),
    baseTick: int(v[4], 'snapshot.baseTick'),
    self:
      self.length === 6
        ? { x: self[0]!, y: self[1]!, vx: self[2]!, vy: self[3]!, dash: self[4]!, dashCooldown: self[5]! }
        : { x: self[0]!, y: self[1]!, vx: self[2]!, vy: self[3]! },
    view: { cx0: view[0]!, cy0: view[1]!, cx1: view[2]!, cy1: view[3]!, cols: view[4]! },
    blocks,
  };
}

/**
 * Decode a server frame on the client. The server is trusted more than clients are,
 * but a client still checks shapes so a bad frame is a clear error, not a NaN sprite.
 * A kind this version does not define is an error too (README §2): new kinds come only
 * with a new PROTOCOL_VERSION, which the server refuses to speak to an older client.
 */
export function decodeServerMessage(bytes: Uint8Array): ServerMessage {
  let v: unknown;
  try {
    v = unpackr.unpack(bytes);
  } catch {
    throw malformed('server frame is not valid MessagePack');
  }
  if (!Array.isArray(v)) throw malformed('server frame is not an array');
  const kind: unknown = v[0];
  if (kind === ServerKind.Snapshot) return decodeSnapshot(v);
  if (kind === ServerKind.Events) {
    const events: GameEvent[] = [];
    for (let i = 2; i < v.length; i++) {
      const e = decodeEvent(v[i]);
      if (e) events.push(e);
    }
    return { kind: ServerKind.Events, tick: int(v[1], 'events.tick'), events };
  }
  const m = typeof kind === 'number' ? compiledByKind[kind] : undefined;
  if (m === undefined) throw malformed(`unknown server message kind ${String(kind)}`);
  return readLenient(m, v) as unknown as ServerMessage;
}
