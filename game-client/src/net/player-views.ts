/**
 * The players as they should be drawn this frame, read from a session: the own one
 * predicted and smoothed, the others interpolated, each with its roster name. The
 * objects are reused from frame to frame (a bot process draws thousands of clients'
 * worth every tick).
 */
import type { LocalPlayerView, RemotePlayerView } from './client-types.ts';
import type { NetSession } from './net-session.ts';

const blank = (): RemotePlayerView => ({ id: 0, name: '', x: 0, y: 0, vx: 0, vy: 0, aim: 0 });

export class PlayerViews {
  private readonly localView: LocalPlayerView = blank();
  private readonly remoteViews: RemotePlayerView[] = [];
  private readonly remotePool: RemotePlayerView[] = [];

  /** The own player, or null before its first snapshot. `aim` as set locally, radians. */
  local(session: NetSession, name: string, aim: number): Readonly<LocalPlayerView> | null {
    const r = session.reconciler;
    const s = r.state;
    if (!s) return null;
    const v = this.localView;
    r.renderPosition(session.inputs.alpha, v);
    v.id = session.playerId;
    v.name = name;
    v.vx = s.vx;
    v.vy = s.vy;
    v.aim = aim;
    return v;
  }

  /** Every other player at render time (none without a session). */
  remote(session: NetSession | null, nameOf: (id: number) => string): readonly Readonly<RemotePlayerView>[] {
    const out = this.remoteViews;
    let n = 0;
    if (session) {
      const self = session.playerId;
      for (const e of session.interpolator.sample()) {
        if (e.id === self) continue;
        const v = this.remotePool[n] ?? (this.remotePool[n] = blank());
        v.id = e.id;
        v.name = nameOf(e.id);
        v.x = e.x;
        v.y = e.y;
        v.vx = e.vx;
        v.vy = e.vy;
        v.aim = e.aim;
        out[n++] = v;
      }
    }
    out.length = n;
    return out;
  }
}
