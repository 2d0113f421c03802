import { describe, expect, it } from 'vitest';
import { ClientKind, CloseCode, ProtocolError, type InputMsg } from '../../../protocol/index.ts';
import { InputQueue } from '../../../game-server/net/input-queue.ts';

const input = (seq: number): InputMsg => ({ kind: ClientKind.Input, seq, buttons: 0, aim: 0 });

describe('InputQueue', () => {
  it('waits for a two-input cushion, then yields one input per tick in order', () => {
    const q = new InputQueue(30);
    const out: InputMsg[] = [];
    q.push(input(1));
    expect(q.take(out)).toBe(0); // still filling the jitter buffer
    q.push(input(2));
    expect(q.take(out)).toBe(1);
    expect(out[0]!.seq).toBe(1);
    q.push(input(3));
    expect(q.take(out)).toBe(1);
    expect(out[0]!.seq).toBe(2);
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

  it('refuses a sequence number that does not increase, and a flood past capacity', () => {
    const q = new InputQueue(3);
    q.push(input(4));
    expect(() => q.push(input(4))).toThrowError(ProtocolError);
    q.push(input(5));
    q.push(input(6));
    try {
      q.push(input(7));
      expect.unreachable();
    } catch (e) {
      expect((e as ProtocolError).code).toBe(CloseCode.RateLimited);
    }
  });
});
