/**
 * Live spectating with an unchanged GameClient: a WebSocket wrapper that turns the
 * client's Hello into Watch for one room, and keeps to itself what a spectator must not
 * send (Input, Chat, Viewport; the server would close it with 4015 for the first two).
 * Pings go through, so the client's clock syncs to the spectator's delayed clock.
 */
import { ClientKind, PROTOCOL_VERSION, decodeClientMessage, encodeClientMessage } from '../../../protocol/index.ts';
import type { WebSocketCtor, WebSocketLike } from '../net/connection.ts';

export function spectatorSocket(room: string, Base: WebSocketCtor = (globalThis as { WebSocket?: WebSocketCtor }).WebSocket!): WebSocketCtor {
  return class {
    constructor(url: string) {
      const ws = new Base(url);
      const send = ws.send.bind(ws);
      const shim = ws as WebSocketLike;
      shim.send = (data: Uint8Array): void => {
        let kind: number;
        try {
          kind = decodeClientMessage(data).kind;
        } catch {
          return;
        }
        if (kind === ClientKind.Hello) send(encodeClientMessage({ kind: ClientKind.Watch, version: PROTOCOL_VERSION, room }));
        else if (kind === ClientKind.Ping) send(data);
      };
      return shim;
    }
  } as unknown as WebSocketCtor;
}
