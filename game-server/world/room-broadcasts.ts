/**
 * What a room sends everyone beyond snapshots and events (issue 13): the MatchState
 * (scores, health, taken pickups; with positions for the radar of a small room) and, for
 * a room with rounds, each RoundState. The room asks once a tick for this tick's frames
 * and sends them to each client in the tick's write, between its events and snapshot.
 */
import { Limits, ServerKind, encodeServerMessage } from '../../protocol/index.ts';
import type { Fighter } from './arena.ts';
import { Rounds } from './rounds.ts';

export class RoomBroadcasts {
  /** The room's rounds: only a private room created with a round length has them. */
  rounds: Rounds | null = null;
  private radarDue = 0;
  private readonly frames: Uint8Array[] = [];

  constructor(
    private readonly players: ReadonlyMap<number, Fighter>,
    private readonly pickupsTaken: () => number[],
  ) {}

  /** Shots fire only while a round plays (or in a room without rounds). */
  get firing(): boolean {
    return this.rounds?.playing !== false;
  }

  /** MatchState now; positions: with everyone's whole-px position (the radar). */
  matchState(positions: boolean): Uint8Array {
    const all = [...this.players.values()];
    const players = all.map((p) => ({ id: p.id, score: p.combat.score, health: p.combat.alive ? p.combat.health : 0 }));
    const xy = positions ? all.flatMap((p) => [Math.max(0, Math.round(p.state.x)), Math.max(0, Math.round(p.state.y))]) : undefined;
    return encodeServerMessage({ kind: ServerKind.MatchState, players, pickupsTaken: this.pickupsTaken(), positions: xy });
  }

  /** The current RoundState for a player who joins or resumes (null: no rounds, or none yet). */
  roundState(): Uint8Array | null {
    const m = this.rounds?.message();
    return m ? encodeServerMessage(m) : null;
  }

  /**
   * Once a tick, after its rules: the round clock, and in a small room everyone's
   * position and health every RADAR_EVERY_MS (interest management sends only what is
   * near, so two players on a big map could not otherwise find each other; a few
   * players cost little). The frames for everyone, valid until the next call.
   */
  tick(now: number): readonly Uint8Array[] {
    const out = this.frames;
    out.length = 0;
    const rounds = this.rounds;
    const change = rounds?.tick(now, () => [...this.players.values()].map((p) => ({ id: p.id, score: p.combat.score })));
    if (rounds && change) {
      // A new round: everyone's score starts again, and the MatchState says so.
      const next = change === 'started' && rounds.round > 1;
      if (next) for (const p of this.players.values()) p.combat.score = 0;
      out.push(encodeServerMessage(rounds.message()!));
      if (next) out.push(this.matchState(false));
    }
    if (this.players.size > Limits.RADAR_MAX_PLAYERS) return out;
    // A newcomer has just had its MatchState: the first radar waits a period.
    if (this.radarDue === 0) this.radarDue = now + Limits.RADAR_EVERY_MS;
    if (now < this.radarDue) return out;
    this.radarDue = now + Limits.RADAR_EVERY_MS;
    out.push(this.matchState(true));
    return out;
  }
}
