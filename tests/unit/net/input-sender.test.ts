import { describe, it, expect } from 'vitest';
import { InputSender } from '../../../game-client/src/net/input-sender.ts';
import { rng } from './helpers.ts';

function drive(sender: InputSender, frames: number[]): { seq: number; at: number }[] {
  const out: { seq: number; at: number }[] = [];
  let t = 0;
  sender.start(0);
  for (const dt of frames) {
    t += dt;
    sender.update(t, 0, 0, (seq) => out.push({ seq, at: t }));
  }
  return out;
}

describe('InputSender', () => {
  it('produces tickRate inputs per second with consecutive seqs, whatever the frame rate', () => {
    const random = rng(11);
    for (const [name, frame] of [
      ['144 Hz', () => 1000 / 144],
      ['uneven 60 Hz', () => 8 + random() * 17],
      ['20 fps', () => 50],
      ['1 kHz', () => 1],
    ] as const) {
      const sender = new InputSender(30);
      const frames: number[] = [];
      let total = 0;
      while (total < 10_000) {
        const dt = frame();
        frames.push(dt);
        total += dt;
      }
      const out = drive(sender, frames);
      expect(out.length, name).toBeGreaterThanOrEqual(299);
      expect(out.length, name).toBeLessThanOrEqual(301);
      out.forEach((o, i) => expect(o.seq).toBe(i + 1));
      // Never more than 31 in any one second (30, plus one on the window's edge).
      for (let i = 0; i + 31 < out.length; i++)
        expect(out[i + 31]!.at - out[i]!.at, name).toBeGreaterThanOrEqual(1000 - 1e-6);
    }
  });

  it('after a stall, catches up only a few ticks instead of bursting', () => {
    const sender = new InputSender(30, { maxCatchUpTicks: 6 });
    const out = drive(sender, [16, 16, 5000, 16]);
    expect(out.length).toBeLessThanOrEqual(7);
    expect(out.length).toBeGreaterThanOrEqual(6);
    expect(sender.droppedMs).toBeGreaterThan(4700);
  });

  it('keeps unacknowledged inputs for replay and drops acknowledged ones', () => {
    const sender = new InputSender(30, { historySize: 64 });
    sender.start(0);
    let t = 0;
    for (let i = 0; i < 10; i++) {
      t += 1000 / 30;
      sender.update(t + 0.001, i % 16, 7, () => {});
    }
    const h = sender.history;
    expect(h.lastSeq).toBe(10);
    expect(h.pending).toBe(10);
    expect(h.buttonsOf(4)).toBe(3);
    expect(h.aimOf(4)).toBe(7);
    h.ack(6);
    expect(h.pending).toBe(4);
    h.ack(3); // stale ack: ignored
    expect(h.pending).toBe(4);
    expect(h.buttonsOf(11)).toBe(-1);
  });

  it('bounds the history: old unacknowledged inputs are overwritten and reported', () => {
    const sender = new InputSender(30, { historySize: 8 });
    sender.start(0);
    for (let i = 1; i <= 20; i++) sender.update((i * 1000) / 30 + 0.001, 1, 0, () => {});
    const h = sender.history;
    expect(h.lastSeq).toBe(20);
    expect(h.has(12)).toBe(false);
    expect(h.has(13)).toBe(true);
    expect(h.overflows).toBe(12);
  });

  it('InputTiming stretches or squeezes the interval between inputs, within the protocol range', () => {
    for (const [asked, used] of [
      [30, 30],
      [-20, -20],
      [400, 50],
      [-400, -50],
      [Number.NaN, 0],
    ] as const) {
      const sender = new InputSender(30);
      sender.adjust(asked);
      expect(sender.adjustPerMille).toBe(used);
      const at: number[] = [];
      sender.start(0);
      for (let t = 0.25; t <= 10_000; t += 0.25) sender.update(t, 0, 0, () => at.push(t));
      const interval = (at.at(-1)! - at[0]!) / (at.length - 1);
      expect(interval, `adjust ${asked}`).toBeCloseTo((1000 / 30) * (1 + used / 1000), 1);
    }
  });

  it('the phase moves by the asked stretch: after 30 inputs at +30 per mille they go out 30 ms later', () => {
    const plain = new InputSender(30);
    const slow = new InputSender(30);
    slow.adjust(30);
    const a: number[] = [];
    const b: number[] = [];
    plain.start(0);
    slow.start(0);
    for (let t = 0.1; t <= 1100; t += 0.1) {
      plain.update(t, 0, 0, () => a.push(t));
      slow.update(t, 0, 0, () => b.push(t));
    }
    expect(b[29]! - a[29]!).toBeCloseTo(30, 0);
  });
});
