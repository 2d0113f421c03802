/**
 * Who is in the room, by id: kept whole from Roster and by PlayerJoined / PlayerLeft.
 * It lives as long as the page's client, not one connection: a reconnect keeps the
 * names shown until the new connection's Roster replaces them.
 */
import { ServerKind, type RosterMsg, type ServerMessage } from '../../../protocol/index.ts';
import { Listeners } from './listeners.ts';

export type RosterEntry = RosterMsg['players'][number];

export class Roster {
  private readonly names = new Map<number, string>();
  /** The player list changed (sent whole). */
  readonly changed = new Listeners<[RosterEntry[]]>();

  /** Applies a roster message; returns false for any other kind. */
  apply(msg: ServerMessage): boolean {
    switch (msg.kind) {
      case ServerKind.Roster:
        this.names.clear();
        for (const p of msg.players) this.names.set(p.id, p.name);
        break;
      case ServerKind.PlayerJoined:
        this.names.set(msg.id, msg.name);
        break;
      case ServerKind.PlayerLeft:
        this.names.delete(msg.id);
        break;
      default:
        return false;
    }
    if (this.changed.size > 0) this.changed.emit(this.list());
    return true;
  }

  list(): RosterEntry[] {
    return [...this.names].map(([id, name]) => ({ id, name }));
  }

  /** The name, or undefined when the player is not (or no longer) in the room. */
  get(id: number): string | undefined {
    return this.names.get(id);
  }
}
