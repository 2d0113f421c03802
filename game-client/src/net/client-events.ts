/**
 * The events a GameClient reports and how to subscribe to each: apart from the client
 * so its contract reads in one place. The client emits through the protected lists.
 */
import type { GameEvent, RosterMsg, ServerMessage } from '../../../protocol/index.ts';
import type { LocalShot, ReconnectAttempt } from './client-types.ts';
import { Listeners } from './listeners.ts';
import { RoomState } from './room-state.ts';

export abstract class ClientEvents {
  protected readonly closeListeners = new Listeners<[number, string]>();
  protected readonly messageListeners = new Listeners<[ServerMessage, number]>();
  protected readonly reconnectingListeners = new Listeners<[ReconnectAttempt]>();
  protected readonly reconnectedListeners = new Listeners<[boolean]>();
  protected readonly shotListeners = new Listeners<[Readonly<LocalShot>]>();
  /** The roster, the match and the game events: onRoster and onEvent subscribe to it. */
  protected readonly room = new RoomState(() => this.playerId);

  abstract get playerId(): number;


  /**
   * The connection ended (server close, network loss, or close()). Exactly once. With
   * `reconnect`, only when the client gives up: a close it recovers from is reported by
   * onReconnecting instead.
   */
  onClose(l: (code: number, reason: string) => void): () => void {
    return this.closeListeners.add(l);
  }

  /** With `reconnect`: the connection was lost and the client will try again (after each failure). */
  onReconnecting(l: (attempt: ReconnectAttempt) => void): () => void {
    return this.reconnectingListeners.add(l);
  }

  /**
   * With `reconnect`: back in the game. resumed: the same player (id, position, score);
   * false: the server had lost it, so this is a new player (new playerId).
   */
  onReconnected(l: (resumed: boolean) => void): () => void {
    return this.reconnectedListeners.add(l);
  }

  /** The room's player list changed (sent whole). */
  onRoster(l: (players: RosterMsg['players']) => void): () => void {
    return this.room.roster.changed.add(l);
  }

  /**
   * Every message from the server, after the client has handled it, with its local
   * arrival time: for tools that measure (the load-test bots), not for game logic.
   */
  onMessage(l: (msg: ServerMessage, arrival: number) => void): () => void {
    return this.messageListeners.add(l);
  }

  /**
   * Every game event (shots, hits, kills, respawns, pickups, chat, notices) in the order
   * the server sent them, with the tick they happened in; match (scores, health) is
   * already updated when it runs.
   */
  onEvent(l: (event: GameEvent, tick: number) => void): () => void {
    return this.room.events.add(l);
  }

  /**
   * The own blaster fired, as predicted at once: where the beam goes on this screen and
   * whom it hits here (the server's Shot/Hit events confirm). For the muzzle flash,
   * beam and sound; no waiting for a round trip. The object is reused.
   */
  onLocalShot(l: (shot: Readonly<LocalShot>) => void): () => void {
    return this.shotListeners.add(l);
  }
}
