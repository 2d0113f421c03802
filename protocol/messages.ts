/**
 * Every message on the wire is a MessagePack array whose first element is the message
 * kind. Arrays of small integers are what standard MessagePack packs tightest (a small
 * int is one byte), so no message uses maps with named fields.
 * protocol/README.md is the byte-level description of each one.
 */
import type { CellBlock, ViewRect } from './delta.ts';
import type { EntityState } from './entity.ts';

export type { EntityState } from './entity.ts';

/** Client -> server kinds. */
export const ClientKind = {
  Hello: 1,
  Input: 2,
  Ping: 3,
  Viewport: 4,
  Chat: 5,
  /** A spectator's first message instead of Hello (protocol version 6). */
  Watch: 6,
  /** A private room's creator lets spectators in (or not) (protocol version 6). */
  AllowWatching: 7,
} as const;

/** Server -> client kinds. */
export const ServerKind = {
  Welcome: 10,
  Snapshot: 11,
  Pong: 12,
  Roster: 13,
  PlayerJoined: 14,
  PlayerLeft: 15,
  Events: 16,
  MatchState: 17,
  InputTiming: 18,
  RoundState: 19,
} as const;

/** Bits of Input.buttons. */
export const Button = {
  Up: 1,
  Down: 2,
  Left: 4,
  Right: 8,
  /** Fire the blaster (when its cooldown allows); the input then carries viewTime. */
  Fire: 16,
  /** Dash (when its cooldown allows): a short burst in the move direction, in the sim. */
  Dash: 32,
} as const;
/** Every bit a client may set; any other bit makes the input malformed. */
export const BUTTON_MASK = Button.Up | Button.Down | Button.Left | Button.Right | Button.Fire | Button.Dash;

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
  /** Round lengths a Hello may ask for, s (protocol 6); shorter ones are raised to the minimum. */
  MAX_ROUND_SECONDS: 3600,
  MIN_ROUND_SECONDS: 10,
  /** Rooms of at most this many players get everyone's position in a MatchState (protocol 6)... */
  RADAR_MAX_PLAYERS: 8,
  /** ...resent this often, ms. */
  RADAR_EVERY_MS: 500,
  MIN_VIEW_WIDTH: 320,
  MIN_VIEW_HEIGHT: 240,
  MAX_VIEW_WIDTH: 2560,
  MAX_VIEW_HEIGHT: 1600,
  /** Resume tokens: base64url, this many characters at most (the server issues 22). */
  RESUME_TOKEN_MAX: 64,
  /** Longest seat ticket (Hello.ticket), characters. */
  SEAT_TICKET_MAX: 64,
  /** Chat text as shown: at most this many code points after sanitizeChat. */
  MAX_CHAT_LENGTH: 120,
  /** Chat text as sent: at most this many UTF-16 code units (longer: Malformed). */
  MAX_RAW_CHAT: 240,
  /** Input.viewTime: ms on the server's clock, an unsigned 32-bit integer. */
  MAX_VIEW_TIME: 0xffffffff,
  /** Hello.maxBytesPerSecond: most a client may ask for (100 MB/s, beyond any link). */
  MAX_BYTES_PER_SECOND: 100_000_000,
  /** Least snapshot budget a client gets, bytes/s, whatever it asks: headers and its own cell. */
  MIN_BYTES_PER_SECOND: 4096,
} as const;

/**
 * Hello.room value asking for a new private room (listed nowhere; joined by its code).
 * Lower case, so it can never be a room code nor what a client makes of typed text.
 */
export const CREATE_PRIVATE_ROOM = 'new';

/** Room codes avoid letters and digits people confuse (0/O, 1/I/L). */
export const ROOM_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

// ---- client -> server ----

/**
 * [1, version, name, room] or [1, version, name, room, resumeToken]: room "" means quick
 * play. With a resume token (from an earlier Welcome) the server gives back the player it
 * kept after a dropped connection instead of a new one; name and room are then ignored.
 */
export interface HelloMsg {
  kind: typeof ClientKind.Hello;
  version: number;
  name: string;
  room: string;
  /** Protocol 6: with room CREATE_PRIVATE_ROOM, the new room's round length, s (0: none). */
  roundSeconds?: number;
  resumeToken?: string;
  /** A seat ticket from POST /api/seat (cluster matchmaking): redeemed once, on the node it names. */
  ticket?: string;
  /** Snapshot bytes per second this client wants at most (the server also caps it). */
  maxBytesPerSecond?: number;
}

