import { describe, it, expect } from 'vitest';
import {
  ANGLE_STEPS,
  POS_SCALE,
  VEL_SCALE,
  dequantizeAngle,
  dequantizePos,
  dequantizeVel,
  quantizeAngle,
  quantizePos,
  quantizeVel,
  snapPos,
  snapVel,
} from '../../../protocol/index.ts';
import { makeRng } from './prng.ts';

const TAU = 2 * Math.PI;
/** Distance between two angles around the circle, in [0, π]. */
const angleGap = (a: number, b: number): number => {
  const d = (((a - b) % TAU) + TAU) % TAU;
  return Math.min(d, TAU - d);
};

describe('position and velocity quantization', () => {
  it('round-trips positions within half a unit (1/16 px) and returns integers', () => {
    const rng = makeRng(1);
    for (let i = 0; i < 10_000; i++) {
      const px = (rng() - 0.25) * 8000;
      const q = quantizePos(px);
      expect(Number.isInteger(q)).toBe(true);
      expect(Math.abs(dequantizePos(q) - px)).toBeLessThanOrEqual(0.5 / POS_SCALE);
    }
  });

  it('round-trips velocities within half a unit (1/16 px/s) and returns integers', () => {
    const rng = makeRng(2);
    for (let i = 0; i < 10_000; i++) {
      const v = (rng() - 0.5) * 600;
      const q = quantizeVel(v);
      expect(Number.isInteger(q)).toBe(true);
      expect(Math.abs(dequantizeVel(q) - v)).toBeLessThanOrEqual(0.5 / VEL_SCALE);
    }
  });

  it('values already on the grid are unchanged: quantize is exact on multiples of 1/8', () => {
    for (const q of [0, 1, -1, 7, 8, 12345, -24000]) {
      expect(quantizePos(dequantizePos(q))).toBe(q);
      expect(quantizeVel(dequantizeVel(q))).toBe(q);
    }
    expect(quantizePos(100.125)).toBe(801);
    expect(quantizeVel(-240)).toBe(-1920);
  });

  it('snapPos/snapVel equal quantize-then-dequantize and are idempotent', () => {
    const rng = makeRng(3);
    for (let i = 0; i < 1000; i++) {
      const v = (rng() - 0.5) * 5000;
      expect(snapPos(v)).toBe(dequantizePos(quantizePos(v)));
      expect(snapVel(v)).toBe(dequantizeVel(quantizeVel(v)));
      expect(snapPos(snapPos(v))).toBe(snapPos(v));
      expect(Number.isInteger(snapPos(v) * POS_SCALE)).toBe(true);
    }
  });
});

describe('angle quantization', () => {
  it('maps any angle to an integer byte 0..255', () => {
    const rng = makeRng(4);
    for (let i = 0; i < 10_000; i++) {
      const q = quantizeAngle((rng() - 0.5) * 100);
      expect(Number.isInteger(q)).toBe(true);
      expect(q).toBeGreaterThanOrEqual(0);
      expect(q).toBeLessThan(ANGLE_STEPS);
    }
  });

  it('round-trips within half a step (π/256) measured around the circle', () => {
    const rng = makeRng(5);
    for (let i = 0; i < 10_000; i++) {
      const a = (rng() - 0.5) * 40;
      expect(angleGap(dequantizeAngle(quantizeAngle(a)), a)).toBeLessThanOrEqual(Math.PI / ANGLE_STEPS + 1e-12);
    }
  });

  it('wraps: 2π and every whole turn map to 0, just under 2π rounds to 0, not 256', () => {
    expect(quantizeAngle(TAU)).toBe(0);
    expect(quantizeAngle(4 * TAU)).toBe(0);
    expect(quantizeAngle(-TAU)).toBe(0);
    expect(quantizeAngle(TAU - 0.001)).toBe(0);
    expect(quantizeAngle(-1e-20)).toBe(0);
  });

  it('negative angles land on the same byte as their positive equivalent', () => {
    expect(quantizeAngle(-Math.PI / 2)).toBe(192);
    expect(quantizeAngle(-Math.PI)).toBe(128);
    for (let q = 0; q < ANGLE_STEPS; q++) {
      expect(quantizeAngle(dequantizeAngle(q) - TAU)).toBe(q);
      expect(quantizeAngle(dequantizeAngle(q) + 3 * TAU)).toBe(q);
    }
  });

  it('the cardinal directions use screen angles: 0 = +x, 64 = +y (down), 128 = -x, 192 = -y', () => {
    expect(quantizeAngle(Math.atan2(0, 1))).toBe(0);
    expect(quantizeAngle(Math.atan2(1, 0))).toBe(64);
    expect(quantizeAngle(Math.atan2(0, -1))).toBe(128);
    expect(quantizeAngle(Math.atan2(-1, 0))).toBe(192);
    expect(dequantizeAngle(64)).toBeCloseTo(Math.PI / 2, 12);
  });
});
