/**
 * The session hub and the lobby in memory: connections, frame checks, dispatch,
 * handshake expiry, hello, resume and room choice, with no uWS and no timer.
 */
import { describe, expect, it } from 'vitest';
import {
  Button,
  ClientKind,
  CloseCode,
  CREATE_PRIVATE_ROOM,
  EventType,
  Notice,
  PROTOCOL_VERSION,
  ServerKind,
  encodeClientMessage,
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
    // The input queue's jitter buffer may hold the latest one back a tick.
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

describe('lobby', () => {
  it('quick play seats newcomers together; a private room is its own; a code joins it', () => {
    const g = memoryGame();
    const a = g.connect();
    a.hello('a');
    const b = g.connect();
    b.hello('b');
    expect(b.welcome().roomCode).toBe(a.welcome().roomCode);
    const p = g.connect();
    p.hello('p', CREATE_PRIVATE_ROOM);
    const code = p.welcome().roomCode;
    expect(code).not.toBe(a.welcome().roomCode);
    expect(g.game.directory.rooms.get(code)!.isPublic).toBe(false);
    const q = g.connect();
    q.hello('q');
    expect(q.welcome().roomCode).toBe(a.welcome().roomCode);
    const f = g.connect();
    f.hello('f', code);
    expect(f.welcome().roomCode).toBe(code);
  });

  it('refuses a wrong version, a second hello, an unknown room and a full one, each with its code', () => {
    const g = memoryGame({ maxPlayers: 1 });
    const v = g.connect();
    v.send({ kind: ClientKind.Hello, version: PROTOCOL_VERSION + 1, name: 'v', room: '' });
    expect(v.closed?.code).toBe(CloseCode.VersionMismatch);
    const a = g.connect();
    a.hello('a');
    a.hello('a');
    expect(a.closed?.code).toBe(CloseCode.UnexpectedMessage);
    const b = g.connect();
    b.hello('b');
    const full = g.connect();
    full.hello('c', b.welcome().roomCode);
    expect(full.closed?.code).toBe(CloseCode.RoomFull);
    const lost = g.connect();
    lost.hello('d', 'ZZZZZ');
    expect(lost.closed?.code).toBe(CloseCode.RoomNotFound);
  });

  it('a dropped player is kept and resumed by its token; a player who left is gone; a spent token is refused', () => {
    const g = memoryGame();
    const a = g.connect();
    a.hello('a');
    const w = a.welcome();
    const player = a.session.slot!;
    a.conn.drop();
    expect(g.game.keptPlayers).toBe(1);
    expect(g.game.playerCount).toBe(1);
    const back = g.connect();
    back.hello('ignored', '', w.resumeToken);
    const w2 = back.welcome();
    expect(w2).toMatchObject({ playerId: w.playerId, resumed: true, roomCode: w.roomCode });
    expect(back.session.slot).toBe(player);
    expect(g.game.keptPlayers).toBe(0);
    const thief = g.connect();
    thief.hello('x', '', w.resumeToken);
    expect(thief.closed?.code).toBe(CloseCode.ResumeRefused);
    back.conn.close(1000);
    expect(g.game.playerCount).toBe(0);
    expect(g.game.keptPlayers).toBe(0);
    // The emptied room is gone from the directory.
    expect(g.game.directory.rooms.size).toBe(0);
  });

  it('a kept player whose grace ran out is removed and the others hear PlayerLeft', () => {
    const g = memoryGame({ resumeGraceMs: 500 });
    const a = g.connect();
    a.hello('a');
    const b = g.connect();
    b.hello('b', a.welcome().roomCode);
    g.tick();
    a.conn.drop();
    g.tick();
    expect(b.of(ServerKind.PlayerLeft)).toEqual([]);
    g.advance(600);
    g.tick();
    expect(b.of(ServerKind.PlayerLeft)).toEqual([{ kind: ServerKind.PlayerLeft, id: a.welcome().playerId }]);
    const late = g.connect();
    late.hello('a', '', a.welcome().resumeToken);
    expect(late.closed?.code).toBe(CloseCode.ResumeRefused);
  });

  it('works through any RoomDirectory: the lobby only uses the interface', () => {
    const g = memoryGame();
    const dir = g.game.directory;
    const calls: string[] = [];
    // Spy on the interface's methods; the lobby must take rooms only from them.
    for (const m of ['quickPlay', 'byCode', 'create', 'remove'] as const) {
      const orig = dir[m].bind(dir) as (...args: unknown[]) => unknown;
      (dir as unknown as Record<string, unknown>)[m] = (...args: unknown[]) => {
        calls.push(m);
        return orig(...args);
      };
    }
    const a = g.connect();
    a.hello('a', CREATE_PRIVATE_ROOM);
    const b = g.connect();
    b.hello('b', a.welcome().roomCode);
    const c = g.connect();
    c.hello('c');
    a.conn.close();
    b.conn.close();
    // (quick play found no public room, so the directory created one itself)
    expect(calls).toEqual(['create', 'byCode', 'quickPlay', 'create', 'remove']);
  });

  it('the hub sends nothing through a closed link and ignores frames after close', () => {
    const g = memoryGame();
    const a = g.connect();
    a.hello('a');
    a.conn.close();
    const n = a.conn.transport.framesSent;
    a.conn.send(encodeClientMessage({ kind: ClientKind.Ping, clientTime: 1 }));
    g.tick();
    expect(a.conn.transport.framesSent).toBe(n);
  });
});