/**
 * [2, seq, buttons, aim] or, with Fire held, [2, seq, buttons, aim, viewTime]: one per
 * simulation tick, seq increasing by one each time.
 */
export interface InputMsg {
  kind: typeof ClientKind.Input;
  seq: number;
  buttons: number;
  /** Aim angle, one byte (see quantize.ts): 0..255 maps to 0..2π. */
  aim: number;
  /**
   * Present exactly when buttons has Fire: the server time (ms, Snapshot.serverTime's
   * timeline, rounded) at which the shooter was drawing the other players when it
   * sampled this input. The server rewinds them to it (capped) to judge the shot.
   */
  viewTime?: number;
  /**
   * The tick of the latest snapshot received: the server paces snapshots by it, so a
   * link that queues them up is slowed before its buffers fill (nil viewTime before it
   * when Fire is not held).
   */
  ackTick?: number;
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

/** [5, text]: a chat line for everyone in the room (sanitized and rate-limited there). */
export interface ChatMsg {
  kind: typeof ClientKind.Chat;
  text: string;
}

/**
 * [6, version, room]: watch a public room as a spectator instead of playing (protocol
 * version 6). The answer is a Welcome with playerId 0, then the whole room's stream (every
 * cell, every event) a few seconds late, starting from a keyframe. A spectator takes no
 * seat; it may only Ping: any Input or Chat closes it with 4015 SpectatorInput.
 */
export interface WatchMsg {
  kind: typeof ClientKind.Watch;
  version: number;
  room: string;
}

/**
 * [7, allow]: sent by a private room's creator (its longest-present player): 1 lets
 * anyone with the code watch it (Watch), 0 stops new spectators. Public rooms can always
 * be watched. From anyone else: 4002.
 */
export interface AllowWatchingMsg {
  kind: typeof ClientKind.AllowWatching;
  /** 1: allow, 0: no new spectators. */
  allow: number;
}

export type ClientMessage = HelloMsg | InputMsg | PingMsg | ViewportMsg | ChatMsg | WatchMsg | AllowWatchingMsg;

// ---- server -> client ----

/**
 * [10, playerId, tickRate, snapshotRate, serverTick, serverTime, mapId, roomCode, resumeToken, resumed, privateRoom]
 * resumeToken: present it in a later Hello to get this player back after a dropped
 * connection; resumed: 1 when this Welcome gives back a kept player, else 0;
 * privateRoom: 1 when the room is private (where to go after a restart, README §13).
 */
export interface WelcomeMsg {
  kind: typeof ServerKind.Welcome;
  playerId: number;
  tickRate: number;
  snapshotRate: number;
  serverTick: number;
  serverTime: number;
  mapId: string;
  roomCode: string;
  /** Absent only from servers that do not keep players (older than resume). */
  resumeToken?: string;
  resumed?: boolean;
  /**
   * The room is private (created with CREATE_PRIVATE_ROOM). Absent: written as 0, read
   * as not private; it travels whenever resumeToken does (protocol version 4).
   */
  privateRoom?: boolean;
  /**
   * The server's lag-compensation limit, ms (protocol version 5): a shot whose view is
   * older is refused, so a client keeps what it draws younger than this.
   */
  maxRewindMs?: number;
}

/**
 * The receiver's own player, exact (1/8 px, 1/8 px/s): what it reconciles against.
 * dash / dashCooldown (sim ticks, see sim/step.ts) travel only when either is non-zero;
 * absent means 0.
 */
export interface SelfState {
  x: number;
  y: number;
  vx: number;
  vy: number;
  dash?: number;
  dashCooldown?: number;
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

/** Types of the events in an Events message (element 0 of each event array). */
export const EventType = {
  /** [1, shooter, x0, y0, x1, y1]: a blaster beam from (x0, y0) to where it stopped, px. */
  Shot: 1,
  /** [2, victim, attacker, damage, health]: health is the victim's after the hit. */
  Hit: 2,
  /** [3, victim, killer, killerScore]: the victim respawns RESPAWN_DELAY_MS later. */
  Kill: 3,
  /** [4, player, x, y, health, protectMs]: alive again at (x, y) px, protected for protectMs. */
  Respawn: 4,
  /** [5, player, pickup, health]: pickup (index in the map's pickups layer) taken. */
  Pickup: 5,
  /** [6, pickup]: the pickup is back. */
  PickupReady: 6,
  /** [7, player, text]: a chat line (sanitized by the server). */
  Chat: 7,
  /** [8, notice, text]: to you only, e.g. your chat line was dropped (Notice). */
  Notice: 8,
} as const;

/** Notice codes (EventType.Notice). */
export const Notice = {
  /** A chat line was dropped: more than the chat rate allows. */
  ChatRateLimited: 1,
} as const;

export interface ShotEvent {
  type: typeof EventType.Shot;
  shooter: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Protocol 6: the shooter's Input seq that fired it. */
  seq?: number;
  /** Protocol 6: whom the rewound trace hit (-1: no one). */
  target?: number;
  /** Protocol 6: 1 when refused as beyond the rewind limit, else 0. */
  refused?: number;
}
export interface HitEvent {
  type: typeof EventType.Hit;
  victim: number;
  attacker: number;
  damage: number;
  health: number;
}
export interface KillEvent {
  type: typeof EventType.Kill;
  victim: number;
  killer: number;
  killerScore: number;
}
export interface RespawnEvent {
  type: typeof EventType.Respawn;
  player: number;
  x: number;
  y: number;
  health: number;
  protectMs: number;
}
export interface PickupEvent {
  type: typeof EventType.Pickup;
  player: number;
  pickup: number;
  health: number;
}
export interface PickupReadyEvent {
  type: typeof EventType.PickupReady;
  pickup: number;
}
export interface ChatEvent {
  type: typeof EventType.Chat;
  player: number;
  text: string;
}
export interface NoticeEvent {
  type: typeof EventType.Notice;
  notice: number;
  text: string;
}
export type GameEvent =
  | ShotEvent
  | HitEvent
  | KillEvent
  | RespawnEvent
  | PickupEvent
  | PickupReadyEvent
  | ChatEvent
  | NoticeEvent;

/**
 * [16, tick, event, event, ...]: what happened in one tick, in order, each event an array
 * (see EventType). Sent before that tick's snapshot, over the same ordered socket, so
 * it is reliable and ordered. Shots and hits go to those who can see them (and to the
 * players involved); everything else to the whole room.
 */
export interface EventsMsg {
  kind: typeof ServerKind.Events;
  tick: number;
  events: GameEvent[];
}

/** One player's standing in a MatchState. health 0: dead, waiting to respawn. */
export interface PlayerStanding {
  id: number;
  score: number;
  health: number;
}

/**
 * [17, [id, score, health, ...], [pickup, ...]]: sent once after the Roster to a player
 * who joins: everyone's score and health, and the pickups currently taken. Events keep
 * it current from then on.
 */
export interface MatchStateMsg {
  kind: typeof ServerKind.MatchState;
  players: PlayerStanding[];
  pickupsTaken: number[];
  /** Protocol 6, small rooms: flat x, y px pairs parallel to players (resent every RADAR_EVERY_MS). */
  positions?: number[];
}

/** A player's score at the end of a round. */
export interface RoundStanding {
  id: number;
  score: number;
}

/**
 * [19, round, phase, endsAt, lengthMs, [id, score, ...]] (protocol 6): a private room's
 * round. Sent to everyone when a phase starts, and to a player who joins or resumes
 * (after its MatchState), so a reconnect lands in the right phase with the right clock.
 */
export interface RoundStateMsg {
  kind: typeof ServerKind.RoundState;
  round: number;
  /** RoundPhase. */
  phase: number;
  /** Server time, ms, at which this phase ends. */
  endsAt: number;
  lengthMs: number;
  standings: RoundStanding[];
}

export const RoundPhase = { Playing: 0, Over: 1 } as const;

/**
 * [18, adjust, targetMs]: how this client should time its inputs (protocol version 5).
 * The server applies each input on the first tick after it arrives; it measures how
 * long they wait and how much their arrival jitters, and asks the client to produce
 * inputs slightly slower (adjust > 0: they wait longer than the jitter needs) or faster
 * (adjust < 0: they come too late) until the next InputTiming. Sent rarely: when the
 * adjust changes, at most every few ticks.
 */
export interface InputTimingMsg {
  kind: typeof ServerKind.InputTiming;
  /** Per mille: make the interval between inputs (1000 / tickRate ms) this much longer, -50..50. */
  adjust: number;
  /** The wait the server aims each input at (its jitter margin), ms: for display. */
  targetMs: number;
}

export type ServerMessage =
  | InputTimingMsg
  | WelcomeMsg
  | SnapshotMsg
  | PongMsg
  | RosterMsg
  | PlayerJoinedMsg
  | PlayerLeftMsg
  | EventsMsg
  | MatchStateMsg
  | RoundStateMsg;
