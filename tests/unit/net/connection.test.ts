import { describe, it, expect, beforeEach } from 'vitest';
import {
  ClientKind,
  CloseCode,
  ServerKind,
  decodeClientMessage,
  encodeServerMessage,
  type ServerMessage,
} from '../../../protocol/index.ts';
import { Connection } from '../../../game-client/src/net/connection.ts';
import { FakeSocket } from './helpers.ts';

function setup() {
  FakeSocket.instances = [];
  const conn = new Connection('ws://test/ws', FakeSocket);
  const sock = FakeSocket.instances[0]!;
  const messages: ServerMessage[] = [];
  const closes: [number, string][] = [];
  conn.onMessage((m) => messages.push(m));
  conn.onClose((c, r) => closes.push([c, r]));
  return { conn, sock, messages, closes };
}

describe('Connection', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
  });

  it('asks for array buffers, decodes frames and counts bytes both ways', () => {
    const { conn, sock, messages } = setup();
    expect(sock.binaryType).toBe('arraybuffer');
    expect(conn.send({ kind: ClientKind.Ping, clientTime: 1 })).toBe(false); // not open yet
    sock.open();
    expect(conn.send({ kind: ClientKind.Ping, clientTime: 12.5 })).toBe(true);
    expect(decodeClientMessage(sock.sent[0]!)).toEqual({ kind: ClientKind.Ping, clientTime: 12.5 });
    expect(conn.bytesOut).toBe(sock.sent[0]!.byteLength);
    const pong = encodeServerMessage({ kind: ServerKind.Pong, clientTime: 12.5, serverTime: 99 });
    sock.deliver(pong);
    expect(messages).toEqual([{ kind: ServerKind.Pong, clientTime: 12.5, serverTime: 99 }]);
    expect(conn.bytesIn).toBe(pong.byteLength);
  });

  it('closes with a clear reason on a frame it cannot decode, instead of throwing', () => {
    const { sock, messages, closes } = setup();
    sock.open();
    expect(() => sock.deliver(new Uint8Array([0xc1, 0xff, 0x00]))).not.toThrow();
    expect(messages).toHaveLength(0);
    expect(closes).toHaveLength(1);
    expect(closes[0]![0]).toBe(CloseCode.Malformed);
    expect(closes[0]![1]).toMatch(/bad server frame/);
    expect(sock.closedWith?.code).toBe(CloseCode.Malformed);
    // Nothing more is delivered after the close.
    sock.deliver(encodeServerMessage({ kind: ServerKind.Pong, clientTime: 1, serverTime: 2 }));
    expect(messages).toHaveLength(0);
  });

  it('refuses text frames', () => {
    const { sock, closes } = setup();
    sock.open();
    sock.deliver('hello');
    expect(closes[0]![0]).toBe(CloseCode.Malformed);
  });

  it('reports the close exactly once, with the server code and reason', () => {
    const { conn, sock, closes } = setup();
    sock.open();
    sock.serverClose(CloseCode.RoomFull, 'room ABCD is full');
    conn.close();
    sock.serverClose(1000, 'again');
    expect(closes).toEqual([[CloseCode.RoomFull, 'room ABCD is full']]);
    expect(conn.isOpen).toBe(false);
  });

  it('a local close is reported at once, and a late server close is ignored', () => {
    const { conn, sock, closes } = setup();
    sock.open();
    conn.close(1000, 'bye');
    sock.serverClose(1000, 'bye');
    expect(closes).toEqual([[1000, 'bye']]);
    expect(sock.closedWith).toEqual({ code: 1000, reason: 'bye' });
  });
});
