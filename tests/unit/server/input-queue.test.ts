import { describe, expect, it } from 'vitest';
import { ClientKind, CloseCode, ProtocolError, type InputMsg } from '../../../protocol/index.ts';
import { InputQueue, newInputTotals } from '../../../game-server/net/input-queue.ts';

const input = (seq: number): InputMsg => ({ kind: ClientKind.Input, seq, buttons: 0, aim: 0 });

describe('InputQueue', () => {
  it('holds nothing back: each input is applied on the first tick after it arrives, in order', () => {
    const q = new InputQueue(30);
    const out: InputMsg[] = [];
    q.push(input(1));
    expect(q.take(out)).toBe(1);
    expect(out[0]!.seq).toBe(1);
    q.push(input(2));
    q.push(input(3));
    expect(q.take(out)).toBe(1);
    expect(out[0]!.seq).toBe(2);
    expect(q.take(out)).toBe(1);
    expect(out[0]!.seq).toBe(3);
  });

  it('drains two per tick when a burst has built a backlog', () => {
    const q = new InputQueue(30);
    for (let s = 1; s <= 8; s++) q.push(input(s));
    const out: InputMsg[] = [];
    const seen: number[] = [];
    while (q.length > 0) {
      const n = q.take(out);
      for (let i = 0; i < n; i++) seen.push(out[i]!.seq);
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('refuses a sequence number that does not increase', () => {
    const q = new InputQueue(3);
    q.push(input(4));
    try {
      q.push(input(4));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
      expect((e as ProtocolError).code).toBe(CloseCode.Malformed);
    }
    expect(() => q.push(input(3))).toThrowError(ProtocolError);
  });

  it('on overflow drops the oldest inputs and keeps the newest, in order', () => {
    const q = new InputQueue(3);
    for (let s = 1; s <= 7; s++) q.push(input(s));
    expect(q.length).toBe(3);
    expect(q.dropped).toBe(4);
    const out: InputMsg[] = [];
    const seen: number[] = [];
    while (q.length > 0) {
      const n = q.take(out);
      for (let i = 0; i < n; i++) seen.push(out[i]!.seq);
    }
    expect(seen).toEqual([5, 6, 7]);
  });

  it('reset (a dropped, then resumed player) forgets what was queued and accepts seq 1 again', () => {
    const q = new InputQueue(30);
    for (let s = 1; s <= 10; s++) q.push(input(s));
    q.reset();
    expect(q.length).toBe(0);
    const out: InputMsg[] = [];
    expect(q.take(out)).toBe(0);
    expect(q.starved, 'a stream that has not started again does not starve').toBe(0);
    q.push(input(1));
    expect(q.take(out)).toBe(1);
    expect(out[0]!.seq).toBe(1);
  });

  it('a dry tick counts as a starvation, unless the server itself ran it late (then counted apart)', () => {
    const q = new InputQueue(30);
    const totals = newInputTotals();
    const out: InputMsg[] = [];
    q.push(input(1), 0);
    expect(q.take(out, 10, true, totals)).toBe(1);
    expect(q.take(out, 43, true, totals)).toBe(0);
    expect(q.take(out, 200, true, totals, true)).toBe(0);
    expect(q.take(out, 210, false, totals)).toBe(0); // not connected: nothing counted
    expect(q.starved).toBe(1);
    expect(totals).toMatchObject({ ticks: 3, starved: 1, starvedBehind: 1, applied: 1, waitMsSum: 10 });
  });
});
