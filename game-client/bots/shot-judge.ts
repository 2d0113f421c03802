/**
 * Hit-registration agreement for one bot: each shot as the bot's own screen judged it
 * (the client's ShotPredictor, tracing against the others where they were drawn when the
 * Fire went out) next to the server's verdict (the Shot event's `target`, protocol 6),
 * paired by the Fire's input seq.
 *
 * Kinds of disagreement, named from the shooter's side:
 * - false miss: the screen showed a hit, the server says the beam hit no one (the
 *   complaint "I hit him!"); a refused shot (view beyond the rewind limit) is one too,
 *   and so is a shot at a target that died on the server (to someone else's shot)
 *   before this one was judged but after its shooter could know: counted apart too;
 * - false hit: the screen showed a miss, the server hit someone (counted apart too when
 *   that someone was not drawn at all: outside the cells this client is sent);
 * - wrong target: both hit, but different players.
 * A verdict with no prediction of the same seq (the two sides' cooldowns disagreed), and
 * a prediction no verdict ever answered (the server did not fire it: the player had just
 * died, say) are counted as unmatched, not judged.
 */
import type { Counters } from './metrics.ts';

/** Predictions kept waiting for their verdict at most (about 2 s of shots at the fastest cooldown). */
const PENDING_MAX = 8;

export class ShotJudge {
  /** Seqs of predictions waiting for their verdict, oldest first, and what each hit (-1: no one). */
  private readonly seqs: number[] = [];
  private readonly hits: number[] = [];
  /** Per waiting prediction: the ids drawn on its frame. */
  private readonly drawn: (readonly number[])[] = [];

  /** `measures.counters` is read at each count: the worker swaps in fresh counters every interval. */
  constructor(private readonly measures: { readonly counters: Counters }) {}

  /**
   * The client drew its own shot of input `seq`, hitting `hitId` on its screen (-1: no
   * one), with the players `drawn` on that frame (ids), to tell a false hit on someone
   * the screen did not show at all.
   */
  predicted(seq: number, hitId: number, drawn: readonly number[] = []): void {
    if (this.seqs.length >= PENDING_MAX) this.dropOldest();
    this.seqs.push(seq);
    this.hits.push(hitId);
    this.drawn.push(drawn);
  }

  /**
   * The server's verdict on the shot of input `seq`: whom it hit (-1: no one), and
   * whether it was refused. `alive` says who is alive as this client now knows it: a
   * false miss on a target the server had already killed is counted apart as well.
   */
  verdict(seq: number, target: number, refused: boolean, alive: (id: number) => boolean = () => true): void {
    const c = this.measures.counters;
    // Verdicts come in seq order: predictions older than this one will get none.
    while (this.seqs.length > 0 && this.seqs[0]! < seq) this.dropOldest();
    if (this.seqs.length === 0 || this.seqs[0] !== seq) {
      c.shotsUnpredicted++;
      return;
    }
    const mine = this.hits[0]!;
    const drawn = this.drawn[0]!;
    this.seqs.shift();
    this.hits.shift();
    this.drawn.shift();
    const theirs = refused ? -1 : target;
    c.shotsJudged++;
    if (refused) c.shotsBeyondRewind++;
    if (mine === theirs) c.shotsAgree++;
    else if (mine >= 0 && theirs < 0) {
      c.shotsFalseMiss++;
      if (!alive(mine)) c.shotsFalseMissDead++;
    }
    else if (mine < 0 && theirs >= 0) {
      c.shotsFalseHit++;
      if (!drawn.includes(theirs)) c.shotsFalseHitUnseen++;
    }
    else c.shotsWrongTarget++;
  }

  private dropOldest(): void {
    this.seqs.shift();
    this.hits.shift();
    this.drawn.shift();
    this.measures.counters.shotsUnanswered++;
  }
}
