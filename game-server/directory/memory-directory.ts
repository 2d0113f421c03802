/**
 * The one-process room directory: rooms in a map, codes drawn from a seeded random.
 * It also answers POST /api/seat, so a client that always asks for a seat works against
 * a single process too: the ticket points at this node and counts as a pending seat
 * until it is redeemed or expires.
 */
import { randomBytes } from 'node:crypto';
import { CREATE_PRIVATE_ROOM, CloseCode, ProtocolError, ROOM_CODE_ALPHABET, type CollisionMap } from '../../protocol/index.ts';
import { Room, type RoomOptions } from '../room.ts';
import type { DirectoryStatus, NodeIdentity, RoomDirectory, RoomListing, SeatGrant, SeatRequest } from './room-directory.ts';

export interface DirectoryOptions extends RoomOptions {
  maxRooms: number;
  /** How long a seat ticket is good for, ms. */
  ticketTtlMs?: number;
  /** Loop time, ms (ticket expiry). */
  now?: () => number;
  /** This node's id (/healthz, seat answers). */
  nodeId?: string;
  /** The URL clients connect to for this node; null: the one the request came in on. */
  publicUrl?: string | null;
}

export const CODE_LENGTH = 5;
export const DEFAULT_TICKET_TTL_MS = 10_000;
const SWEEP_EVERY_MS = 250;

/** A random room code of the protocol's alphabet. */
export function newRoomCode(random: () => number): string {
  let s = '';
  for (let i = 0; i < CODE_LENGTH; i++) s += ROOM_CODE_ALPHABET[Math.floor(random() * ROOM_CODE_ALPHABET.length)];
  return s;
}

/** 16 random bytes, base64url: a seat ticket. */
export const newTicket = (): string => randomBytes(16).toString('base64url');

interface PendingTicket {
  code: string;
  expiresAt: number;
}

export class MemoryRoomDirectory implements RoomDirectory {
  readonly kind = 'memory';
  readonly rooms = new Map<string, Room>();
  readonly node: NodeIdentity;
  readonly commands = 0;
  private readonly tickets = new Map<string, PendingTicket>();
  private readonly pendingByCode = new Map<string, number>();
  private readonly byRequest = new Map<string, { ticket: string; code: string; expiresAt: number }>();
  private readonly now: () => number;
  private readonly ticketTtlMs: number;
  private nextSweep = 0;

  constructor(
    private readonly map: CollisionMap,
    private readonly opts: DirectoryOptions,
  ) {
    this.now = opts.now ?? (() => performance.now());
    this.ticketTtlMs = opts.ticketTtlMs ?? DEFAULT_TICKET_TTL_MS;
    this.node = { id: opts.nodeId ?? 'local', epoch: 0 };
  }

  status(): DirectoryStatus {
    return { kind: 'memory', connected: true, rttMs: 0 };
  }

  /** Seats taken or promised: a room with pending tickets fills up before they arrive. */
  private taken(room: Room): number {
    return room.size + (this.pendingByCode.get(room.code) ?? 0);
  }

  /** The fullest public room that still has a seat, else a new one. */
  quickPlay(): Room {
    let best: Room | null = null;
    for (const r of this.rooms.values()) {
      if (!r.isPublic || r.closed || this.taken(r) >= r.capacity) continue;
      if (!best || this.taken(r) > this.taken(best)) best = r;
    }
    return best ?? this.create(true);
  }

  byCode(code: string): Room {
    const room = this.rooms.get(code);
    if (!room) throw new ProtocolError(CloseCode.RoomNotFound, `no room with code ${code}`);
    if (room.isFull) throw new ProtocolError(CloseCode.RoomFull, `room ${code} is full (${room.capacity} players)`);
    return room;
  }

