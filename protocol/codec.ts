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
  EventType,
  Limits,
  ServerKind,
  type ClientMessage,
  type GameEvent,
  type PlayerStanding,
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
      return msg.resumeToken === undefined
        ? pack([msg.kind, msg.version, msg.name, msg.room])
        : pack([msg.kind, msg.version, msg.name, msg.room, msg.resumeToken]);
    case ClientKind.Input:
      return msg.viewTime === undefined
        ? pack([msg.kind, msg.seq, msg.buttons, msg.aim])
        : pack([msg.kind, msg.seq, msg.buttons, msg.aim, msg.viewTime]);
    case ClientKind.Chat:
      return pack([msg.kind, msg.text]);
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
    // Header: at most 3 + 1 + 4 * 9 + 1 + 6 * 9 + 1 + 5 * 9 = 141 bytes (every number a float64).
    let need = 144;
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
    // The dash state only travels while it is non-zero: most snapshots keep 4 elements.
    const dash = self.dash ?? 0;
    const dashCooldown = self.dashCooldown ?? 0;
    const withDash = dash !== 0 || dashCooldown !== 0;
    this.buf[this.pos++] = withDash ? 0x96 : 0x94;
    this.int(self.x);
    this.int(self.y);
    this.int(self.vx);
    this.int(self.vy);
    if (withDash) {
      this.int(dash);
      this.int(dashCooldown);
    }
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
    case ServerKind.Welcome: {
      const w: unknown[] = [
        msg.kind,
        msg.playerId,
        msg.tickRate,
        msg.snapshotRate,
        msg.serverTick,
        msg.serverTime,
        msg.mapId,
        msg.roomCode,
      ];
      if (msg.resumeToken !== undefined) w.push(msg.resumeToken, msg.resumed ? 1 : 0);
      return pack(w);
    }
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
    case ServerKind.Events:
      return encodeEventsFrame(msg.tick, msg.events.map(encodeEvent));
    case ServerKind.MatchState: {
      const flat: number[] = [];
      for (const p of msg.players) flat.push(p.id, p.score, p.health);
      return pack([msg.kind, flat, msg.pickupsTaken]);
    }
  }
}

/** One event as its own MessagePack array: encoded once, copied into many Events frames. */
export function encodeEvent(e: GameEvent): Uint8Array {
  switch (e.type) {
    case EventType.Shot:
      return pack([e.type, e.shooter, e.x0, e.y0, e.x1, e.y1]);
    case EventType.Hit:
      return pack([e.type, e.victim, e.attacker, e.damage, e.health]);
    case EventType.Kill:
      return pack([e.type, e.victim, e.killer, e.killerScore]);
    case EventType.Respawn:
      return pack([e.type, e.player, e.x, e.y, e.health, e.protectMs]);
    case EventType.Pickup:
      return pack([e.type, e.player, e.pickup, e.health]);
    case EventType.PickupReady:
      return pack([e.type, e.pickup]);
    case EventType.Chat:
      return pack([e.type, e.player, e.text]);
    case EventType.Notice:
      return pack([e.type, e.notice, e.text]);
  }
}

/** An Events frame [16, tick, ...events] from events encoded with encodeEvent. */
export function encodeEventsFrame(tick: number, events: readonly Uint8Array[]): Uint8Array {
  const head = pack(tick);
  const count = 2 + events.length;
  const arrayHeader = count <= 15 ? 1 : count <= 0xffff ? 3 : 5;
  let size = arrayHeader + 1 + head.byteLength;
  for (const e of events) size += e.byteLength;
  const out = new Uint8Array(size);
  let pos = 0;
  if (count <= 15) out[pos++] = 0x90 | count;
  else if (count <= 0xffff) {
    out[pos++] = 0xdc;
    out[pos++] = count >> 8;
    out[pos++] = count & 0xff;
  } else {
    out[pos++] = 0xdd;
    new DataView(out.buffer).setUint32(pos, count);
    pos += 4;
  }
  out[pos++] = ServerKind.Events;
  out.set(head, pos);
  pos += head.byteLength;
  for (const e of events) {
    out.set(e, pos);
    pos += e.byteLength;
  }
  return out;
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
        // Elements 8 and 9 (resume) are absent from servers that predate them.
        ...(v.length > 8 ? { resumeToken: str(v[8], 'welcome.resumeToken'), resumed: v[9] === 1 } : {}),
      };
    case ServerKind.Snapshot: {
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
    case ServerKind.Events: {
      const events: GameEvent[] = [];
      for (let i = 2; i < v.length; i++) {
        const e = decodeEvent(v[i]);
        if (e) events.push(e);
      }
      return { kind: ServerKind.Events, tick: int(v[1], 'events.tick'), events };
    }
    case ServerKind.MatchState: {
      const flat = intArray(v[1], null, 'matchState.players');
      if (flat.length % 3 !== 0) throw malformed('matchState.players must be [id, score, health, ...]');
      const players: PlayerStanding[] = [];
      for (let i = 0; i < flat.length; i += 3) players.push({ id: flat[i]!, score: flat[i + 1]!, health: flat[i + 2]! });
      return { kind: ServerKind.MatchState, players, pickupsTaken: intArray(v[2], null, 'matchState.pickupsTaken') };
    }
    default:
      throw malformed(`unknown server message kind ${String(v[0])}`);
  }
}

/**
 * One event of an Events frame. An event type this client does not know is skipped
 * (null), so a server may add types without breaking older clients; a known type with
 * the wrong shape is an error. Extra trailing elements are ignored.
 */
function decodeEvent(v: unknown): GameEvent | null {
  if (!Array.isArray(v) || v.length === 0) throw malformed('event must be a non-empty array');
  const ints = (n: number, what: string): number[] => {
    if (v.length < n + 1) throw malformed(`${what} event needs ${n} fields`);
    const out: number[] = [];
    for (let i = 1; i <= n; i++) out.push(int(v[i], `${what}[${i}]`));
    return out;
  };
  switch (v[0]) {
    case EventType.Shot: {
      const [shooter, x0, y0, x1, y1] = ints(5, 'shot');
      return { type: EventType.Shot, shooter: shooter!, x0: x0!, y0: y0!, x1: x1!, y1: y1! };
    }
    case EventType.Hit: {
      const [victim, attacker, damage, health] = ints(4, 'hit');
      return { type: EventType.Hit, victim: victim!, attacker: attacker!, damage: damage!, health: health! };
    }
    case EventType.Kill: {
      const [victim, killer, killerScore] = ints(3, 'kill');
      return { type: EventType.Kill, victim: victim!, killer: killer!, killerScore: killerScore! };
    }
    case EventType.Respawn: {
      const [player, x, y, health, protectMs] = ints(5, 'respawn');
      return { type: EventType.Respawn, player: player!, x: x!, y: y!, health: health!, protectMs: protectMs! };
    }
    case EventType.Pickup: {
      const [player, pickup, health] = ints(3, 'pickup');
      return { type: EventType.Pickup, player: player!, pickup: pickup!, health: health! };
    }
    case EventType.PickupReady:
      return { type: EventType.PickupReady, pickup: ints(1, 'pickupReady')[0]! };
    case EventType.Chat:
      return { type: EventType.Chat, player: ints(1, 'chat')[0]!, text: str(v[2], 'chat.text') };
    case EventType.Notice:
      return { type: EventType.Notice, notice: ints(1, 'notice')[0]!, text: str(v[2], 'notice.text') };
    default:
      if (!Number.isInteger(v[0])) throw malformed('event type must be an integer');
      return null;
  }
}
