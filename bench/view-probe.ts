/**
 * What one client really sees, in process: decodes every snapshot sent on a memory
 * transport as a client would, and after each one measures how far each visible player
 * is from where the server has it at that tick (px). Sorted by distance from the
 * client's own player, so the nearest ten can be told from the rest: with a bandwidth
 * budget the far cells are dead-reckoned longer, and the near ones must not be.
 *
 * This is the decoded view at the snapshot's own tick, before any interpolation (the
 * bots' ghost error adds the interpolation and the network); it isolates what the
 * budget changes.
 */
import { ServerKind, SnapshotDecoder, decodeServerMessage, REMOTE_POS_SCALE, type EntityState } from '../protocol/index.ts';
import type { MemoryTransport } from '../game-server/net/memory-transport.ts';

export interface Truth {
  /** The player's true position, px; undefined when it is not in the room (or dead). */
  at(id: number): { x: number; y: number } | undefined;
}

export class ViewProbe {
  private readonly decoder = new SnapshotDecoder(1 / REMOTE_POS_SCALE, 1);
  private readonly seen: EntityState[] = [];
  /** Errors of the nearest ten visible players, and of every visible player, px. */
  readonly nearest: number[] = [];
  readonly all: number[] = [];
  snapshots = 0;

  constructor(
    private readonly transport: MemoryTransport,
    private readonly selfId: number,
  ) {}

  /** Apply what arrived since the last call and measure against the truth now. */
  drain(truth: Truth): void {
    const frames = this.transport.frames;
    let got = false;
    for (const f of frames) {
      const m = decodeServerMessage(f);
      if (m.kind !== ServerKind.Snapshot) continue;
      this.decoder.apply(m.tick, m.baseTick, m.view, m.blocks);
      this.snapshots++;
      got = true;
    }
    frames.length = 0;
    this.transport.writeOf.length = 0;
    if (!got) return;
    const me = truth.at(this.selfId);
    if (!me) return;
    const seen = this.decoder.entities(this.seen);
    const rows: [number, number][] = [];
    for (const e of seen) {
      if (e.id === this.selfId) continue;
      const t = truth.at(e.id);
      if (!t) continue;
      rows.push([Math.hypot(t.x - me.x, t.y - me.y), Math.hypot(e.x - t.x, e.y - t.y)]);
    }
    rows.sort((a, b) => a[0] - b[0]);
    for (let i = 0; i < rows.length; i++) {
      if (i < 10) this.nearest.push(rows[i]![1]);
      this.all.push(rows[i]![1]);
    }
  }
}

/** p-th quantile of `xs` (sorted in place), 0 when empty. */
export function quantile(xs: number[], p: number): number {
  if (xs.length === 0) return 0;
  xs.sort((a, b) => a - b);
  return xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
}
