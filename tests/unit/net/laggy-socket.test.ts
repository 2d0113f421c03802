import { describe, expect, it } from 'vitest';
import type { TimerClock } from '../../../protocol/clock.ts';
import { DelayScheduler } from '../../../game-client/src/net/delay-scheduler.ts';
import { LaggySocket, type RawSocket } from '../../../game-client/src/net/laggy-socket.ts';
import { seededRandom } from '../../../game-client/bots/random.ts';

/** A clock whose timers run only when the test advances it. */
class FakeTimers implements TimerClock {
  t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  now = (): number => this.t;
  setTimer = (fn: () => void, ms: number): unknown => {
    const id = this.nextId++;
    this.timers.push({ at: this.t + Math.max(1, ms), fn, id });
    return id;
  };
  clearTimer = (h: unknown): void => {
    this.timers = this.timers.filter((x) => x.id !== h);
  };
  /** Advance in 1 ms steps, firing timers as they fall due (like a real event loop). */
  advance(ms: number): void {
    const end = this.t + ms;
    while (this.t < end) {
      this.t = Math.min(end, this.t + 1);
      for (;;) {
        const due = this.timers.filter((x) => x.at <= this.t).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        this.timers = this.timers.filter((x) => x !== due);
        due.fn();
      }
    }
  }
}

class FakeRaw implements RawSocket {
  readyState = 1;
  sent: { at: number; bytes: number[] }[] = [];
  closed: { at: number; code?: number } | null = null;
  constructor(private readonly clock: FakeTimers) {}
  send(data: Uint8Array): void {
    this.sent.push({ at: this.clock.t, bytes: [...data] });
  }
  close(code?: number): void {
    this.closed = { at: this.clock.t, code };
    this.readyState = 3;
  }
}

function setup(latencyMs: number, jitterMs: number, seed = 7) {
  const clock = new FakeTimers();
  const scheduler = new DelayScheduler(clock);
  const sock = new LaggySocket({ latencyMs, jitterMs, random: seededRandom(seed), scheduler });
  const raw = new FakeRaw(clock);
  sock.attach(raw);
  const received: { at: number; first: number }[] = [];
  const events: string[] = [];
  sock.onopen = () => events.push(`open@${clock.t}`);
  sock.onmessage = (ev: { data: Uint8Array }) => received.push({ at: clock.t, first: ev.data[0]! });
  sock.onclose = (ev: { code: number }) => events.push(`close ${ev.code}@${clock.t}`);
  return { clock, scheduler, sock, raw, received, events };
}

describe('LaggySocket', () => {
  it('holds each message for the latency, in both directions', () => {
    const { clock, sock, raw, received, events } = setup(50, 0);
    sock.handleOpen();
    clock.advance(49);
    expect(events).toEqual([]);
    clock.advance(1);
    expect(events).toEqual(['open@50']);

    sock.send(new Uint8Array([1]));
    sock.handleMessage(new Uint8Array([2]));
    clock.advance(49);
    expect(raw.sent).toEqual([]);
    expect(received).toEqual([]);
    clock.advance(1);
    expect(raw.sent).toEqual([{ at: 100, bytes: [1] }]);
    expect(received).toEqual([{ at: 100, first: 2 }]);
  });

  it('with jitter, every message is delayed by latency..latency+jitter and order is kept', () => {
    const { clock, sock, received } = setup(20, 80, 3);
    sock.handleOpen();
    clock.advance(200);
    const sentAt: number[] = [];
    for (let i = 0; i < 200; i++) {
      sock.handleMessage(new Uint8Array([i]));
      sentAt.push(clock.t);
      clock.advance(2); // faster than the jitter: without the ordering rule, many would overtake
    }
    clock.advance(200);
    expect(received.map((r) => r.first)).toEqual(sentAt.map((_, i) => i));
    const delays = received.map((r, i) => r.at - sentAt[i]!);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(20);
      // Never earlier than latency; later than latency+jitter only by waiting behind a predecessor.
      expect(d).toBeLessThanOrEqual(20 + 80 + 2);
    }
    // The jitter really varies the delay (a constant delay would pass the order check trivially).
    expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(40);
  });

  it('copies outgoing bytes, so an encoder reusing its buffer cannot change a queued frame', () => {
    const { clock, sock, raw } = setup(10, 0);
    sock.handleOpen();
    clock.advance(10);
    const buf = new Uint8Array([5, 6]);
    sock.send(buf);
    buf[0] = 99;
    clock.advance(10);
    expect(raw.sent[0]!.bytes).toEqual([5, 6]);
  });

  it('a server close is delivered after the messages before it, a client close after its sends', () => {
    const { clock, sock, received, events } = setup(30, 0);
    sock.handleOpen();
    clock.advance(30);
    sock.handleMessage(new Uint8Array([1]));
    clock.advance(5);
    sock.handleClose(4008, 'slow');
    clock.advance(24);
    expect(received).toHaveLength(0);
    expect(events).toEqual(['open@30']);
    clock.advance(1);
    expect(received).toHaveLength(1);
    expect(events).toEqual(['open@30']);
    clock.advance(5);
    expect(events).toEqual(['open@30', 'close 4008@65']);

    const b = setup(30, 0);
    b.sock.handleOpen();
    b.clock.advance(30);
    b.sock.send(new Uint8Array([9]));
    b.sock.close(1000, 'bye');
    expect(b.sock.readyState).toBe(2);
    b.clock.advance(30);
    expect(b.raw.sent).toHaveLength(1);
    expect(b.raw.closed).toEqual({ at: 60, code: 1000 });
  });

  it('many sockets share one scheduler timer', () => {
    const clock = new FakeTimers();
    let armed = 0;
    const counting: TimerClock = { ...clock, now: clock.now, clearTimer: clock.clearTimer, setTimer: (fn, ms) => (armed++, clock.setTimer(fn, ms)) };
    const scheduler = new DelayScheduler(counting);
    const socks = Array.from({ length: 100 }, () => {
      const s = new LaggySocket({ latencyMs: 40, jitterMs: 0, random: () => 0, scheduler });
      s.attach(new FakeRaw(clock));
      s.handleOpen();
      return s;
    });
    // Same delay for all: one timer covers the whole batch.
    expect(armed).toBe(1);
    clock.advance(40);
    expect(socks.every((s) => s.readyState === 1)).toBe(true);
    expect(scheduler.pending).toBe(0);
  });

  it('without latency it passes everything straight through and counts bytes', () => {
    const s = new LaggySocket({ latencyMs: 0, jitterMs: 0, random: () => 0, scheduler: null });
    const sent: number[] = [];
    s.attach({ readyState: 1, send: (d) => sent.push(d.byteLength), close: () => {} });
    let got = 0;
    s.onmessage = (ev: { data: Uint8Array }) => (got += ev.data.byteLength);
    s.handleOpen();
    expect(s.readyState).toBe(1);
    s.send(new Uint8Array(3));
    s.handleMessage(new Uint8Array(7));
    expect(sent).toEqual([3]);
    expect(got).toBe(7);
    expect([s.bytesOut, s.bytesIn]).toEqual([3, 7]);
  });
});
