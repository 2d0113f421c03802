/**
 * Test certificates and the external programs the TLS and proxy tests need. A missing
 * program fails the test with the line that installs it: these tests never skip.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import {
  ClientKind,
  PROTOCOL_VERSION,
  ServerKind,
  decodeServerMessage,
  encodeClientMessage,
  type ServerMessage,
  type WelcomeMsg,
} from '../../protocol/index.ts';
import { waitFor } from './harness.ts';

/** The first of these paths that exists, else an error naming the install command. */
export function requireProgram(name: string, paths: readonly string[], install: string): string {
  const found = paths.find((p) => existsSync(p));
  if (found === undefined) throw new Error(`this test needs ${name} (looked in ${paths.join(', ')}): ${install}`);
  return found;
}

const openssl = (): string =>
  requireProgram('openssl', ['/usr/bin/openssl', '/usr/local/bin/openssl', '/opt/homebrew/bin/openssl'],
    'sudo apt-get install -y openssl (macOS: brew install openssl)');

export interface TestCertificate {
  certFile: string;
  keyFile: string;
  /** The certificate's PEM, for clients to verify the server against (`ca`). */
  cert: string;
}

/** A self-signed certificate for 127.0.0.1 and localhost, valid for a day, made in `dir`. */
export function makeCertificate(dir: string): TestCertificate {
  const bin = openssl();
  const certFile = join(dir, 'c.pem');
  const keyFile = join(dir, 'k.pem');
  execFileSync(
    bin,
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    { stdio: 'pipe' },
  );
  return { certFile, keyFile, cert: execFileSync(bin, ['x509', '-in', certFile]).toString() };
}

export interface WssPlayer {
  ws: WebSocket;
  welcome: WelcomeMsg;
  /** Snapshots received so far. */
  snapshots(): number;
}

/**
 * A player on any WebSocket URL (the harness's TestClient speaks ws:// to the server's
 * own port only): opens, says hello, resolves on the Welcome.
 */
export async function joinOverWss(
  url: string,
  opts: WebSocket.ClientOptions,
  name: string,
  /** A seat from POST /api/seat: its room and ticket go in the Hello. */
  seat?: { room: string; ticket: string },
): Promise<WssPlayer> {
  const ws = new WebSocket(url, opts);
  ws.binaryType = 'arraybuffer';
  const got: ServerMessage[] = [];
  ws.on('message', (data: ArrayBuffer) => got.push(decodeServerMessage(new Uint8Array(data))));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(
    encodeClientMessage(
      seat
        ? { kind: ClientKind.Hello, version: PROTOCOL_VERSION, name, room: seat.room, ticket: seat.ticket }
        : { kind: ClientKind.Hello, version: PROTOCOL_VERSION, name, room: '' },
    ),
  );
  const welcome = await waitFor(
    () => got.find((m): m is WelcomeMsg => m.kind === ServerKind.Welcome),
    `a Welcome for ${name} over ${url}`,
  );
  return { ws, welcome, snapshots: () => got.filter((m) => m.kind === ServerKind.Snapshot).length };
}
