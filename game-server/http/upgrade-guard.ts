/**
 * Who may open a WebSocket, decided before the upgrade: browsers on foreign origins are
 * refused (403), and no address holds more than its share of connections (429), the
 * address being the client's as a trusted proxy reports it (forwarded-for.ts). Pure
 * bookkeeping, no socket library: the binding asks, then reports each socket's end.
 */
import { TrustedProxies, canonicalIp } from './forwarded-for.ts';

/** The request's headers as uWS's HttpRequest offers them (lower-case names). */
export interface HeaderSource {
  forEach(visit: (name: string, value: string) => void): void;
}

export interface Refusal {
  /** HTTP status line, e.g. '403 Forbidden'. */
  status: string;
  why: string;
}

export interface UpgradeGuardOptions {
  /** Origins that may connect; null: any. */
  allowedOrigins: readonly string[] | null;
  /** Open connections per remote address; 0: no limit. */
  maxConnectionsPerIp: number;
  /** Proxies whose X-Forwarded-For is believed (addresses, CIDR blocks); null: the header is ignored. */
  trustProxy?: readonly string[] | null;
}

export class UpgradeGuard {
  private readonly origins: ReadonlySet<string> | null;
  private readonly perAddress = new Map<string, number>();
  private readonly proxies: TrustedProxies | null;

  constructor(private readonly opts: UpgradeGuardOptions) {
    this.origins = opts.allowedOrigins ? new Set(opts.allowedOrigins) : null;
    this.proxies = opts.trustProxy ? new TrustedProxies(opts.trustProxy) : null;
  }

  /**
   * The address a connection is counted and logged under: the socket's (as uWS writes
   * it), or, when that socket is a trusted proxy, the client it forwards for.
   */
  clientAddress(socketAddress: string, headers: HeaderSource): string {
    const socketIp = canonicalIp(socketAddress) ?? socketAddress;
    if (this.proxies === null || !this.proxies.has(socketIp)) return socketIp;
    const forwardedFor: string[] = [];
    headers.forEach((name, value) => {
      if (name === 'x-forwarded-for') forwardedFor.push(value);
    });
    return this.proxies.clientAddress(socketIp, forwardedFor);
  }

  /**
   * May a connection from `address` with this Origin header ('' if none) open? If so it
   * is counted from now on, until release(address).
   */
  admit(origin: string, address: string): Refusal | null {
    // Browsers always send Origin; a page on a foreign site is refused here so it cannot
    // play with its visitors' connections. Clients without one (bots, native) are not
    // browsers, and could claim any Origin anyway.
    if (this.origins && origin !== '' && !this.origins.has(origin))
      return { status: '403 Forbidden', why: `origin ${origin} is not allowed` };
    const open = this.perAddress.get(address) ?? 0;
    const max = this.opts.maxConnectionsPerIp;
    if (max > 0 && open >= max)
      return { status: '429 Too Many Requests', why: `too many connections from ${address} (limit ${max})` };
    this.perAddress.set(address, open + 1);
    return null;
  }

  /** A connection admitted earlier has ended. */
  release(address: string): void {
    const n = (this.perAddress.get(address) ?? 1) - 1;
    if (n > 0) this.perAddress.set(address, n);
    else this.perAddress.delete(address);
  }

  /** Connections counted for an address right now. */
  openFrom(address: string): number {
    return this.perAddress.get(address) ?? 0;
  }
}
