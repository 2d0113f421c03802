import { describe, expect, it } from 'vitest';
import { UpgradeGuard } from '../../../game-server/http/upgrade-guard.ts';

describe('UpgradeGuard', () => {
  it('refuses a browser on a foreign origin (403) but not a client without one', () => {
    const g = new UpgradeGuard({ allowedOrigins: ['https://play.example.com'], maxConnectionsPerIp: 0 });
    expect(g.admit('https://evil.example', '1.2.3.4')).toEqual({ status: '403 Forbidden', why: 'origin https://evil.example is not allowed' });
    expect(g.admit('https://play.example.com', '1.2.3.4')).toBeNull();
    expect(g.admit('', '1.2.3.4')).toBeNull();
    expect(g.openFrom('1.2.3.4')).toBe(2);
  });

  it('counts connections per address up to the limit (429), and frees a place when one ends', () => {
    const g = new UpgradeGuard({ allowedOrigins: null, maxConnectionsPerIp: 2 });
    expect(g.admit('', 'a')).toBeNull();
    expect(g.admit('', 'a')).toBeNull();
    expect(g.admit('', 'a')?.status).toBe('429 Too Many Requests');
    expect(g.admit('', 'b')).toBeNull();
    g.release('a');
    expect(g.admit('', 'a')).toBeNull();
    g.release('a');
    g.release('a');
    expect(g.openFrom('a')).toBe(0);
    // A refused upgrade is not counted.
    expect(g.openFrom('b')).toBe(1);
  });
});
