/**
 * What the status line and the connection-lost screen say as the client connects,
 * joins, loses the connection, comes back or gives up. Once the scene is leaving,
 * nothing more is shown (a close the player asked for is not an error).
 */
import { CloseCode } from '../../../protocol/index.ts';
import { describeClose, type GameClient } from '../net/client.ts';
import type { Hud } from './hud.ts';

export class ConnectionStatus {
  private welcomed = false;

  constructor(
    private readonly hud: Hud,
    client: GameClient,
    private readonly leaving: () => boolean,
    /** After a join that did not resume: the own player is a new one, with a new id. */
    onNewPlayer: () => void,
  ) {
    hud.setStatus('Connecting…');
    client.onReconnecting(({ code }) => {
      if (this.leaving()) return;
      hud.setStatus(code === CloseCode.ServerShutdown ? 'Server restarting… reconnecting' : 'Reconnecting…');
    });
    client.onReconnected((resumed) => {
      if (this.leaving()) return;
      hud.setStatus('');
      hud.setRoom(client.roomCode);
      // The server had lost the old player (restart, or too long away).
      if (!resumed) onNewPlayer();
    });
    client.onClose((code, reason) => {
      // Before the welcome, connect() rejects and says why.
      if (this.leaving() || !this.welcomed) return;
      hud.setStatus('');
      hud.showLost(`Connection lost: ${describeClose(code, reason)}`);
    });
  }

  /** connect() resolved: in the room, waiting for the own player's first snapshot. */
  joined(roomCode: string): void {
    this.welcomed = true;
    this.hud.setRoom(roomCode);
    this.hud.setStatus('Joining…');
  }

  /** The own player is on screen. */
  playing(): void {
    this.hud.setStatus('');
  }
}
