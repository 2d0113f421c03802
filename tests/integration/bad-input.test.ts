import { describe, expect, it } from 'vitest';
import { ClientKind, CloseCode, Limits, PROTOCOL_VERSION, encodeClientMessage } from '../../protocol/index.ts';
import { TestClient, perTestServer, waitFor } from './harness.ts';

const fx = perTestServer();
const client = (): TestClient => fx.client();

async function expectClosedWith(c: TestClient, code: number): Promise<string> {
  const { code: got, reason } = await c.closed();
  expect(got, `close reason: ${reason}`).toBe(code);
  expect(reason.length).toBeGreaterThan(0);
  return reason;
}

describe('bad input closes only the sender, with the documented code', () => {
  it('a malformed frame closes the sender with Malformed while another player keeps receiving snapshots', async () => {
    await fx.start();
    const good = client();
    const bad = client();
    const w = await good.join('good');
    await bad.join('bad', w.roomCode);
    bad.sendRaw(new Uint8Array([0x93, 0xc1, 0xff, 0x00]));
    await expectClosedWith(bad, CloseCode.Malformed);
    const n = good.snapshots().length;
    await waitFor(() => good.snapshots().length >= n + 10, 'the good client to keep receiving snapshots');
    expect(good.closeCode).toBeNull();
  });

  it('a hello with another protocol version is refused with VersionMismatch', async () => {
    await fx.start();
    const c = client();
    await c.open();
    c.send({ kind: ClientKind.Hello, version: PROTOCOL_VERSION + 1, name: 'old', room: '' });
    const reason = await expectClosedWith(c, CloseCode.VersionMismatch);
    expect(reason).toContain(String(PROTOCOL_VERSION));
  });

  it('an input before hello is refused with UnexpectedMessage', async () => {
    await fx.start();
    const c = client();
    await c.open();
    c.send({ kind: ClientKind.Input, seq: 1, buttons: 0, aim: 0 });
    await expectClosedWith(c, CloseCode.UnexpectedMessage);
  });

  it('a second hello is refused with UnexpectedMessage', async () => {
    await fx.start();
    const c = client();
    await c.join('twice');
    c.send({ kind: ClientKind.Hello, version: PROTOCOL_VERSION, name: 'twice', room: '' });
    await expectClosedWith(c, CloseCode.UnexpectedMessage);
  });

  it('a frame over the size limit is refused with FrameTooLarge', async () => {
    await fx.start();
    const c = client();
    await c.open();
    const big = new Uint8Array(Limits.MAX_CLIENT_FRAME_BYTES + 1).fill(0x01);
    big[0] = 0x92;
    c.sendRaw(big);
    await expectClosedWith(c, CloseCode.FrameTooLarge);
  });

  it('a text frame is refused with Malformed', async () => {
    await fx.start();
    const c = client();
    await c.open();
    c.sendRaw('[1,1,"x",""]');
    await expectClosedWith(c, CloseCode.Malformed);
  });

  it('a repeated input sequence number is refused with Malformed', async () => {
    await fx.start();
    const c = client();
    await c.join('repeat');
    c.send({ kind: ClientKind.Input, seq: 5, buttons: 0, aim: 0 });
    c.send({ kind: ClientKind.Input, seq: 5, buttons: 0, aim: 0 });
    await expectClosedWith(c, CloseCode.Malformed);
  });

  it('an unknown room code is refused with RoomNotFound', async () => {
    await fx.start();
    const c = client();
    await c.open();
    c.send({ kind: ClientKind.Hello, version: PROTOCOL_VERSION, name: 'lost', room: 'ZZZZZ' });
    await expectClosedWith(c, CloseCode.RoomNotFound);
  });

  it('a full room is refused with RoomFull, and quick play opens another room instead', async () => {
    await fx.start({ maxPlayers: 1 });
    const a = client();
    const wa = await a.join('first');
    const b = client();
    await b.open();
    b.send({ kind: ClientKind.Hello, version: PROTOCOL_VERSION, name: 'second', room: wa.roomCode });
    await expectClosedWith(b, CloseCode.RoomFull);
    const c = client();
    const wc = await c.join('third');
    expect(wc.roomCode).not.toBe(wa.roomCode);
  });

  it('a connection that never says hello is closed with HandshakeTimeout', async () => {
    await fx.start({ handshakeTimeoutMs: 200 });
    const c = client();
    await c.open();
    await expectClosedWith(c, CloseCode.HandshakeTimeout);
  });

  it('a client flooding inputs faster than the tick rate is closed with RateLimited', async () => {
    await fx.start();
    const other = client();
    const w = await other.join('bystander');
    const c = client();
    await c.join('flooder', w.roomCode);
    for (let seq = 1; seq <= 300; seq++)
      c.sendRaw(encodeClientMessage({ kind: ClientKind.Input, seq, buttons: 0, aim: 0 }));
    await expectClosedWith(c, CloseCode.RateLimited);
    const n = other.snapshots().length;
    await waitFor(() => other.snapshots().length >= n + 5, 'the bystander to keep receiving snapshots');
  });
});
