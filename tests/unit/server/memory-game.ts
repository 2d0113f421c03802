/**
 * A Game driven by hand for unit tests: no uWS, no timer. Clients connect through the
 * shared memory transport; time and ticks advance only when the test says so.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ClientKind,
  PROTOCOL_VERSION,
  ServerKind,
  encodeClientMessage,
  parseTiledMap,
  type ClientMessage,
  type CollisionMap,
  type ServerMessage,
  type TimerClock,
  type WelcomeMsg,
} from '../../../protocol/index.ts';
import { defaultConfig, type ServerConfig } from '../../../game-server/config.ts';
import { Game } from '../../../game-server/game.ts';
import type { PlayerSession } from '../../../game-server/lobby.ts';
import { silentLogger } from '../../../game-server/logger.ts';
import { MemoryConnection } from '../../../game-server/net/memory-transport.ts';

export function loadMap(id: string): CollisionMap {
  return parseTiledMap(id, JSON.parse(readFileSync(join(import.meta.dirname, '../../../assets/maps', `${id}.json`), 'utf8')));
}

/** A test's client: the memory connection plus ways to speak and to read what came back. */
export class MemoryClient {
  constructor(readonly conn: MemoryConnection<PlayerSession>) {}

  get session(): PlayerSession {
    return this.conn.connection;
  }

  send(msg: ClientMessage): void {
    this.conn.send(encodeClientMessage(msg));
  }

  hello(name: string, room = '', resumeToken?: string): void {
    this.send({ kind: ClientKind.Hello, version: PROTOCOL_VERSION, name, room, ...(resumeToken ? { resumeToken } : {}) });
  }

  messages(): ServerMessage[] {
    return this.conn.messages();
  }

  kinds(): number[] {
    return this.messages().map((m) => m.kind);
  }

  of<K extends ServerMessage['kind']>(kind: K): Extract<ServerMessage, { kind: K }>[] {
    return this.messages().filter((m): m is Extract<ServerMessage, { kind: K }> => m.kind === kind);
  }

  welcome(): WelcomeMsg {
    const w = this.of(ServerKind.Welcome).at(-1);
    if (!w) throw new Error(`no welcome; got ${JSON.stringify(this.kinds())}`);
    return w;
  }

  get closed(): { code: number; reason: string } | null {
    return this.conn.closed;
  }
}

export interface MemoryGame {
  game: Game;
  connect(addr?: string): MemoryClient;
  /** Run `n` ticks, moving the clock along by one tick interval each. */
  tick(n?: number): void;
  /** Move the clock without ticking, ms. */
  advance(ms: number): void;
  readonly tickCount: number;
}

export function memoryGame(overrides: Partial<ServerConfig> = {}, mapId = 'duel'): MemoryGame {
  const config: ServerConfig = { ...defaultConfig(), logger: silentLogger(), processMetrics: false, ...overrides };
  let now = 0;
  const clock: TimerClock = { now: () => now, setTimer: () => null, clearTimer: () => {} };
  const game = new Game(config, loadMap(mapId), clock);
  let tick = 0;
  const interval = 1000 / config.tickRate;
  return {
    game,
    connect: (addr = 'memory') => new MemoryClient(new MemoryConnection(game.hub, addr)),
    tick(n = 1) {
      for (let i = 0; i < n; i++) {
        now = Math.max(now, tick * interval);
        game.tick({ tick, time: now, lateness: 0 });
        tick++;
      }
    },
    advance(ms) {
      now += ms;
    },
    get tickCount() {
      return tick;
    },
  };
}
