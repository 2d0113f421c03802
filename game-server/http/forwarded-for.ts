/**
 * Who a connection really comes from when it arrives through a reverse proxy. The proxy
 * appends the address it saw to X-Forwarded-For; everything left of that is whatever the
 * client chose to send. So the header is read only when the socket itself is a trusted
 * proxy, from the right, skipping trusted hops, and the first untrusted address is the
 * client. Anything that does not parse sends us back to the socket address: a header we
 * cannot read proves nothing, and a wrong guess would let one client pose as many.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** The proxies trusted when --trust-proxy is given without a list. */
export const DEFAULT_TRUSTED_PROXIES: readonly string[] = ['127.0.0.1', '::1'];

/** More hops than any real deployment has; past it the chain is not worth believing. */
const MAX_HOPS = 32;

/**
 * One canonical text per address, so that one client is one key for the per-address
 * limit: IPv6 compressed and lower-case (uWS writes all eight groups in full), IPv4 that
 * arrives mapped into IPv6 (a dual-stack socket) as plain IPv4. null if not an address.
 */
export function canonicalIp(text: string): string | null {
  if (isIPv4(text)) return text;
  if (!isIPv6(text) || text.includes('%')) return null;
  // The URL parser compresses IPv6 the way RFC 5952 prints it.
  const host = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (mapped) {
    const hi = parseInt(mapped[1]!, 16);
    const lo = parseInt(mapped[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
  return dotted ? dotted[1]! : host;
}

/**
 * An address as proxies write it in X-Forwarded-For: bare, IPv4 with a port
 * (1.2.3.4:5678), or bracketed IPv6 with or without one ([2001:db8::1]:443).
 */
function hopAddress(entry: string): string | null {
  const e = entry.trim();
  const withPort = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(e) ?? /^(\d+\.\d+\.\d+\.\d+):(\d{1,5})$/.exec(e);
  if (withPort === null) return canonicalIp(e);
  const [, addr, port] = withPort as unknown as [string, string, string | undefined];
  if (port !== undefined && Number(port) > 65535) return null;
  // Brackets are for IPv6 only.
  return e.startsWith('[') && !isIPv6(addr) ? null : canonicalIp(addr);
}

/** Is `entry` an address or a CIDR block (10.0.0.0/8, fd00::/8) that --trust-proxy takes? */
export function isProxySpec(entry: string): boolean {
  const [addr, prefix, extra] = entry.split('/');
  if (extra !== undefined || addr === undefined) return false;
  const ip = canonicalIp(addr);
  if (ip === null) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (isIPv4(ip) ? 32 : 128);
}

export class TrustedProxies {
  private readonly list = new BlockList();

  /** Addresses or CIDR blocks; throws on an entry isProxySpec() refuses. */
  constructor(specs: readonly string[]) {
    for (const spec of specs) {
      if (!isProxySpec(spec)) throw new Error(`not an IP address or CIDR block: "${spec}"`);
      const [addr, prefix] = spec.split('/') as [string, string | undefined];
      const ip = canonicalIp(addr)!;
      const family = isIPv4(ip) ? 'ipv4' : 'ipv6';
      if (prefix === undefined) this.list.addAddress(ip, family);
      else this.list.addSubnet(ip, Number(prefix), family);
    }
  }

  /** `ip` must be canonical (canonicalIp). */
  has(ip: string): boolean {
    return this.list.check(ip, isIPv4(ip) ? 'ipv4' : 'ipv6');
  }

  /**
   * The client's address for a connection from `socketIp` (canonical) that carried these
   * X-Forwarded-For values (every header line, in order). The socket address unless it
   * is a trusted proxy and the header parses back to an untrusted hop.
   */
  clientAddress(socketIp: string, forwardedFor: readonly string[]): string {
    if (!this.has(socketIp) || forwardedFor.length === 0) return socketIp;
    // Several header lines mean the same as one joined with commas (RFC 9110 §5.3).
    const hops = forwardedFor.join(',').split(',');
    let client = socketIp;
    for (let i = hops.length - 1, seen = 0; i >= 0; i--, seen++) {
      if (seen === MAX_HOPS) return socketIp;
      const ip = hopAddress(hops[i]!);
      if (ip === null) return socketIp;
      client = ip;
      if (!this.has(ip)) return ip;
    }
    // Every hop was a trusted proxy: the left-most one is as far back as anyone vouches for.
    return client;
  }
}
