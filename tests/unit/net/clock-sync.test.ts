import { describe, it, expect } from 'vitest';
import { ClockSync } from '../../../game-client/src/net/clock-sync.ts';
import { rng } from './helpers.ts';

/** A ping sent at local `t`, with the given uplink/downlink delays; server clock = local + trueOffset. */
function exchange(sync: ClockSync, t: number, up: number, down: number, trueOffset: number): void {
  const serverTime = t + up + trueOffset;
  sync.addSample(t, serverTime, t + up + down);
}

describe('ClockSync', () => {
  it('takes the offset from the lowest-RTT samples, not the average', () => {
    const sync = new ClockSync({ maxSamples: 16 });
    const trueOffset = 123_456;
    const random = rng(9);
    const offsetsSeen: number[] = [];
    for (let i = 0; i < 16; i++) {
      const t = 1000 + i * 1000;
      if (i % 4 === 0) {
        // A clean exchange: 20 ms each way.
        exchange(sync, t, 20, 20, trueOffset);
      } else {
        // Queueing on the way back only: long, asymmetric round trips.
        exchange(sync, t, 20, 20 + 40 + random() * 200, trueOffset);
      }
      offsetsSeen.push(sync.offset);
    }
    expect(sync.offset).toBeCloseTo(trueOffset, 6);
    // A plain mean of every sample's offset would be tens of ms off.
    const naive: number[] = [];
    const r2 = rng(9);
    for (let i = 0; i < 16; i++) {
      const down = i % 4 === 0 ? 20 : 20 + 40 + r2() * 200;
      naive.push(20 + trueOffset + (20 + down) / 2 - (20 + down));
    }
    const mean = naive.reduce((a, b) => a + b, 0) / naive.length;
    expect(Math.abs(mean - trueOffset)).toBeGreaterThan(20);
    expect(sync.serverNow(50_000)).toBeCloseTo(50_000 + trueOffset, 6);
  });

  it('reports the latest RTT and a smoothed one', () => {
    const sync = new ClockSync();
    exchange(sync, 0, 50, 50, 0);
    expect(sync.rtt).toBe(100);
    expect(sync.smoothedRtt).toBe(100);
    exchange(sync, 1000, 100, 100, 0);
    expect(sync.rtt).toBe(200);
    expect(sync.smoothedRtt).toBeGreaterThan(100);
    expect(sync.smoothedRtt).toBeLessThan(200);
    expect(sync.minRtt).toBe(100);
  });

  it('forgets old samples, so it follows a clock that moved', () => {
    const sync = new ClockSync({ maxSamples: 4 });
    // Very good samples with the old offset...
    for (let i = 0; i < 4; i++) exchange(sync, i * 1000, 5, 5, 1000);
    expect(sync.offset).toBeCloseTo(1000, 6);
    // ...then worse ones with a new offset: once the old fall out, the new one wins.
    for (let i = 4; i < 8; i++) exchange(sync, i * 1000, 30, 30, 2000);
    expect(sync.offset).toBeCloseTo(2000, 6);
  });

  it('uses a welcome hint only until the first pong', () => {
    const sync = new ClockSync();
    sync.hint(5000, 1000);
    expect(sync.offset).toBe(4000);
    expect(sync.synced).toBe(false);
    exchange(sync, 2000, 10, 10, 3990);
    expect(sync.offset).toBeCloseTo(3990, 9);
    sync.hint(0, 0);
    expect(sync.offset).toBeCloseTo(3990, 9);
  });
});
