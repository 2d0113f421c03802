/**
 * The lobby in memory: hello, room choice through the directory, refusals, resume and
 * the end of a player, with no uWS and no timer.
 */
import { describe, expect, it } from 'vitest';
import { ClientKind, CloseCode, CREATE_PRIVATE_ROOM, PROTOCOL_VERSION, ServerKind, encodeClientMessage } from '../../../protocol/index.ts';
import { memoryGame } from './memory-game.ts';

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
    // The Welcome says so, for where the client goes after a restart (README §13).
    expect(p.welcome().privateRoom).toBe(true);
    expect(a.welcome().privateRoom).toBe(false);
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
