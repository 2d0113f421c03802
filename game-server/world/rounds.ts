/**
 * Rounds for a private room created with a round length (Hello.roundSeconds, protocol
 * 6): a round plays for its length, then the scoreboard shows for an intermission in
 * which nobody can be hurt, then scores reset and the next round starts. Pure: the room
 * feeds it its tick time and reads what changed; the wire form is RoundState (kind 19).
 * Everything a client needs is in the current state (round, phase, when it ends), so a
 * player who joins or resumes mid-round is sent the same message as everyone got.
 */
import { Limits, RoundPhase, ServerKind, type RoundStanding, type RoundStateMsg } from '../../protocol/index.ts';

/** How long the scoreboard shows between rounds, ms. */
export const INTERMISSION_MS = 8000;

export type RoundChange = 'started' | 'over';

/** The round length a Hello asked for, ms, within the limits (0: no rounds). */
export function roundLengthMs(roundSeconds: number | undefined): number {
  if (!roundSeconds) return 0;
  return Math.min(Limits.MAX_ROUND_SECONDS, Math.max(Limits.MIN_ROUND_SECONDS, Math.floor(roundSeconds))) * 1000;
}

export class Rounds {
  private roundNo = 0;
  private phaseNow: number = RoundPhase.Playing;
  private endsAtMs = 0;
  private final: RoundStanding[] = [];

  constructor(
    readonly lengthMs: number,
    readonly intermissionMs = INTERMISSION_MS,
  ) {
    if (!(lengthMs > 0)) throw new Error('a round needs a length');
  }

  /** 0 until the first tick started round 1. */
  get round(): number {
    return this.roundNo;
  }

  /** Shots hurt only while a round plays. */
  get playing(): boolean {
    return this.roundNo > 0 && this.phaseNow === RoundPhase.Playing;
  }

  /**
   * Once per tick, at the tick's time: what changed, if anything. The first call starts
   * round 1; a tick late by more than a phase still moves one phase per call, so every
   * client sees every scoreboard. `standings` is read when a round ends.
   */
  tick(now: number, standings: () => RoundStanding[]): RoundChange | null {
    if (this.roundNo === 0) return this.begin(now);
    if (now < this.endsAtMs) return null;
    if (this.phaseNow === RoundPhase.Playing) {
      this.phaseNow = RoundPhase.Over;
      this.final = standings()
        .slice()
        .sort((a, b) => b.score - a.score || a.id - b.id);
      this.endsAtMs = now + this.intermissionMs;
      return 'over';
    }
    return this.begin(now);
  }

  /** The state as RoundState (kind 19); null before round 1. */
  message(): RoundStateMsg | null {
    if (this.roundNo === 0) return null;
    return {
      kind: ServerKind.RoundState,
      round: this.roundNo,
      phase: this.phaseNow,
      endsAt: Math.round(this.endsAtMs),
      lengthMs: this.lengthMs,
      standings: this.phaseNow === RoundPhase.Over ? this.final : [],
    };
  }

  private begin(now: number): RoundChange {
    this.roundNo++;
    this.phaseNow = RoundPhase.Playing;
    this.final = [];
    this.endsAtMs = now + this.lengthMs;
    return 'started';
  }
}
