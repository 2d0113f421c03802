import { describe, expect, it } from 'vitest';
import { DEFAULT_TRUSTED_PROXIES, TrustedProxies, canonicalIp, isProxySpec } from '../../../game-server/http/forwarded-for.ts';
import { UpgradeGuard, type HeaderSource } from '../../../game-server/http/upgrade-guard.ts';

const headers = (...pairs: [string, string][]): HeaderSource => ({
  forEach: (visit) => {
    for (const [k, v] of pairs) visit(k, v);
  },
});
const xff = (...values: string[]): HeaderSource => headers(...values.map((v): [string, string] => ['x-forwarded-for', v]));

describe('canonicalIp', () => {
  it('gives one text per address: IPv6 compressed, IPv4-mapped IPv6 as IPv4 (as uWS writes them)', () => {
    expect(canonicalIp('0000:0000:0000:0000:0000:0000:0000:0001')).toBe('::1');
    expect(canonicalIp('0000:0000:0000:0000:0000:ffff:7f00:0001')).toBe('127.0.0.1');
    expect(canonicalIp('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(canonicalIp('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(canonicalIp('203.0.113.9')).toBe('203.0.113.9');
  });

  it('refuses what is not an address', () => {
    for (const bad of ['', 'unknown', 'localhost', '1.2.3', '1.2.3.4.5', '300.1.1.1', 'fe80::1%eth0', '[::1]', '1.2.3.4 ']) expect(canonicalIp(bad), bad).toBeNull();
  });
});

describe('TrustedProxies.clientAddress', () => {
  const loopback = new TrustedProxies(DEFAULT_TRUSTED_PROXIES);

  it('takes the address a trusted proxy appended', () => {
    expect(loopback.clientAddress('127.0.0.1', ['203.0.113.7'])).toBe('203.0.113.7');
    expect(loopback.clientAddress('::1', ['2001:db8::7'])).toBe('2001:db8::7');
  });

  it('ignores the header on a connection that is not from a trusted proxy (a spoof)', () => {
    expect(loopback.clientAddress('198.51.100.4', ['203.0.113.7'])).toBe('198.51.100.4');
    expect(new TrustedProxies(['10.0.0.1']).clientAddress('127.0.0.1', ['203.0.113.7'])).toBe('127.0.0.1');
  });

  it('in a chain of hops takes the right-most address that is not a trusted proxy, whatever the client put left of it', () => {
    const proxies = new TrustedProxies(['127.0.0.1', '10.0.0.0/8']);
    // client-sent lie, real client, edge proxy, inner proxy; the socket is the last proxy.
    expect(proxies.clientAddress('127.0.0.1', ['6.6.6.6, 203.0.113.7, 10.0.0.5, 10.1.2.3'])).toBe('203.0.113.7');
    // The same chain split over several header lines (HAProxy adds a line per hop).
    expect(proxies.clientAddress('127.0.0.1', ['6.6.6.6', '203.0.113.7', '10.0.0.5,10.1.2.3'])).toBe('203.0.113.7');
    // Only loopback trusted: the 10.x hop is the client as far as we can tell.
    expect(loopback.clientAddress('127.0.0.1', ['203.0.113.7, 10.0.0.5'])).toBe('10.0.0.5');
    // Every hop trusted: the furthest one is as far back as anyone vouches for.
    expect(proxies.clientAddress('127.0.0.1', ['10.0.0.9, 10.0.0.5'])).toBe('10.0.0.9');
  });

  it('reads hops written with ports or brackets, and canonicalizes them', () => {
    expect(loopback.clientAddress('127.0.0.1', ['203.0.113.7:51234'])).toBe('203.0.113.7');
    expect(loopback.clientAddress('127.0.0.1', ['[2001:DB8::7]:443'])).toBe('2001:db8::7');
    expect(loopback.clientAddress('127.0.0.1', ['[2001:db8::7]'])).toBe('2001:db8::7');
    expect(loopback.clientAddress('127.0.0.1', ['::ffff:203.0.113.7'])).toBe('203.0.113.7');
  });

  it('falls back to the socket address on garbage, never throws', () => {
    const garbage = ['', ' ', ',', 'unknown', 'evil.example', '203.0.113.7,', '1.2.3.4:99999', '[1.2.3.4]', '\u0000', 'x'.repeat(5000),
      '203.0.113.7, , 127.0.0.1', '999.0.0.1', '::1%lo', ']:80', `${'127.0.0.1,'.repeat(40)}127.0.0.1`];
    for (const g of garbage) expect(loopback.clientAddress('127.0.0.1', [g]), JSON.stringify(g.slice(0, 40))).toBe('127.0.0.1');
    // The unread part left of the client's address may be anything.
    expect(loopback.clientAddress('127.0.0.1', ['junk, 203.0.113.7'])).toBe('203.0.113.7');
  });

  it('takes addresses and CIDR blocks, and nothing else', () => {
    for (const ok of ['127.0.0.1', '::1', '10.0.0.0/8', 'fd00::/8', '0.0.0.0/0']) expect(isProxySpec(ok), ok).toBe(true);
    for (const bad of ['', 'localhost', '10.0.0.0/33', '::/129', '10.0.0.0/8/1', '10.0.0.0/x', '1.2.3.4:80']) expect(isProxySpec(bad), bad).toBe(false);
    expect(() => new TrustedProxies(['proxy.local'])).toThrow(/not an IP address or CIDR block/);
    const cidr = new TrustedProxies(['fd00::/8']);
    expect(cidr.has('fd12::1')).toBe(true);
    expect(cidr.has('fe12::1')).toBe(false);
  });
});

describe('UpgradeGuard.clientAddress', () => {
  it('without trustProxy the header is never read', () => {
    const g = new UpgradeGuard({ allowedOrigins: null, maxConnectionsPerIp: 1 });
    const untouchable: HeaderSource = {
      forEach: () => {
        throw new Error('headers read');
      },
    };
    expect(g.clientAddress('127.0.0.1', untouchable)).toBe('127.0.0.1');
    expect(g.clientAddress('0000:0000:0000:0000:0000:0000:0000:0001', untouchable)).toBe('::1');
  });

  it('with trustProxy reads every X-Forwarded-For line from a trusted socket, and nothing from others', () => {
    const g = new UpgradeGuard({ allowedOrigins: null, maxConnectionsPerIp: 1, trustProxy: DEFAULT_TRUSTED_PROXIES });
    const h = headers(['host', 'x'], ['x-forwarded-for', '6.6.6.6'], ['x-forwarded-for', '203.0.113.7'], ['x-real-ip', '1.1.1.1']);
    expect(g.clientAddress('0000:0000:0000:0000:0000:ffff:7f00:0001', h)).toBe('203.0.113.7');
    expect(g.clientAddress('198.51.100.4', xff('203.0.113.7'))).toBe('198.51.100.4');
    expect(g.clientAddress('127.0.0.1', headers())).toBe('127.0.0.1');
    // Two players behind the proxy are two addresses for the limit.
    expect(g.admit('', g.clientAddress('127.0.0.1', xff('203.0.113.1')))).toBeNull();
    expect(g.admit('', g.clientAddress('127.0.0.1', xff('203.0.113.2')))).toBeNull();
    expect(g.admit('', g.clientAddress('127.0.0.1', xff('203.0.113.2')))?.status).toBe('429 Too Many Requests');
  });
});
