/**
 * What a game scene needs to watch a replay with a GameClient: a WebSocket constructor
 * and a clock to give the client, available at once, and the driver once the replay
 * has loaded. A replay that cannot be loaded closes the client's socket with the
 * reason, so the scene reports it the way it reports a refused join.
 */
import { CloseCode } from '../../../protocol/index.ts';
import type { Replay } from '../../../protocol/replay/index.ts';
import type { WebSocketCtor } from '../net/connection.ts';
import { ReplayDriver, ReplaySocket } from './replay-driver.ts';

export interface ReplayStart {
  id: string;
  /** Tick to start at (default: the first). */
  at?: number;
  speed?: number;
  playing?: boolean;
  /** Player id the camera follows; absent or 0: free camera. */
  follow?: number;
  /** Open the shot inspector on the latest shot at the start tick (paused). */
  inspect?: boolean;
}

export class ReplaySession {
  driver: ReplayDriver | null = null;
  readonly ready: Promise<ReplayDriver>;
  readonly now = (): number => this.driver?.now() ?? 0;
  readonly WebSocket: WebSocketCtor;
  private socket: ReplaySocket | null = null;
  private failure: string | null = null;

  constructor(
    readonly start: ReplayStart,
    load: (id: string) => Promise<Replay>,
  ) {
    const session = this;
    this.WebSocket = class {
      constructor(_url: string) {
        const s = new ReplaySocket();
        session.socket = s;
        if (session.driver) session.driver.attach(s);
        else if (session.failure !== null) s.fail(CloseCode.Normal, session.failure);
        return s;
      }
    } as unknown as WebSocketCtor;
    this.ready = load(start.id).then(
      (replay) => {
        const d = new ReplayDriver(replay, start.at ?? replay.firstTick, {
          ...(start.speed !== undefined ? { speed: start.speed } : {}),
          ...(start.playing !== undefined ? { playing: start.playing } : {}),
        });
        this.driver = d;
        if (this.socket) d.attach(this.socket);
        return d;
      },
      (err: unknown) => {
        this.failure = `could not open the replay: ${(err as Error)?.message ?? String(err)}`;
        this.socket?.fail(CloseCode.Normal, this.failure);
        throw err;
      },
    );
    // The scene learns of a failure through the client's close; nothing else awaits this.
    this.ready.catch(() => {});
  }
}
