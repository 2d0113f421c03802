import { describe, expect, it } from 'vitest';
import { Button, ClientKind, ServerKind } from '../../../protocol/index.ts';
import { memoryGame } from './memory-game.ts';

const TICK = 1000 / 30;

describe('a room steers each client\'s input timing', () => {
  it('inputs that wait most of a tick get "slower"; inputs that come late get "faster"; starvations are counted per player', () => {
    const g = memoryGame({ tickRate: 30, snapshotRate: 30 });
    const a = g.connect();
    a.hello('early');
    g.tick();
    const player = a.session.slot!;
    let seq = 0;
    // Each input arrives 25 ms before the tick that applies it: 23 ms more than needed.
    for (let i = 0; i < 60; i++) {
      g.advance(TICK - 25);
      a.send({ kind: ClientKind.Input, seq: ++seq, buttons: Button.Right, aim: 0 });
      g.tick();
    }
    const early = a.of(ServerKind.InputTiming);
    expect(early.length).toBeGreaterThan(0);
    expect(early.at(-1)!.adjust).toBeGreaterThan(10);
    expect(early.at(-1)!.targetMs).toBeLessThan(5);
    expect(player.inputs.starved).toBe(0);
    // Each input applied on the first tick after it arrived: the ack follows the send.
    expect(a.of(ServerKind.Snapshot).at(-1)!.ackSeq).toBe(seq);

    // Now every other input misses its tick by 10 ms (and comes with the next one).
    for (let i = 0; i < 60; i++) {
      if (i % 2 === 0) {
        g.tick();
        g.advance(10);
        a.send({ kind: ClientKind.Input, seq: ++seq, buttons: 0, aim: 0 });
        a.send({ kind: ClientKind.Input, seq: ++seq, buttons: 0, aim: 0 });
      } else g.tick();
    }
    expect(player.inputs.starved).toBeGreaterThan(0);
    expect(g.game.roomTotals.input.starved).toBe(player.inputs.starved);
    const late = a.of(ServerKind.InputTiming).at(-1)!;
    expect(late.targetMs, 'the target grew to cover the late ones').toBeGreaterThan(10);
    // A player that never sent an input does not starve.
    const b = g.connect();
    b.hello('idle', a.welcome().roomCode);
    g.tick(30);
    expect(b.session.slot!.inputs.starved).toBe(0);
  });
});
