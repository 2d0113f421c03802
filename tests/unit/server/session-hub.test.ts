/**
 * The session hub in memory: connections, frame checks, dispatch and handshake expiry,
 * with no uWS and no timer (the memory transport stands in for sockets).
 */
import { describe, expect, it } from 'vitest';
import {
  Button,
  ClientKind,
  CloseCode,
  EventType,
  Notice,
  ServerKind,
} from '../../../protocol/index.ts';
import { memoryGame } from './memory-game.ts';

describe('session hub', () => {
  it('a hello gets Welcome first, then Roster and MatchState; the first tick brings the snapshot', () => {
    const g = memoryGame();
    const a = g.connect();
    a.hello('alice');
    expect(a.kinds()).toEqual([ServerKind.Welcome, ServerKind.Roster, ServerKind.MatchState]);
    const w = a.welcome();
    expect(w.playerId).toBeGreaterThan(0);
    expect(w.resumed).toBe(false);
    expect(a.of(ServerKind.Roster)[0]!.players).toEqual([{ id: w.playerId, name: 'alice' }]);
    g.tick();
    expect(a.kinds().at(-1)).toBe(ServerKind.Snapshot);
    expect(g.game.sessions.size).toBe(1);
    expect(g.game.playerCount).toBe(1);
  });

  it('a ping before hello is answered; an input or chat before hello closes with UnexpectedMessage', () => {
    const g = memoryGame();
    const a = g.connect();
    a.send({ kind: ClientKind.Ping, clientTime: 123 });
    expect(a.of(ServerKind.Pong)).toMatchObject([{ clientTime: 123 }]);
    a.send({ kind: ClientKind.Input, seq: 1, buttons: 0, aim: 0 });
    expect(a.closed).toMatchObject({ code: CloseCode.UnexpectedMessage, reason: 'input before hello' });
    const b = g.connect();
    b.send({ kind: ClientKind.Chat, text: 'hi' });
    expect(b.closed?.code).toBe(CloseCode.UnexpectedMessage);
    expect(g.game.sessions.size).toBe(0);
  });

  it('text frames, oversized frames and garbage close only their sender, each with its code', () => {
    const g = memoryGame({ maxFrameBytes: 64 });
    const ok = g.connect();
    ok.hello('ok');
    const text = g.connect();
    text.conn.send(new TextEncoder().encode('hello'), false);
    expect(text.closed?.code).toBe(CloseCode.Malformed);
    const big = g.connect();
    big.conn.send(new Uint8Array(65));
    expect(big.closed?.code).toBe(CloseCode.FrameTooLarge);
    const junk = g.connect();
    junk.conn.send(new Uint8Array([0xc1, 0x00]));
    expect(junk.closed?.code).toBe(CloseCode.Malformed);
    g.tick();
    expect(ok.closed).toBeNull();
    expect(ok.kinds().at(-1)).toBe(ServerKind.Snapshot);
    expect([...g.game.closesByCode.entries()].sort()).toEqual([
      [CloseCode.Malformed, 2],
      [CloseCode.FrameTooLarge, 1],
    ]);
  });

  it('a connection silent past the handshake timeout is closed with HandshakeTimeout; one that said hello is not', () => {
    const g = memoryGame({ handshakeTimeoutMs: 1000 });
    const quiet = g.connect();
    const talker = g.connect();
    talker.hello('t');
    g.tick();
    expect(quiet.closed).toBeNull();
    g.advance(1001);
    g.tick();
    expect(quiet.closed).toMatchObject({ code: CloseCode.HandshakeTimeout });
    expect(talker.closed).toBeNull();
  });

  it('inputs reach the player and are acknowledged in its snapshots', () => {
    const g = memoryGame();
    const a = g.connect();
    a.hello('walker');
    const player = a.session.slot!;
    const x0 = player.state.x;
    for (let seq = 1; seq <= 10; seq++) {
      a.send({ kind: ClientKind.Input, seq, buttons: Button.Right, aim: 0 });
      g.tick();
    }
    // Inputs sent between ticks are applied by the ticks after them.
    g.tick(2);
    expect(player.state.x).toBeGreaterThan(x0);
    expect(a.of(ServerKind.Snapshot).at(-1)!.ackSeq).toBe(10);
  });

  it('chat goes to the room with the next tick; over the chat rate the sender gets a Notice and stays', () => {
    const g = memoryGame({ maxChatPerSecond: 1 });
    const a = g.connect();
    a.hello('a');
    const b = g.connect();
    b.hello('b', a.welcome().roomCode);
    for (let i = 0; i < 4; i++) a.send({ kind: ClientKind.Chat, text: `line ${i}` });
    g.tick();
    const heard = b.of(ServerKind.Events).flatMap((e) => e.events).filter((e) => e.type === EventType.Chat);
    expect(heard.map((e) => (e.type === EventType.Chat ? e.text : ''))).toEqual(['line 0', 'line 1', 'line 2']);
    const told = a.of(ServerKind.Events).flatMap((e) => e.events).filter((e) => e.type === EventType.Notice);
    expect(told).toMatchObject([{ notice: Notice.ChatRateLimited }]);
    expect(a.closed).toBeNull();
  });

  it('a bug while handling one client closes that client with 1011; the others play on', () => {
    const g = memoryGame();
    const a = g.connect();
    a.hello('a');
    const b = g.connect();
    b.hello('b', a.welcome().roomCode);
    // A message whose handling throws something that is not a protocol error.
    a.session.slot!.inputs.push = () => {
      throw new TypeError('a bug');
    };
    a.send({ kind: ClientKind.Input, seq: 1, buttons: 0, aim: 0 });
    expect(a.closed).toEqual({ code: 1011, reason: 'internal server error' });
    const before = b.of(ServerKind.Snapshot).length;
    g.tick(3);
    expect(b.of(ServerKind.Snapshot).length).toBe(before + 3);
    expect(b.closed).toBeNull();
    // Closed by the server for a bug: not kept for a resume.
    expect(g.game.keptPlayers).toBe(0);
    expect(g.game.playerCount).toBe(1);
  });
});
