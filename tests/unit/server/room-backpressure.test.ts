import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CloseCode, ServerKind, parseTiledMap } from '../../../protocol/index.ts';
import { Room } from '../../../game-server/room.ts';
import { Session, type Transport } from '../../../game-server/net/session.ts';
import { seededRandom } from '../../../protocol/random.ts';

const map = parseTiledMap('duel', JSON.parse(readFileSync(join(import.meta.dirname, '../../../assets/maps/duel.json'), 'utf8')));

/** A transport whose peer reads everything (buffer always empty) or nothing at all. */
class FakeTransport implements Transport {
  sent: Uint8Array[] = [];
  bytes = 0;
  closed: { code: number; reason: string } | null = null;
  constructor(private readonly reads: boolean) {}
  send(b: Uint8Array): void {
    this.sent.push(b);
    this.bytes += b.byteLength;
  }
  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }
  bufferedAmount(): number {
    return this.reads ? 0 : this.bytes;
  }
  snapshots(): number {
    return this.sent.filter((b) => b[1] === ServerKind.Snapshot).length;
  }
}

describe('backpressure', () => {
  it('a client that stops reading is skipped, stays under the soft limit, then is closed with SlowConsumer while others get every snapshot', () => {
    const soft = 2048;
    const room = new Room('TEST', true, map, {
      tickRate: 30,
      snapshotRate: 30,
      capacity: 8,
      sendSoftLimitBytes: soft,
      slowConsumerTimeoutMs: 2000,
      snapshotMode: 'delta',
      random: seededRandom(1),
    });
    const good = new FakeTransport(true);
    const stuck = new FakeTransport(false);
    const sGood = new Session(1, 'a', good, 0, 50);
    const sStuck = new Session(2, 'b', stuck, 0, 50);
    sGood.player = room.join(1, 'good', sGood);
    sStuck.player = room.join(2, 'stuck', sStuck);
    // Keep both players moving so every snapshot carries changes.
    let seq = 0;
    let closedAtTick = -1;
    for (let tick = 0; tick < 300; tick++) {
      seq++;
      for (const s of [sGood, sStuck]) s.player!.inputs.push({ kind: 2, seq, buttons: (seq >> 4) % 2 ? 8 : 4, aim: seq % 256 });
      room.tick({ tick, time: (tick * 1000) / 30, lateness: 0 });
      if (stuck.closed && closedAtTick < 0) closedAtTick = tick;
      // Whatever happens, what the server holds for the stuck client stays bounded.
      expect(stuck.bytes).toBeLessThan(soft + 1024);
    }
    expect(stuck.closed?.code).toBe(CloseCode.SlowConsumer);
    expect(stuck.closed?.reason).toMatch(/not reading/);
    // Closed after about the timeout (2 s = 60 ticks) past the point it went over.
    expect(closedAtTick).toBeGreaterThan(60);
    expect(closedAtTick).toBeLessThan(150);
    expect(sStuck.snapshotsSkipped).toBeGreaterThan(55);
    // The reading client got a snapshot on every one of the 300 ticks.
    expect(good.snapshots()).toBe(300);
    expect(good.closed).toBeNull();
  });

  it('a client that catches up again is not closed', () => {
    const room = new Room('TEST', true, map, {
      tickRate: 30,
      snapshotRate: 30,
      capacity: 8,
      sendSoftLimitBytes: 100,
      slowConsumerTimeoutMs: 1000,
      snapshotMode: 'delta',
      random: seededRandom(2),
    });
    let buffered = 0;
    const t: Transport & { closed: boolean } = {
      closed: false,
      send: () => {},
      close: () => {
        t.closed = true;
      },
      bufferedAmount: () => buffered,
    };
    const s = new Session(1, 'a', t, 0, 50);
    s.player = room.join(1, 'flaky', s);
    for (let tick = 0; tick < 300; tick++) {
      // Over the limit for 0.8 s out of every second: never a full second in a row.
      buffered = tick % 30 < 24 ? 1000 : 0;
      room.tick({ tick, time: (tick * 1000) / 30, lateness: 0 });
    }
    expect(t.closed).toBe(false);
    expect(s.snapshotsSkipped).toBeGreaterThan(200);
  });
});
