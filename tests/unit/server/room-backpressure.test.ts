import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CloseCode, ServerKind, parseTiledMap } from '../../../protocol/index.ts';
import { Room, type Player } from '../../../game-server/room.ts';
import { MemoryTransport } from '../../../game-server/net/memory-transport.ts';
import { Session } from '../../../game-server/net/session.ts';
import { interestView } from '../../../game-server/net/view-policy.ts';
import { seededRandom } from '../../../protocol/random.ts';

const map = parseTiledMap('duel', JSON.parse(readFileSync(join(import.meta.dirname, '../../../assets/maps/duel.json'), 'utf8')));

/** A transport whose peer reads everything (buffer always empty) or nothing at all. */
class FakeTransport extends MemoryTransport {
  constructor(private readonly reads: boolean) {
    super();
  }
  override bufferedAmount(): number {
    return this.reads ? 0 : this.bytesSent;
  }
  snapshots(): number {
    return this.frames.filter((b) => b[1] === ServerKind.Snapshot).length;
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
      view: interestView,
      random: seededRandom(1),
    });
    const good = new FakeTransport(true);
    const stuck = new FakeTransport(false);
    const sGood = new Session<Player>(1, 'a', good, 0, 50);
    const sStuck = new Session<Player>(2, 'b', stuck, 0, 50);
    sGood.slot = room.join(1, 'good', sGood);
    sStuck.slot = room.join(2, 'stuck', sStuck);
    // Keep both players moving so every snapshot carries changes.
    let seq = 0;
    let closedAtTick = -1;
    for (let tick = 0; tick < 300; tick++) {
      seq++;
      for (const s of [sGood, sStuck]) s.slot!.inputs.push({ kind: 2, seq, buttons: (seq >> 4) % 2 ? 8 : 4, aim: seq % 256 });
      room.tick({ tick, time: (tick * 1000) / 30, lateness: 0 });
      if (stuck.closed && closedAtTick < 0) closedAtTick = tick;
      // Whatever happens, what the server holds for the stuck client stays bounded.
      expect(stuck.bytesSent).toBeLessThan(soft + 1024);
    }
    expect(stuck.closed?.code).toBe(CloseCode.SlowConsumer);
    expect(stuck.closed?.reason).toMatch(/not reading/);
    // Closed after about the timeout (2 s = 60 ticks) past the point it went over.
    expect(closedAtTick).toBeGreaterThan(60);
    expect(closedAtTick).toBeLessThan(150);
    expect(sStuck.slot!.channel.snapshotsSkipped).toBeGreaterThan(55);
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
      view: interestView,
      random: seededRandom(2),
    });
    const t = new MemoryTransport({ keepFrames: false });
    const s = new Session<Player>(1, 'a', t, 0, 50);
    s.slot = room.join(1, 'flaky', s);
    for (let tick = 0; tick < 300; tick++) {
      // Over the limit for 0.8 s out of every second: never a full second in a row.
      t.buffered = tick % 30 < 24 ? 1000 : 0;
      room.tick({ tick, time: (tick * 1000) / 30, lateness: 0 });
    }
    expect(t.closed).toBeNull();
    expect(s.slot.channel.snapshotsSkipped).toBeGreaterThan(200);
  });
});
