import { describe, expect, it } from 'vitest';
import { blasterCooldownTicks } from '../../../protocol/index.ts';
import { ShotPredictor } from '../../../game-client/src/net/shot-predictor.ts';
import { loadArena } from './helpers.ts';

const CD = blasterCooldownTicks(30);

/** The seqs a held trigger shows from `from` to `to`, with verdicts confirmed as `confirm` says. */
function held(p: ShotPredictor, from: number, to: number, confirm: (seq: number) => number | null = () => null): number[] {
  const shown: number[] = [];
  for (let seq = from; seq <= to; seq++) {
    if (p.fires(seq)) shown.push(seq);
    const v = confirm(seq);
    if (v !== null) p.confirmed(v);
  }
  return shown;
}

describe('ShotPredictor cooldown', () => {
  it('a held trigger shows one shot per cooldown, counted in input seqs', () => {
    const p = new ShotPredictor(loadArena(), 30);
    expect(held(p, 1, 3 * CD)).toEqual([1, 1 + CD, 1 + 2 * CD]);
  });

  it("follows the server's shot when the server fired one input later: the next shots line up with the server's again", () => {
    const p = new ShotPredictor(loadArena(), 30);
    // The server fired seq 2 (not 1: input 1 reached a tick too early); its verdict comes 3 inputs later.
    const shown = held(p, 1, 3 * CD + 1, (seq) => (seq === 5 ? 2 : null));
    expect(shown).toEqual([1, 2 + CD, 2 + 2 * CD]);
  });

  it('one input earlier: likewise', () => {
    const p = new ShotPredictor(loadArena(), 30);
    expect(p.fires(10)).toBe(true);
    p.confirmed(9); // the server fired 9
    const shown = held(p, 11, 10 + 2 * CD);
    expect(shown).toEqual([9 + CD, 9 + 2 * CD]);
  });

  it('a verdict older than a shot shown a full cooldown after it changes nothing (the verdict of a slow link)', () => {
    const p = new ShotPredictor(loadArena(), 30);
    expect(held(p, 1, 1 + CD)).toEqual([1, 1 + CD]);
    p.confirmed(1);
    expect(held(p, 2 + CD, 1 + 2 * CD)).toEqual([1 + 2 * CD]);
  });
});
