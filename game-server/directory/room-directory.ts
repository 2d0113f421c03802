/**
 * Where rooms live, as the lobby sees it. The in-memory directory (memory-directory.ts)
 * serves one process; the Redis directory (redis-directory.ts) lets several nodes share
 * one room list. A room's tick is always local: the directory only says which node hosts
 * which code, and hands out seat tickets that the hosting node redeems.
 *
 * The calls a Hello without a ticket makes (quickPlay, byCode, create) answer at once
 * when they can (a Room) and only go to the shared directory when they must (a Promise):
 * the single-process server stays synchronous, exactly as before.
 */
import type { Room } from '../room.ts';

/** What a node says about itself: /healthz and the cluster's placement read it. */
export interface DirectoryStatus {
  kind: 'memory' | 'redis';
  /** Whether the shared directory answers (always true in memory). */
  connected: boolean;
  /** The last lease refresh's round trip, ms (0 in memory). */
  rttMs: number;
}

export interface NodeIdentity {
  id: string;
  /** The fencing number of this node's current lease (0 in memory). */
  epoch: number;
}

/** POST /api/seat, validated. */
export interface SeatRequest {
  /** "" quick play, CREATE_PRIVATE_ROOM, or a room code. */
  room: string;
  /** A client's id for this request: a retry with the same id gets the same seat. */
  requestId?: string;
  /** This node's own WebSocket URL as the request reached it (when no --public-url is set). */
  localUrl: string;
}

/** The answer to a seat request: where to connect, and the ticket to say Hello with. */
export interface SeatGrant {
  url: string;
  ticket: string;
  room: string;
  node: string;
  expiresInMs: number;
}

/** A public room anywhere in the cluster, for /api/rooms. */
export interface RoomListing {
  code: string;
  players: number;
  capacity: number;
  node: string;
  url: string;
}

export interface RoomDirectory {
  readonly kind: 'memory' | 'redis';
  /** The rooms this process hosts, by code (a room's tick is always local). */
  readonly rooms: ReadonlyMap<string, Room>;
  readonly node: NodeIdentity;
  /** Directory commands sent so far (Redis round trips; 0 in memory), for the figures. */
  readonly commands: number;
  status(): DirectoryStatus;
  /** Quick play: a local public room with a free seat, else a new one. */
  quickPlay(): Room | Promise<Room>;
  /** A local room by code; throws ProtocolError (RoomNotFound, RoomFull) if it cannot be joined. */
  byCode(code: string): Room;
  /** A new local room; throws ProtocolError(ServerFull) over the room limit. */
  create(isPublic: boolean): Room | Promise<Room>;
  /**
   * Hello with a ticket: the room it was issued for, hosted here (created now if it was
   * only reserved). Throws ProtocolError: SeatTicketRefused, DirectoryUnavailable, ...
   */
  redeem(ticket: string, code: string): Promise<Room>;
  /** A seat anywhere in the cluster (POST /api/seat). Throws ProtocolError. */
  seat(req: SeatRequest): Promise<SeatGrant>;
  /** Every node's public rooms. Throws ProtocolError(DirectoryUnavailable). */
  listRooms(localUrl: string): Promise<RoomListing[]>;
  /** The room is gone (emptied, or failed): no longer listed, its code free again. */
  remove(room: Room): void;
  /** Loop time, ms: drop seats and reservations whose tickets expired. Cheap when there are none. */
  sweep(now: number): void;
  /** Join the directory (register a lease) as reachable at this WebSocket URL; memory: nothing to do. */
  start(url: string): Promise<void>;
  /** Leave it: stop refreshing, drop the lease. */
  stop(): Promise<void>;
}
