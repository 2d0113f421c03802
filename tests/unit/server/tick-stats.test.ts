import { describe, expect, it } from 'vitest';
import { TickStats } from '../../../game-server/tick-stats.ts';
import { placementP99 } from '../../../game-server/game.ts';

describe('TickStats', () => {
  it('percentiles over the ticks since a given one: a window of its own, idle ticks before it left out', () => {
    const s = new TickStats(256);
    for (let i = 0; i < 100; i++) s.record(0);
    const since = s.totalTicks;
    for (let i = 0; i < 50; i++) s.record(4 + (i % 2));
    expect(s.percentile(0.5, since)).toBe(5);
    expect(s.percentile(0.99, since)).toBe(5);
    expect(s.percentile(0.5, 0)).toBe(0);
    // The default window is the last 1024 (here the whole ring).
    expect(s.percentile(0.99)).toBe(5);
    expect(s.percentile(0.5, s.totalTicks)).toBe(0);
  });

  it('a window older than the ring starts at the oldest tick kept', () => {
    const s = new TickStats(16);
    for (let i = 0; i < 40; i++) s.record(i);
    expect(s.firstKept(0)).toBe(24);
    expect(s.percentile(0, 0)).toBe(24);
    expect(s.percentile(1, 30)).toBe(39);
  });
});

describe('placementP99', () => {
  it("is 0 until ten seconds of ticks exist, then leaves out the first five seconds' outliers", () => {
    const s = new TickStats();
    for (let i = 0; i < 150; i++) s.record(i < 10 ? 120 : 2); // start-up: ten slow ticks
    expect(placementP99(s, 30)).toBe(0);
    for (let i = 0; i < 200; i++) s.record(2);
    expect(s.percentile(0.99)).toBe(120); // the plain window still holds the start-up
    expect(placementP99(s, 30)).toBe(2);
    for (let i = 0; i < 20; i++) s.record(40); // real load later counts
    expect(placementP99(s, 30)).toBe(40);
  });
});
