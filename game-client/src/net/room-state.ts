/**
 * What the client knows of its room beyond positions: who is in it (Roster), the match
 * (scores, health, deaths, pickups) and the game events as they come. Page lifetime:
 * a reconnect keeps it until the new connection's Roster and MatchState replace it.
 */
import { ServerKind, type GameEvent, type ServerMessage } from '../../../protocol/index.ts';
import { Listeners } from './listeners.ts';
import { MatchView } from './match.ts';
import { Roster } from './roster.ts';

export class RoomState {
  readonly roster = new Roster();
  readonly match: MatchView;
  /** Every game event in server order, with its tick; the match is updated first. */
  readonly events = new Listeners<[GameEvent, number]>();

  constructor(selfId: () => number) {
    this.match = new MatchView(selfId);
  }

  /** Applies a room message (roster, join, leave, match state, events); false for any other kind. */
  apply(msg: ServerMessage): boolean {
    switch (msg.kind) {
      case ServerKind.Roster:
        this.roster.apply(msg);
        return true;
      // The match first: roster listeners find it current.
      case ServerKind.PlayerJoined:
        this.match.joined(msg.id);
        this.roster.apply(msg);
        return true;
      case ServerKind.PlayerLeft:
        this.match.left(msg.id);
        this.roster.apply(msg);
        return true;
      case ServerKind.MatchState:
        this.match.reset(msg);
        return true;
      case ServerKind.RoundState:
        this.match.setRound(msg);
        return true;
      case ServerKind.Events:
        for (const e of msg.events) {
          this.match.apply(e);
          for (const l of this.events.all) l(e, msg.tick);
        }
        return true;
      default:
        return false;
    }
  }
}
