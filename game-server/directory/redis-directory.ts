/**
 * The shared room directory on Redis (key layout and atomicity in redis-scripts.ts).
 * Rooms still tick here, locally; Redis only knows which node hosts which code and how
 * full it is, and holds the seat tickets.
 *
 * The node's lease is refreshed every second (TTL five refreshes). Three ways it can end:
 * - This process stalled (SIGSTOP, swap, a long GC) past the TTL: its codes may already
 *   be another node's, so it closes its rooms' players with 4013 NodeLeaseLost (their
 *   clients rematch), voids their resume tokens and registers under a new epoch.
 * - Redis could not be reached while this process was awake: nobody can have taken its
 *   codes through a Redis it could not reach either, so its matches run on untouched;
 *   requests that need the directory get 4014 meanwhile, and when Redis answers again
 *   the node registers anew and lists its rooms again (rebuilding a restarted Redis).
 * - A short stall within the TTL: the next refresh finds the lease intact, nothing happens.
 * Nothing here runs in the tick: every Redis call is async, from timers and requests.
 */
import { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { CREATE_PRIVATE_ROOM, CloseCode, ProtocolError, type CollisionMap } from '../../protocol/index.ts';
import type { Logger } from '../logger.ts';
import { Room } from '../room.ts';
import { DEFAULT_TICKET_TTL_MS, newRoomCode, newTicket, type DirectoryOptions } from './memory-directory.ts';
import type { DirectoryStatus, NodeIdentity, RoomDirectory, RoomListing, SeatGrant, SeatRequest } from './room-directory.ts';
import { HEARTBEAT, LIST, REDEEM, REGISTER, RESERVE, SEAT } from './redis-scripts.ts';

export interface NodeLoad {
  /** Players on this node, connected or kept. */
  players: number;
  tickP99Ms: number;
  /** The tick budget, ms (1000 / tick rate). */
  budgetMs: number;
}

export interface RedisDirectoryOptions extends DirectoryOptions {
  redisUrl: string;
  nodeId: string;
  keyPrefix?: string;
  leaseTtlMs?: number;
  refreshMs?: number;
  load: () => NodeLoad;
  log: Logger;
  /** This node stalled past its lease: close every room with 4013 (the lobby does). */
  onLeaseLost: (why: string) => void;
  /** Monotonic ms for stall detection; default performance.now. */
  monotonic?: () => number;
  /** false: no timer; the owner calls refresh() (tests stall a node that way). Default true. */
  autoRefresh?: boolean;
}

const CANDIDATE_CODES = 6;

class Script {
  readonly sha: string;
  constructor(readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }
}

const scripts = {
  register: new Script(REGISTER),
  heartbeat: new Script(HEARTBEAT),
  seat: new Script(SEAT),
  redeem: new Script(REDEEM),
  reserve: new Script(RESERVE),
  list: new Script(LIST),
};

const unavailable = (what: string): ProtocolError =>
  new ProtocolError(CloseCode.DirectoryUnavailable, `room directory unavailable: ${what}`);

export class RedisRoomDirectory implements RoomDirectory {
  readonly kind = 'redis';
  readonly rooms = new Map<string, Room>();
  readonly node: NodeIdentity;
  /** Redemptions under way, by code: counted as players so a claim meanwhile sees the seat. */
  private readonly inflight = new Map<string, number>();
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly ttl: number;
  private readonly refreshMs: number;
  private readonly ticketTtl: number;
  private readonly mono: () => number;
  private url = '';
  private registered = false;
  private connected = false;
  private rttMs = 0;
  /** A refresh failed while this process was awake: Redis, not us, was away. */
  private outage = false;
  private beating = false;
  private lastFire = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Redis commands sent, for the figures (commands per join). */
  commands = 0;

  constructor(
    private readonly map: CollisionMap,
    private readonly opts: RedisDirectoryOptions,
  ) {
    this.node = { id: opts.nodeId, epoch: 0 };
    this.prefix = opts.keyPrefix ?? 'dustup:';
    this.ttl = opts.leaseTtlMs ?? 5000;
    this.refreshMs = opts.refreshMs ?? 1000;
    this.ticketTtl = opts.ticketTtlMs ?? DEFAULT_TICKET_TTL_MS;
    this.mono = opts.monotonic ?? (() => performance.now());
    this.redis = new Redis(opts.redisUrl, {
      lazyConnect: true,
      // Fail fast instead of queueing: a request that needs the directory answers 4014 now.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: Math.max(250, Math.floor(this.ttl / 4)),
      connectTimeout: 2000,
      retryStrategy: (n) => Math.min(50 * n, 500),
    });
    this.redis.on('ready', () => (this.connected = true));
    this.redis.on('close', () => (this.connected = false));
    this.redis.on('error', (err: Error) => opts.log.debug({ err: err.message }, 'redis connection error'));
  }

  status(): DirectoryStatus {
    return { kind: 'redis', connected: this.connected && this.registered && !this.outage, rttMs: this.rttMs };
  }

  async start(url: string): Promise<void> {
    this.url = url;
    this.lastFire = this.mono();
    try {
      await this.redis.connect();
      await this.register();
      await this.beat();
    } catch (err) {
      // Not fatal: the node serves what it can and registers once Redis answers.
      this.opts.log.warn({ err: (err as Error).message, redis: this.opts.redisUrl }, 'room directory unreachable at start: will keep trying');
    }
    if (this.opts.autoRefresh === false) return;
    this.timer = setInterval(() => void this.refresh(), this.refreshMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.registered && this.connected) {
      // Leave at once rather than after the TTL: no seat goes to a node that is stopping.
      const P = this.prefix;
      const id = this.node.id;
      const codes = [...this.rooms.keys()].map((c) => `${P}code:${c}`);
      await this.redis
        .multi()
        .del(`${P}node:${id}`, `${P}rooms:${id}`, `${P}open:${id}`, ...codes)
        .zrem(`${P}nodes`, id)
        .exec()
        .catch(() => {});
    }
    this.redis.disconnect();
  }

  private async run(s: Script, args: (string | number)[]): Promise<string[]> {
    this.commands++;
    try {
      return (await this.redis.evalsha(s.sha, 0, ...args)) as string[];
    } catch (err) {
      if (!(err as Error).message.includes('NOSCRIPT')) throw err;
      this.commands++;
      return (await this.redis.eval(s.lua, 0, ...args)) as string[];
    }
  }

  /** Run a script a request needs; Redis trouble becomes 4014. */
  private async need(s: Script, args: (string | number)[]): Promise<string[]> {
    if (!this.connected || !this.registered) throw unavailable(this.connected ? 'this node is not registered yet' : 'cannot reach Redis');
    try {
      return await this.run(s, args);
    } catch (err) {
      throw unavailable((err as Error).message);
    }
  }

  private loadArgs(): (string | number)[] {
    const load = this.opts.load();
    const cap = this.opts.capacity;
    return [load.players, cap * this.opts.maxRooms, cap, this.rooms.size, this.opts.maxRooms, load.tickP99Ms.toFixed(3), load.budgetMs];
  }

  private async register(): Promise<void> {
    const r = await this.run(scripts.register, [this.prefix, this.node.id, this.ttl, this.url, this.node.epoch, ...this.loadArgs()]);
    const previous = Number(r[1]);
    this.node.epoch = Number(r[0]);
    this.registered = true;
    this.outage = false;
    if (previous > 0 && previous !== this.node.epoch && !this.rooms.size)
      this.opts.log.warn({ node: this.node.id, previous }, 'node id was registered with another epoch: taken over');
    this.opts.log.info({ node: this.node.id, epoch: this.node.epoch, url: this.url }, 'registered with the room directory');
  }

  /** What the timer does every refreshMs: notice a stall, refresh the lease, re-register. */
  async refresh(): Promise<void> {
    if (this.stopped) return;
    const now = this.mono();
    const gap = now - this.lastFire;
    this.lastFire = now;
    // The timer could not fire for a whole lease: this process was stopped, not Redis.
    if (this.registered && gap >= this.ttl) this.leaseLost(`this node stalled for ${Math.round(gap)} ms, past its ${this.ttl} ms lease`);
    if (this.beating) return;
    this.beating = true;
    try {
      if (!this.registered) {
        await this.register();
      }
      await this.beat();
    } catch (err) {
      this.outage = true;
      this.opts.log.debug({ err: (err as Error).message }, 'lease refresh failed');
    } finally {
      this.beating = false;
    }
  }

  /** One lease refresh with this node's rooms. */
  private async beat(): Promise<void> {
    const args: (string | number)[] = [this.prefix, this.node.id, this.node.epoch, this.ttl, this.url, ...this.loadArgs(), this.ticketTtl + 2000];
    for (const room of this.rooms.values()) {
      const players = room.size + (this.inflight.get(room.code) ?? 0);
      args.push(room.code, room.isPublic ? '1' : '0', players, room.capacity, room.closed || players >= room.capacity ? '0' : '1');
    }
    const t0 = this.mono();
    const r = await this.run(scripts.heartbeat, args);
    this.rttMs = this.mono() - t0;
    if (r[0] === 'ok') {
      this.outage = false;
      if (r.length > 1) this.opts.log.warn({ codes: r.slice(1) }, 'room codes held by another node: these rooms stay unlisted');
      return;
    }
    if (r[0] === 'reset' || this.outage) {
      // Redis restarted empty, or we could not reach it for a while: our rooms are still
      // ours to run; list them again under a new epoch.
      this.opts.log.warn({ node: this.node.id, why: r[0] }, 'room directory lost this node: registering again with its rooms');
      await this.register();
      await this.beat();
      return;
    }
    this.leaseLost('the lease was gone when the node refreshed it');
    await this.register();
    await this.beat();
  }

  private leaseLost(why: string): void {
    this.registered = false;
    this.opts.log.warn({ node: this.node.id, epoch: this.node.epoch, rooms: this.rooms.size, why }, 'lease lost: closing this node\'s rooms with 4013');
    this.inflight.clear();
    this.opts.onLeaseLost(why);
    // Whatever the lobby did not close (it should have closed all) is not ours any more.
    this.rooms.clear();
  }

  private candidates(): string[] {
    return Array.from({ length: CANDIDATE_CODES }, () => newRoomCode(this.opts.random));
  }

  quickPlay(): Room | Promise<Room> {
    let best: Room | null = null;
    for (const r of this.rooms.values()) {
      if (!r.isPublic || r.closed || r.size + (this.inflight.get(r.code) ?? 0) >= r.capacity) continue;
      if (!best || r.size > best.size) best = r;
    }
    return best ?? this.create(true);
  }

  byCode(code: string): Room {
    const room = this.rooms.get(code);
    if (!room) throw new ProtocolError(CloseCode.RoomNotFound, `no room with code ${code} on this node`);
    if (room.isFull) throw new ProtocolError(CloseCode.RoomFull, `room ${code} is full (${room.capacity} players)`);
    return room;
  }

  async create(isPublic: boolean): Promise<Room> {
    if (this.rooms.size >= this.opts.maxRooms)
      throw new ProtocolError(CloseCode.ServerFull, `server is at its limit of ${this.opts.maxRooms} rooms`);
    const epoch = this.node.epoch;
    const r = await this.need(scripts.reserve, [this.prefix, this.node.id, epoch, this.ttl, isPublic ? '1' : '0', this.opts.capacity, ...this.candidates()]);
    if (r[0] !== 'ok') throw unavailable(r[0] === 'lost' ? 'this node lost its lease' : 'no free room code');
    if (epoch !== this.node.epoch) throw new ProtocolError(CloseCode.NodeLeaseLost, 'this node lost its lease');
    return this.host(r[1]!, isPublic);
  }

  private host(code: string, isPublic: boolean): Room {
    const existing = this.rooms.get(code);
    if (existing) return existing;
    const room = new Room(code, isPublic, this.map, this.opts);
    this.rooms.set(code, room);
    return room;
  }

  async seat(req: SeatRequest): Promise<SeatGrant> {
    const mode = req.room === '' ? 'quick' : req.room === CREATE_PRIVATE_ROOM ? 'create' : 'code';
    const reqKey = req.requestId !== undefined ? `${this.prefix}req:${req.requestId}` : '';
    for (let attempt = 0; attempt < 3; attempt++) {
      const r = await this.need(scripts.seat, [
        this.prefix, mode, mode === 'code' ? req.room : '', newTicket(), this.ticketTtl, this.ticketTtl + 2000, reqKey,
        6 * this.ticketTtl, this.ttl, ...this.candidates(),
      ]);
      switch (r[0]) {
        case 'ok':
          return { url: r[1]!, ticket: r[2]!, room: r[3]!, node: r[4]!, expiresInMs: this.ticketTtl };
        case 'notfound':
          throw new ProtocolError(CloseCode.RoomNotFound, `no room with code ${req.room}`);
        case 'full':
          throw new ProtocolError(CloseCode.RoomFull, `room ${req.room} is full`);
        case 'nonode':
          throw new ProtocolError(CloseCode.ServerFull, 'no node has room for another room');
        case 'codes':
          continue;
        default:
          throw new Error(`unexpected seat answer ${String(r[0])}`);
      }
    }
    throw unavailable('no free room code after three tries');
  }

  async redeem(ticket: string, code: string): Promise<Room> {
    const epoch = this.node.epoch;
    this.inflight.set(code, (this.inflight.get(code) ?? 0) + 1);
    let r: string[];
    try {
      r = await this.need(scripts.redeem, [this.prefix, this.node.id, epoch, code, ticket]);
    } finally {
      const n = (this.inflight.get(code) ?? 1) - 1;
      if (n > 0) this.inflight.set(code, n);
      else this.inflight.delete(code);
    }
    if (r[0] === 'lost' || epoch !== this.node.epoch) throw new ProtocolError(CloseCode.NodeLeaseLost, 'this node lost its lease');
    if (r[0] !== 'ok') throw new ProtocolError(CloseCode.SeatTicketRefused, `seat ticket refused (${r[0]})`);
    const room = this.host(code, r[1] === '1');
    if (room.closed) throw new ProtocolError(CloseCode.SeatTicketRefused, `room ${code} is closed`);
    return room;
  }

  async listRooms(): Promise<RoomListing[]> {
    const flat = await this.need(scripts.list, [this.prefix]);
    const out: RoomListing[] = [];
    for (let i = 0; i + 3 < flat.length; i += 4) {
      const f = flat[i + 3]!.split('|');
      if (f[1] !== '1') continue;
      out.push({ code: flat[i + 2]!, players: Number(f[2]), capacity: Number(f[3]), node: flat[i]!, url: flat[i + 1]! });
    }
    return out;
  }

  remove(room: Room): void {
    if (this.rooms.get(room.code) === room) this.rooms.delete(room.code);
  }

  sweep(): void {}
}
