/**
 * The certificate and key for serving https/wss without a proxy, checked before uWS sees
 * them: uWS reads the files itself and, when anything is wrong, says only "App
 * construction failed". A host deserves to know which file and what is wrong with it.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TlsFiles } from '../config.ts';

export class TlsConfigError extends Error {}

export interface CheckedTls {
  /** The certificate's subject, e.g. 'CN=play.example.com'. */
  subject: string;
  /** When it stops being valid. */
  validTo: Date;
}

function readPem(what: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new TlsConfigError(`cannot read the TLS ${what} ${file}: ${why}`);
  }
}

/** Throws TlsConfigError with a sentence a host can act on; never returns a half-valid pair. */
export function checkTlsFiles(tls: TlsFiles): CheckedTls {
  const certPem = readPem('certificate', tls.certFile);
  const keyPem = readPem('key', tls.keyFile);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    throw new TlsConfigError(`the TLS certificate ${tls.certFile} is not a PEM certificate`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    const encrypted = /ENCRYPTED/.test(keyPem) || /passphrase/i.test((err as Error).message);
    throw new TlsConfigError(
      encrypted
        ? `the TLS key ${tls.keyFile} is encrypted; give an unencrypted key (openssl pkey -in KEY -out PLAIN)`
        : `the TLS key ${tls.keyFile} is not a PEM private key`,
    );
  }
  if (!cert.checkPrivateKey(key))
    throw new TlsConfigError(`the TLS key ${tls.keyFile} does not belong to the certificate ${tls.certFile}`);
  return { subject: cert.subject.replace(/\n/g, ', '), validTo: new Date(cert.validTo) };
}
