/**
 * The shot inspector: for one recorded shot, what its shooter saw when it fired (the
 * others where its screen drew them: the recorded stream, which is what every client
 * was sent, interpolated at the shot's view time, as the client's interpolator does)
 * beside where the server rewound them to judge it, the beam and the verdict. It makes
 * lag compensation visible: the two sets of rings agree to within the dead-reckoning
 * tolerance and the interpolation between snapshots, or the shot was refused.
 */
import { PLAYER_RADIUS, REMOTE_POS_SCALE } from '../../../protocol/index.ts';
import { ReplayCursor, type Replay, type ShotRecord } from '../../../protocol/replay/index.ts';
import { ReplayWorld } from './replay-world.ts';

/** What the inspector draws with (the scene's Phaser Graphics has these). */
export interface ShotCanvas {
  clear(): unknown;
  lineStyle(width: number, color: number, alpha?: number): unknown;
  lineBetween(x0: number, y0: number, x1: number, y1: number): unknown;
  strokeCircle(x: number, y: number, r: number): unknown;
  fillStyle(color: number, alpha?: number): unknown;
  fillCircle(x: number, y: number, r: number): unknown;
}

export interface SeenPlayer {
  id: number;
  /** px */
  x: number;
  y: number;
}

const SEEN = 0x4fa3ff;
const REWOUND = 0xff9a3c;
const BEAM = 0xffe45c;

export class ShotInspector {
  constructor(readonly replay: Replay) {}

  /** Index of the latest shot at or before `tick` (-1: none yet). */
  shotAt(tick: number): number {
    const s = this.replay.shots;
    let lo = -1;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]!.tick <= tick) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The others as the shooter's screen drew them at the shot's view time, px. */
  seen(shot: ShotRecord): SeenPlayer[] {
    const ticks = this.replay.ticks;
    // The two recorded ticks around the view time, and how far between them it lies.
    let b = ticks.findIndex((t) => t.serverTime >= shot.viewTime);
    if (b < 0) b = ticks.length - 1;
    const a = Math.max(0, ticks[b]!.serverTime > shot.viewTime ? b - 1 : b);
    const ta = ticks[a]!;
    const tb = ticks[b]!;
    const f = tb.serverTime > ta.serverTime ? Math.min(1, Math.max(0, (shot.viewTime - ta.serverTime) / (tb.serverTime - ta.serverTime))) : 0;
    const at = (tick: number): Map<number, [number, number]> => {
      const w = new ReplayWorld();
      new ReplayCursor(this.replay, w).seek(tick);
      return new Map(w.players().map((p) => [p[0], [p[1], p[2]] as [number, number]]));
    };
    const pa = at(ta.tick);
    const pb = b === a ? pa : at(tb.tick);
    const out: SeenPlayer[] = [];
    for (const [id, [xa, ya]] of pa) {
      if (id === shot.shooter) continue;
      const [xb, yb] = pb.get(id) ?? [xa, ya];
      out.push({ id, x: (xa + (xb - xa) * f) / REMOTE_POS_SCALE, y: (ya + (yb - ya) * f) / REMOTE_POS_SCALE });
    }
    return out;
  }

  draw(canvas: ShotCanvas, shot: ShotRecord, seen: readonly SeenPlayer[]): void {
    canvas.clear();
    const s = REMOTE_POS_SCALE;
    canvas.lineStyle(3, BEAM, 0.95);
    canvas.lineBetween(shot.X0 / s, shot.Y0 / s, shot.X1 / s, shot.Y1 / s);
    canvas.fillStyle(BEAM, 0.9);
    canvas.fillCircle(shot.X0 / s, shot.Y0 / s, 4);
    for (const r of shot.rewound) {
      canvas.fillStyle(REWOUND, r.id === shot.hit ? 0.55 : 0.3);
      canvas.fillCircle(r.X / s, r.Y / s, PLAYER_RADIUS);
    }
    canvas.lineStyle(2, SEEN, 1);
    for (const p of seen) canvas.strokeCircle(p.x, p.y, PLAYER_RADIUS);
  }

  /** The shot in words (names are the recorded players': show as text only). */
  describe(shot: ShotRecord): string {
    const names = this.replay.names;
    const who = (id: number): string => names.get(id) ?? `#${id}`;
    const rec = this.replay.ticks.find((t) => t.tick === shot.tick);
    const age = rec ? Math.max(0, rec.serverTime - shot.viewTime) : 0;
    const secs = ((shot.tick - this.replay.firstTick) / this.replay.header.tickRate).toFixed(1);
    const verdict = shot.refused
      ? 'refused: the view was older than the rewind limit, so it hit no one'
      : shot.hit
        ? `hit ${who(shot.hit)}`
        : 'missed';
    return (
      `${who(shot.shooter)} fired at ${secs} s, drawing the others as of ${age} ms before the server judged it; ` +
      `the server rewound ${shot.rewound.length} player${shot.rewound.length === 1 ? '' : 's'} to that moment. Verdict: ${verdict}. ` +
      'Blue rings: where the shooter\'s screen drew them. Orange: where the server rewound them. Yellow: the beam.'
    );
  }
}
