/**
 * The one codec both sides use. msgpackr is configured for standard MessagePack only
 * (no record extension, no msgpackr-specific types) so any conforming decoder in any
 * language reads every frame.
 */
import { Packr, Unpackr } from 'msgpackr';
import { ProtocolError, malformed } from './errors.ts';
import { CloseCode } from './close-codes.ts';
import {
  ClientKind,
  Limits,
  ServerKind,
  type ClientMessage,
  type SelfState,
  type ServerMessage,
} from './messages.ts';
import type { CellBlock, ViewRect } from './delta.ts';
import { validateClientMessage } from './validate.ts';

const packr = new Packr({ useRecords: false, moreTypes: false, encodeUndefinedAsNil: true });
// BigInts (64-bit ints) stay BigInt so the validator refuses them instead of silently
// losing precision.
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

const pack = (value: unknown): Uint8Array => packr.pack(value);

// ---- client -> server ----

export function encodeClientMessage(msg: ClientMessage): Uint8Array {
  switch (msg.kind) {
    case ClientKind.Hello:
      return pack([msg.kind, msg.version, msg.name, msg.room]);
    case ClientKind.Input:
      return pack([msg.kind, msg.seq, msg.buttons, msg.aim]);
    case ClientKind.Ping:
      return pack([msg.kind, msg.clientTime]);
    case ClientKind.Viewport:
      return pack([msg.kind, msg.width, msg.height]);
  }
}

/**
 * Decode and validate one frame from a client. Throws ProtocolError with the close code
 * to answer it with; never returns anything but an exactly-valid message.
 */
export function decodeClientMessage(bytes: Uint8Array): ClientMessage {
  if (bytes.byteLength > Limits.MAX_CLIENT_FRAME_BYTES)
    throw new ProtocolError(
      CloseCode.FrameTooLarge,
      `frame of ${bytes.byteLength} bytes exceeds ${Limits.MAX_CLIENT_FRAME_BYTES}`,
    );
  // Every client message is a short fixarray (0x91..0x9f); checking the first byte
  // refuses most garbage before the decoder sees it.
  const first = bytes[0];
  if (first === undefined || first < 0x91 || first > 0x9f)
    throw malformed('frame is not a MessagePack array of 1..15 elements');
  let value: unknown;
  try {
    value = unpackr.unpack(bytes);
  } catch {
    throw malformed('frame is not valid MessagePack');
  }
  return validateClientMessage(value);
}

// ---- server -> client ----

/** Pack one cell block (from encodeFullCell / encodeCellDelta) once; many frames reuse it. */
export function encodeCellBlock(block: unknown[]): Uint8Array {
  return pack(block);
}

const SNAPSHOT_HEADER_ELEMENTS = 7;

/**
 * Writes snapshot frames into one reusable buffer: the per-client part of the hot path
 * allocates nothing. The header is all integers, written here directly in standard
 * MessagePack (smallest int format, as msgpackr would); the cell blocks are copied in
 * as they were encoded once for everyone.
 */
export class SnapshotWriter {
  private buf = new Uint8Array(4096);
  private view = new DataView(this.buf.buffer);
  private pos = 0;

  /** The frame, valid until the next call: send it (or copy it) before writing another. */
  write(
    tick: number,
    serverTime: number,
    ackSeq: number,
    baseTick: number,
    self: SelfState,
    view: ViewRect,
    blocks: readonly Uint8Array[],
  ): Uint8Array {
    // Header: at most 3 + 1 + 4 * 9 + 1 + 4 * 9 + 1 + 5 * 9 = 123 bytes (every number a float64).
    let need = 128;
    for (const b of blocks) need += b.byteLength;
    if (need > this.buf.byteLength) {
      this.buf = new Uint8Array(Math.max(need, this.buf.byteLength * 2));
      this.view = new DataView(this.buf.buffer);
    }
    this.pos = 0;
    const count = SNAPSHOT_HEADER_ELEMENTS + blocks.length;
    if (count <= 15) this.buf[this.pos++] = 0x90 | count;
    else {
      this.buf[this.pos++] = 0xdc;
      this.view.setUint16(this.pos, count);
      this.pos += 2;
    }
    this.int(ServerKind.Snapshot);
    this.int(tick);
    this.int(serverTime);
    this.int(ackSeq);
    this.int(baseTick);
    this.buf[this.pos++] = 0x94;
    this.int(self.x);
    this.int(self.y);
    this.int(self.vx);
    this.int(self.vy);
    this.buf[this.pos++] = 0x95;
    this.int(view.cx0);
    this.int(view.cy0);
    this.int(view.cx1);
    this.int(view.cy1);
    this.int(view.cols);
    for (const b of blocks) {
      this.buf.set(b, this.pos);
      this.pos += b.byteLength;
    }
    return this.buf.subarray(0, this.pos);
  }

  private int(v: number): void {
    const b = this.buf;
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0xffffffff) {
      // As msgpackr packs it (and the README promises): a fractional serverTime, or one
      // past 2^32 ms (49.7 days of uptime), travels as a float64 instead of throwing.
      b[this.pos++] = 0xcb;
      this.view.setFloat64(this.pos, v);
      this.pos += 8;
      return;
    }
    if (v >= 0) {
      if (v < 0x80) b[this.pos++] = v;
      else if (v < 0x100) {
        b[this.pos++] = 0xcc;
        b[this.pos++] = v;
      } else if (v < 0x10000) {
        b[this.pos++] = 0xcd;
        this.view.setUint16(this.pos, v);
        this.pos += 2;
      } else {
        b[this.pos++] = 0xce;
        this.view.setUint32(this.pos, v);
        this.pos += 4;
      }
    } else if (v >= -32) b[this.pos++] = v & 0xff;
    else if (v >= -0x80) {
      b[this.pos++] = 0xd0;
      this.view.setInt8(this.pos++, v);
    } else if (v >= -0x8000) {
      b[this.pos++] = 0xd1;
      this.view.setInt16(this.pos, v);
      this.pos += 2;
    } else {
      b[this.pos++] = 0xd2;
      this.view.setInt32(this.pos, v);
      this.pos += 4;
    }
  }
}