  create(isPublic: boolean): Room {
    if (this.rooms.size >= this.opts.maxRooms)
      throw new ProtocolError(CloseCode.ServerFull, `server is at its limit of ${this.opts.maxRooms} rooms`);
    let code = '';
    do code = newRoomCode(this.opts.random);
    while (this.rooms.has(code));
    const room = new Room(code, isPublic, this.map, this.opts);
    this.rooms.set(code, room);
    return room;
  }

  async seat(req: SeatRequest): Promise<SeatGrant> {
    const now = this.now();
    this.sweep(now);
    const again = req.requestId !== undefined ? this.byRequest.get(req.requestId) : undefined;
    if (again && this.tickets.has(again.ticket)) return this.grant(again.ticket, again.code, req.localUrl);
    let room: Room;
    if (again) room = this.byCode(again.code);
    else if (req.room === '') room = this.quickPlay();
    else if (req.room === CREATE_PRIVATE_ROOM) room = this.create(false);
    else room = this.byCode(req.room);
    if (this.taken(room) >= room.capacity) throw new ProtocolError(CloseCode.RoomFull, `room ${room.code} is full (${room.capacity} players)`);
    const ticket = newTicket();
    this.tickets.set(ticket, { code: room.code, expiresAt: now + this.ticketTtlMs });
    this.pendingByCode.set(room.code, (this.pendingByCode.get(room.code) ?? 0) + 1);
    if (req.requestId !== undefined) this.byRequest.set(req.requestId, { ticket, code: room.code, expiresAt: now + 6 * this.ticketTtlMs });
    return this.grant(ticket, room.code, req.localUrl);
  }

  private grant(ticket: string, code: string, localUrl: string): SeatGrant {
    return { url: this.opts.publicUrl ?? localUrl, ticket, room: code, node: this.node.id, expiresInMs: this.ticketTtlMs };
  }

  async redeem(ticket: string, code: string): Promise<Room> {
    const t = this.tickets.get(ticket);
    if (!t || t.expiresAt <= this.now()) throw new ProtocolError(CloseCode.SeatTicketRefused, 'seat ticket unknown, used or expired');
    this.dropTicket(ticket, t);
    if (t.code !== code) throw new ProtocolError(CloseCode.SeatTicketRefused, `seat ticket is for room ${t.code}, not ${code}`);
    const room = this.rooms.get(code);
    if (!room || room.closed) throw new ProtocolError(CloseCode.SeatTicketRefused, `room ${code} is gone`);
    return room;
  }

  async listRooms(localUrl: string): Promise<RoomListing[]> {
    return [...this.rooms.values()]
      .filter((r) => r.isPublic)
      .map((r) => ({ code: r.code, players: r.size, capacity: r.capacity, node: this.node.id, url: this.opts.publicUrl ?? localUrl }));
  }

  remove(room: Room): void {
    // Only this very room: a failed room's code may already name a newer one.
    if (this.rooms.get(room.code) === room) this.rooms.delete(room.code);
  }

  sweep(now: number): void {
    // Called every tick: a few times a second is plenty for lifetimes of seconds.
    if (now < this.nextSweep || (this.tickets.size === 0 && this.byRequest.size === 0)) return;
    this.nextSweep = now + SWEEP_EVERY_MS;
    for (const [ticket, t] of this.tickets) {
      if (t.expiresAt > now) continue;
      this.dropTicket(ticket, t);
      // A room made for a seat nobody took goes when its last promise does.
      const room = this.rooms.get(t.code);
      if (room && room.size === 0 && !this.pendingByCode.has(t.code)) this.remove(room);
    }
    for (const [id, r] of this.byRequest) if (r.expiresAt <= now) this.byRequest.delete(id);
  }

  private dropTicket(ticket: string, t: PendingTicket): void {
    this.tickets.delete(ticket);
    const n = (this.pendingByCode.get(t.code) ?? 1) - 1;
    if (n > 0) this.pendingByCode.set(t.code, n);
    else this.pendingByCode.delete(t.code);
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}
