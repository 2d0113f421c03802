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
  ENTITY_FIELDS,
  Limits,
  ServerKind,
  type ClientMessage,
  type EntityState,
  type ServerMessage,
} from './messages.ts';
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

function flattenEntities(entities: readonly EntityState[]): number[] {
  const flat = new Array<number>(entities.length * ENTITY_FIELDS);
  let i = 0;
  for (const e of entities) {
    flat[i++] = e.id;
    flat[i++] = e.x;
    flat[i++] = e.y;
    flat[i++] = e.vx;
    flat[i++] = e.vy;
    flat[i++] = e.aim;
  }
  return flat;
}

/**
 * Pre-encode the entity list once per tick: every client in a room receives the same
 * bytes, only the header (its own ackSeq) differs. See encodeSnapshot.
 */
export function encodeEntityBlock(entities: readonly EntityState[]): Uint8Array {
  return pack(flattenEntities(entities));
}

/**
 * Assemble a snapshot frame from its per-client header and a shared entity block.
 * The header [kind, tick, time, ack] packs as a 4-element fixarray (0x94); the frame is
 * a 5-element array, so the first byte becomes 0x95 and the block is appended:
 * valid MessagePack without re-encoding the entities per client.
 */
export function encodeSnapshot(
  tick: number,
  serverTime: number,
  ackSeq: number,
  entityBlock: Uint8Array,
): Uint8Array {
  const header = pack([ServerKind.Snapshot, tick, serverTime, ackSeq]);
  const out = new Uint8Array(header.byteLength + entityBlock.byteLength);
  out.set(header, 0);
  out[0] = 0x95;
  out.set(entityBlock, header.byteLength);
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
      return encodeSnapshot(msg.tick, msg.serverTime, msg.ackSeq, encodeEntityBlock(msg.entities));
    case ServerKind.Pong:
      return pack([msg.kind, msg.clientTime, msg.serverTime]);
    case ServerKind.Roster: {
      const flat: (number | string)[] = [];
      for (const p of msg.players) flat.push(p.id, p.name);
      return pack([msg.kind, flat]);
    }
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
      const flat = v[4];
      if (!Array.isArray(flat) || flat.length % ENTITY_FIELDS !== 0)
        throw malformed('snapshot.entities must be a flat array of whole entities');
      const entities: EntityState[] = [];
      for (let i = 0; i < flat.length; i += ENTITY_FIELDS) {
        entities.push({
          id: int(flat[i], 'entity.id'),
          x: int(flat[i + 1], 'entity.x'),
          y: int(flat[i + 2], 'entity.y'),
          vx: int(flat[i + 3], 'entity.vx'),
          vy: int(flat[i + 4], 'entity.vy'),
          aim: int(flat[i + 5], 'entity.aim'),
        });
      }
      return {
        kind: ServerKind.Snapshot,
        tick: int(v[1], 'snapshot.tick'),
        serverTime: num(v[2], 'snapshot.serverTime'),
        ackSeq: int(v[3], 'snapshot.ackSeq'),
        entities,
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
    default:
      throw malformed(`unknown server message kind ${String(v[0])}`);
  }
}
