/**
 * Health pickups at the map's markers: each is there or gone until a time. A pickup's id
 * on the wire is its index in the map's pickups layer.
 */
import { PICKUP_REACH, PICKUP_RESPAWN_MS, type SpawnPoint } from '../../protocol/index.ts';

export class PickupField {
  /** Loop time (ms) each pickup comes back at; 0 while it is there. */
  private readonly backAt: number[];

  constructor(readonly points: readonly SpawnPoint[]) {
    this.backAt = points.map(() => 0);
  }

  /** The index of an available pickup within reach of (x, y), or -1. */
  within(x: number, y: number): number {
    const r2 = PICKUP_REACH * PICKUP_REACH;
    for (let i = 0; i < this.points.length; i++) {
      if (this.backAt[i] !== 0) continue;
      const p = this.points[i]!;
      const dx = p.x - x;
      const dy = p.y - y;
      if (dx * dx + dy * dy <= r2) return i;
    }
    return -1;
  }

  take(i: number, now: number): void {
    this.backAt[i] = now + PICKUP_RESPAWN_MS;
  }

  /** Bring back every pickup whose time has come; calls ready(i) for each. */
  update(now: number, ready: (i: number) => void): void {
    for (let i = 0; i < this.backAt.length; i++) {
      const t = this.backAt[i]!;
      if (t !== 0 && now >= t) {
        this.backAt[i] = 0;
        ready(i);
      }
    }
  }

  /** Indices of the pickups currently gone. */
  taken(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.backAt.length; i++) if (this.backAt[i] !== 0) out.push(i);
    return out;
  }
}
