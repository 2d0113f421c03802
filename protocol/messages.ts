/**
 * Every message on the wire is a MessagePack array whose first element is the message
 * kind. Arrays of small integers are what standard MessagePack packs tightest (a small
 * int is one byte), so no message uses maps with named fields.
 * protocol/README.md is the byte-level description of each one.
 */
import type { CellBlock, ViewRect } from './delta.ts';

/** Client -> server kinds. */
export const ClientKind = {
  Hello: 1,
  Input: 2,
  Ping: 3,
  Viewport: 4,
} as const;

/** Server -> client kinds. */
export const ServerKind = {
  Welcome: 10,
  Snapshot: 11,
  Pong: 12,
  Roster: 13,
  PlayerJoined: 14,
  PlayerLeft: 15,
} as const;

/** Bits of Input.buttons. */
export const Button = {
  Up: 1,
  Down: 2,
  Left: 4,
  Right: 8,
} as const;
/** Every bit a client may set; any other bit makes the input malformed. */
export const BUTTON_MASK = Button.Up | Button.Down | Button.Left | Button.Right;

/** Limits on what a client may send; the validator enforces every one. */
export const Limits = {
  /** Largest frame a client may send, in bytes (the biggest legal frame is far below). */
  MAX_CLIENT_FRAME_BYTES: 512,
  /** Player names are trimmed, stripped of control characters, and at most this many characters. */
  MAX_NAME_LENGTH: 16,
  /** Room codes: 4 to 8 characters of ROOM_CODE_ALPHABET. */
  ROOM_CODE_MIN: 4,
  ROOM_CODE_MAX: 8,
  /** Input sequence numbers wrap after this; 32 bits is over four years at 30 Hz. */
  MAX_SEQ: 0xffffffff,
  /** Viewport sizes a client may report, px; the server clamps to MIN_VIEW..MAX_VIEW. */
  MAX_VIEWPORT_REPORT: 16384,
  MIN_VIEW_WIDTH: 320,
  MIN_VIEW_HEIGHT: 240,
  MAX_VIEW_WIDTH: 2560,
  MAX_VIEW_HEIGHT: 1600,
} as const;

/** Room codes avoid letters and digits people confuse (0/O, 1/I/L). */
export const ROOM_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

// ---- client -> server ----

/** [1, version, name, room]: room "" means quick play. */
export interface HelloMsg {
  kind: typeof ClientKind.Hello;
  version: number;
  name: string;
  room: string;
}

/** [2, seq, buttons, aim]: one per simulation tick, seq increasing by one each time. */
export interface InputMsg {
  kind: typeof ClientKind.Input;
  seq: number;
  buttons: number;
  /** Aim angle, one byte (see quantize.ts): 0..255 maps to 0..2π. */
  aim: number;
}

/** [3, clientTime]: the client's clock in ms, echoed back in the pong. */
export interface PingMsg {
  kind: typeof ClientKind.Ping;
  clientTime: number;
}

/**
 * [4, width, height]: the size of the area the client draws, world px. The server
 * clamps it to [MIN_VIEW, MAX_VIEW] and sends the players in and around it.
 */
export interface ViewportMsg {
  kind: typeof ClientKind.Viewport;
  width: number;
  height: number;
}

export type ClientMessage = HelloMsg | InputMsg | PingMsg | ViewportMsg;

// ---- server -> client ----

/** [10, playerId, tickRate, snapshotRate, serverTick, serverTime, mapId, roomCode] */
export interface WelcomeMsg {
  kind: typeof ServerKind.Welcome;
  playerId: number;
  tickRate: number;
  snapshotRate: number;
  serverTick: number;
  serverTime: number;
  mapId: string;
  roomCode: string;
}

/**
 * One player as the receiver resolves it from snapshots, in the units of the receiver's
 * own exact state: x, y in 1/8 px; vx, vy in 1/8 px per second; aim one byte.
 */
export interface EntityState {
  id: number;
  x: number;
  y: number;
  vx: number;
  vy: number;
  aim: number;
}

/** The receiver's own player, exact (1/8 px, 1/8 px/s): what it reconciles against. */
export interface SelfState {
  x: number;
  y: number;
  vx: number;
  vy: number;
}

/**
 * [11, tick, serverTime, ackSeq, baseTick, [x, y, vx, vy], [cx0, cy0, cx1, cy1, cols], block...]
 * ackSeq: the last input seq of the receiving client that the server applied (0 before any).
 * baseTick: the tick of the snapshot the blocks delta against (-1: none, all blocks full).
 * The self array is the receiver's own exact state; the view rectangle and the cell
 * blocks describe everyone it can see (see delta.ts and README.md).
 */
export interface SnapshotMsg {
  kind: typeof ServerKind.Snapshot;
  tick: number;
  serverTime: number;
  ackSeq: number;
  baseTick: number;
  self: SelfState;
  view: ViewRect;
  blocks: CellBlock[];
}

/** A snapshot after the receiver applied it: every visible player, resolved. */
export interface ResolvedSnapshot {
  tick: number;
  serverTime: number;
  ackSeq: number;
  entities: EntityState[];
}

/** [12, clientTime, serverTime] */
export interface PongMsg {
  kind: typeof ServerKind.Pong;
  clientTime: number;
  serverTime: number;
}

/**
 * [13, [id, name, id, name, ...]]: everyone in the room, sent once to a player who
 * joins; PlayerJoined and PlayerLeft keep it current from then on (sending the whole
 * list on every change would cost a crowded room the square of its size).
 */
export interface RosterMsg {
  kind: typeof ServerKind.Roster;
  players: { id: number; name: string }[];
}

/** [14, id, name]: someone joined the room (sent to everyone already in it). */
export interface PlayerJoinedMsg {
  kind: typeof ServerKind.PlayerJoined;
  id: number;
  name: string;
}

/** [15, id]: someone left the room. */
export interface PlayerLeftMsg {
  kind: typeof ServerKind.PlayerLeft;
  id: number;
}

export type ServerMessage = WelcomeMsg | SnapshotMsg | PongMsg | RosterMsg | PlayerJoinedMsg | PlayerLeftMsg;