/**
 * A snapshot frame from its per-client header and pre-encoded cell blocks, in a fresh
 * buffer (see SnapshotWriter for the allocation-free form the server uses).
 */
export function encodeSnapshot(
  tick: number,
  serverTime: number,
  ackSeq: number,
  baseTick: number,
  self: SelfState,
  view: ViewRect,
  blocks: readonly Uint8Array[],
): Uint8Array {
  return new SnapshotWriter().write(tick, serverTime, ackSeq, baseTick, self, view, blocks).slice();
}

function blockArray(b: CellBlock): unknown[] {
  if (b.full) return [b.cell, 0, b.entries];
  const out: unknown[] = [b.cell, 1, b.changes, b.escapes, b.entered, b.gone];
  while (out.length > 3 && (out[out.length - 1] as number[]).length === 0) out.pop();
  return out;
}

export function encodeServerMessage(msg: ServerMessage): Uint8Array {
  switch (msg.kind) {
    case ServerKind.Welcome:
      return pack([
        msg.kind,
        msg.playerId,
        msg.tickRate,
        msg.snapshotRate,
        msg.serverTick,
        msg.serverTime,
        msg.mapId,
        msg.roomCode,
      ]);
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
    case ServerKind.Pong:
      return pack([msg.kind, msg.clientTime, msg.serverTime]);
    case ServerKind.Roster: {
      const flat: (number | string)[] = [];
      for (const p of msg.players) flat.push(p.id, p.name);
      return pack([msg.kind, flat]);
    }
    case ServerKind.PlayerJoined:
      return pack([msg.kind, msg.id, msg.name]);
    case ServerKind.PlayerLeft:
      return pack([msg.kind, msg.id]);
  }
}

const num = (v: unknown, what: string): number => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw malformed(`${what} must be a number`);
  return v;
};
const int = (v: unknown, what: string): number => {
  if (!Number.isInteger(v)) throw malformed(`${what} must be an integer`);
  return v as number;
};
const str = (v: unknown, what: string): string => {
  if (typeof v !== 'string') throw malformed(`${what} must be a string`);
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

/**
 * Decode a server frame on the client. The server is trusted more than clients are,
 * but a client still checks shapes so a bad frame is a clear error, not a NaN sprite.
 */
export function decodeServerMessage(bytes: Uint8Array): ServerMessage {
  let v: unknown;
  try {
    v = unpackr.unpack(bytes);
  } catch {
    throw malformed('server frame is not valid MessagePack');
  }
  if (!Array.isArray(v)) throw malformed('server frame is not an array');
  switch (v[0]) {
    case ServerKind.Welcome:
      return {
        kind: ServerKind.Welcome,
        playerId: int(v[1], 'welcome.playerId'),
        tickRate: num(v[2], 'welcome.tickRate'),
        snapshotRate: num(v[3], 'welcome.snapshotRate'),
        serverTick: int(v[4], 'welcome.serverTick'),
        serverTime: num(v[5], 'welcome.serverTime'),
        mapId: str(v[6], 'welcome.mapId'),
        roomCode: str(v[7], 'welcome.roomCode'),
      };
    case ServerKind.Snapshot: {
      const self = intArray(v[5], 4, 'snapshot.self');
      const view = intArray(v[6], 5, 'snapshot.view');
      const blocks: CellBlock[] = [];
      for (let i = SNAPSHOT_HEADER_ELEMENTS; i < v.length; i++) blocks.push(decodeBlock(v[i]));
      return {
        kind: ServerKind.Snapshot,
        tick: int(v[1], 'snapshot.tick'),
        serverTime: num(v[2], 'snapshot.serverTime'),
        ackSeq: int(v[3], 'snapshot.ackSeq'),
        baseTick: int(v[4], 'snapshot.baseTick'),
        self: { x: self[0]!, y: self[1]!, vx: self[2]!, vy: self[3]! },
        view: { cx0: view[0]!, cy0: view[1]!, cx1: view[2]!, cy1: view[3]!, cols: view[4]! },
        blocks,
      };
    }
    case ServerKind.Pong:
      return {
        kind: ServerKind.Pong,
        clientTime: num(v[1], 'pong.clientTime'),
        serverTime: num(v[2], 'pong.serverTime'),
      };
    case ServerKind.Roster: {
      const flat = v[1];
      if (!Array.isArray(flat) || flat.length % 2 !== 0) throw malformed('roster must be [id, name, ...]');
      const players: { id: number; name: string }[] = [];
      for (let i = 0; i < flat.length; i += 2)
        players.push({ id: int(flat[i], 'roster.id'), name: str(flat[i + 1], 'roster.name') });
      return { kind: ServerKind.Roster, players };
    }
    case ServerKind.PlayerJoined:
      return { kind: ServerKind.PlayerJoined, id: int(v[1], 'joined.id'), name: str(v[2], 'joined.name') };
    case ServerKind.PlayerLeft:
      return { kind: ServerKind.PlayerLeft, id: int(v[1], 'left.id') };
    default:
      throw malformed(`unknown server message kind ${String(v[0])}`);
  }
}
