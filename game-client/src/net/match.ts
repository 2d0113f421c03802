/**
 * What a client knows of the match beyond positions: everyone's score, the health it has
 * been told of, who is dead, which pickups are gone. Built from MatchState and kept
 * current by Events (and the roster's joins and leaves). Pure: no clock, no sockets.
 */
import {
  EventType,
  MAX_HEALTH,
  type GameEvent,
  type MatchStateMsg,
  type RoundStateMsg,
} from '../../../protocol/index.ts';

export interface Standing {
  id: number;
  score: number;
}

export class MatchView {
  private readonly scores = new Map<number, number>();
  /** Health as last reported; absent: not told since the player (re)spawned, so full. */
  private readonly health = new Map<number, number>();
  private readonly dead = new Set<number>();
  readonly pickupsTaken = new Set<number>();
  /** Changes whenever a score does, so a leaderboard can redraw only then. */
  scoreVersion = 0;
  /**
   * Everyone's position (px) as of the latest MatchState that carried them (protocol 6:
   * rooms of at most RADAR_MAX_PLAYERS, every RADAR_EVERY_MS): the minimap and the
   * off-screen markers. Empty in a bigger room.
   */
  readonly positions = new Map<number, { x: number; y: number }>();
  /** The room's round (RoundState), null in a room without rounds. */
  round: RoundStateMsg | null = null;
  /** Changes with every RoundState. */
  roundVersion = 0;

  constructor(private readonly selfId: () => number) {}

  /** Start over from a MatchState (on joining, and again after a resume). */
  reset(m: MatchStateMsg): void {
    const before = this.scoreVersion === 0 ? null : this.scoreSignature();
    this.scores.clear();
    this.health.clear();
    this.dead.clear();
    this.pickupsTaken.clear();
    for (const p of m.players) {
      this.scores.set(p.id, p.score);
      if (p.health <= 0) this.dead.add(p.id);
      else if (p.health < MAX_HEALTH) this.health.set(p.id, p.health);
    }
    for (const i of m.pickupsTaken) this.pickupsTaken.add(i);
    this.positions.clear();
    const xy = m.positions;
    if (xy && xy.length === m.players.length * 2)
      m.players.forEach((p, i) => this.positions.set(p.id, { x: xy[2 * i]!, y: xy[2 * i + 1]! }));
    // A radar MatchState every 500 ms: the leaderboard redraws only when a score changed.
    if (before === null || before !== this.scoreSignature()) this.scoreVersion++;
  }

  setRound(m: RoundStateMsg): void {
    this.round = m;
    this.roundVersion++;
  }

  private scoreSignature(): string {
    let s = '';
    for (const [id, score] of this.scores) s += `${id}:${score},`;
    return s;
  }

  joined(id: number): void {
    if (!this.scores.has(id)) {
      this.scores.set(id, 0);
      this.scoreVersion++;
    }
  }

  left(id: number): void {
    this.scores.delete(id);
    this.positions.delete(id);
    this.health.delete(id);
    this.dead.delete(id);
    this.scoreVersion++;
  }

  apply(e: GameEvent): void {
    switch (e.type) {
      case EventType.Hit:
        this.health.set(e.victim, e.health);
        return;
      case EventType.Kill:
        this.dead.add(e.victim);
        this.health.set(e.victim, 0);
        this.scores.set(e.killer, e.killerScore);
        this.scoreVersion++;
        return;
      case EventType.Respawn:
        this.dead.delete(e.player);
        this.health.set(e.player, e.health);
        return;
      case EventType.Pickup:
        this.health.set(e.player, e.health);
        this.pickupsTaken.add(e.pickup);
        return;
      case EventType.PickupReady:
        this.pickupsTaken.delete(e.pickup);
        return;
      default:
        return;
    }
  }

  scoreOf(id: number): number {
    return this.scores.get(id) ?? 0;
  }

  healthOf(id: number): number {
    if (this.dead.has(id)) return 0;
    return this.health.get(id) ?? MAX_HEALTH;
  }

  isAlive(id: number): boolean {
    return !this.dead.has(id);
  }

  get selfAlive(): boolean {
    return !this.dead.has(this.selfId());
  }

  get selfHealth(): number {
    return this.healthOf(this.selfId());
  }

  get selfScore(): number {
    return this.scoreOf(this.selfId());
  }

  /** The top n by score (ties: lower id first, i.e. who was there first). */
  leaderboard(n = 10): Standing[] {
    return [...this.scores]
      .map(([id, score]) => ({ id, score }))
      .sort((a, b) => b.score - a.score || a.id - b.id)
      .slice(0, n);
  }

  /** 1-based rank of a player by score (ties share the better rank). */
  rankOf(id: number): number {
    const mine = this.scoreOf(id);
    let better = 0;
    for (const s of this.scores.values()) if (s > mine) better++;
    return better + 1;
  }

  get playerCount(): number {
    return this.scores.size;
  }
}
