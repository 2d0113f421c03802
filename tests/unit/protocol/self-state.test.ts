import { describe, it, expect } from 'vitest';
import {
  Button,
  POS_SCALE,
  VEL_SCALE,
  decodeServerMessage,
  encodeSnapshot,
  readSelfState,
  stepPlayer,
  writeSelfState,
  type CollisionMap,
  type PlayerState,
  type SelfState,
  type SnapshotMsg,
} from '../../../protocol/index.ts';
import { makeRng, randInt } from './prng.ts';

const open = (w: number, h: number): CollisionMap => ({
  id: 't',
  width: w,
  height: h,
  tileSize: 32,
  solid: new Uint8Array(w * h),
  spawns: [{ x: 100, y: 100 }],
});

describe('writeSelfState / readSelfState', () => {
  it('writes 1/8 px and 1/8 px/s integers and the dash counters, 0 when absent', () => {
    const out: SelfState = { x: 0, y: 0, vx: 0, vy: 0 };
    expect(writeSelfState({ x: 1360.5, y: 1328, vx: 165, vy: -165 }, out)).toBe(out);
    expect(out).toEqual({ x: 10884, y: 10624, vx: 1320, vy: -1320, dash: 0, dashCooldown: 0 });
    writeSelfState({ x: 0.125, y: 2, vx: 0.125, vy: 0, dash: 3, dashCooldown: 40 }, out);
    expect(out).toEqual({ x: 1, y: 16, vx: 1, vy: 0, dash: 3, dashCooldown: 40 });
  });

  it('a fresh read leaves zero dash counters out, as the sim does', () => {
    expect(readSelfState({ x: 8, y: 16, vx: -4, vy: 12 })).toEqual({ x: 1, y: 2, vx: -0.5, vy: 1.5 });
    expect(readSelfState({ x: 8, y: 16, vx: 0, vy: 0, dash: 0, dashCooldown: 0 })).toEqual({ x: 1, y: 2, vx: 0, vy: 0 });
    expect(readSelfState({ x: 8, y: 16, vx: 0, vy: 0, dash: 2, dashCooldown: 44 })).toEqual({ x: 1, y: 2, vx: 0, vy: 0, dash: 2, dashCooldown: 44 });
  });

  it('a reused state has stale dash counters cleared to 0 when the snapshot has none', () => {
    const s: PlayerState = { x: 0, y: 0, vx: 0, vy: 0, dash: 4, dashCooldown: 30 };
    expect(readSelfState({ x: 80, y: 80, vx: 0, vy: 0 }, s)).toBe(s);
    expect(s).toEqual({ x: 10, y: 10, vx: 0, vy: 0, dash: 0, dashCooldown: 0 });
    const again = stepPlayer(s, 0, 1 / 30, open(20, 20));
    expect(again).toEqual(stepPlayer({ x: 10, y: 10, vx: 0, vy: 0 }, 0, 1 / 30, open(20, 20)));
  });

  it('server state -> snapshot frame -> client state is exact over 3,000 random sim steps (seeded)', () => {
    const rng = makeRng(0x5e1f);
    const map = open(40, 40);
    let s: PlayerState = { x: 640, y: 640, vx: 0, vy: 0 };
    const wire: SelfState = { x: 0, y: 0, vx: 0, vy: 0 };
    const back: PlayerState = { x: 0, y: 0, vx: 0, vy: 0 };
    const view = { cx0: 0, cy0: 0, cx1: 0, cy1: 0, cols: 1 };
    for (let i = 0; i < 3000; i++) {
      s = stepPlayer(s, randInt(rng, 0, Button.Up | Button.Down | Button.Left | Button.Right | Button.Dash), 1 / 30, map);
      writeSelfState(s, wire);
      expect(Number.isInteger(wire.x) && Number.isInteger(wire.vx)).toBe(true);
      const msg = decodeServerMessage(encodeSnapshot(i, i, i, -1, wire, view, [])) as SnapshotMsg;
      readSelfState(msg.self, back);
      expect([back.x, back.y, back.vx, back.vy]).toEqual([s.x, s.y, s.vx, s.vy]);
      expect(back.dash ?? 0).toBe(s.dash ?? 0);
      expect(back.dashCooldown ?? 0).toBe(s.dashCooldown ?? 0);
      expect(wire.x / POS_SCALE).toBe(s.x);
      expect(wire.vy / VEL_SCALE).toBe(s.vy);
    }
  });
});
