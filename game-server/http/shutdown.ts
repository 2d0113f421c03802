/**
 * A graceful stop: no new connections, every client told why (4010) and given until the
 * deadline to go, then whatever is left is cut so nothing keeps the process alive.
 */
import { CloseCode } from '../../protocol/index.ts';
import type { Game } from '../game.ts';
import type { Logger } from '../logger.ts';
import type { WebSocketEndpoint } from './websocket.ts';

export interface ShutdownParts {
  /** Stops accepting connections (closes the listen socket). */
  stopListening(): void;
  game: Game;
  endpoint: WebSocketEndpoint;
  timeoutMs: number;
  log: Logger;
}

export async function shutdown(parts: ShutdownParts): Promise<void> {
  const { game, endpoint, log } = parts;
  parts.stopListening();
  game.stop();
  const clients = game.hub.closeAll(CloseCode.ServerShutdown, 'server restarting');
  const deadline = performance.now() + parts.timeoutMs;
  while (endpoint.openSockets > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const cut = endpoint.cutAll();
  log.info({ clients, cut }, 'server stopped');
}
