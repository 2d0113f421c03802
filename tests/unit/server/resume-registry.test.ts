import { describe, expect, it } from 'vitest';
import { CloseCode, ProtocolError } from '../../../protocol/index.ts';
import { ResumeRegistry, newResumeToken } from '../../../game-server/net/resume.ts';

const refused = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    expect((e as ProtocolError).code).toBe(CloseCode.ResumeRefused);
    return (e as Error).message;
  }
  throw new Error('expected ResumeRefused');
};

describe('ResumeRegistry', () => {
  it('tokens are 128 random bits in base64url, all different', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const t = newResumeToken();
      expect(t).toMatch(/^[A-Za-z0-9_-]{22}$/);
      seen.add(t);
    }
    expect(seen.size).toBe(1000);
  });

  it('gives a dropped player back within its grace period, once, and spends the token', () => {
    const r = new ResumeRegistry<string>();
    const token = r.issue(7, 'room A');
    expect(r.kept).toBe(0);
    expect(r.detach(7, 1000, 15_000)).toBe(true);
    expect(r.kept).toBe(1);
    expect(r.claim(token, 15_999)).toEqual({ key: 7, value: 'room A' });
    expect(r.kept).toBe(0);
    expect(refused(() => r.claim(token, 16_000))).toMatch(/unknown/);
  });

  it('refuses a token while its player is connected (in use)', () => {
    const r = new ResumeRegistry<string>();
    const token = r.issue(1, 'x');
    expect(refused(() => r.claim(token, 0))).toMatch(/in use/);
    // Refusing does not spend it: the owner can still use it after a drop.
    r.detach(1, 0, 100);
    expect(r.claim(token, 50).key).toBe(1);
  });

  it('refuses an expired token and expire() hands back the players whose grace ran out', () => {
    const r = new ResumeRegistry<string>();
    const a = r.issue(1, 'a');
    r.issue(2, 'b');
    r.issue(3, 'c');
    r.detach(1, 0, 100);
    r.detach(2, 50, 100);
    expect(r.expire(100)).toEqual([]);
    expect(refused(() => r.claim(a, 101))).toMatch(/expired/);
    expect(r.expire(120)).toEqual([{ key: 1, value: 'a' }]);
    expect(r.expire(151)).toEqual([{ key: 2, value: 'b' }]);
    expect(r.kept).toBe(0);
    // 3 never dropped: never expires.
    expect(r.expire(1e12)).toEqual([]);
  });

  it('a new token replaces the old one; forget() drops both the token and the kept player', () => {
    const r = new ResumeRegistry<string>();
    const first = r.issue(5, 'r');
    const second = r.issue(5, 'r');
    expect(second).not.toBe(first);
    r.detach(5, 0, 1000);
    expect(refused(() => r.claim(first, 1))).toMatch(/unknown/);
    r.forget(5);
    expect(r.kept).toBe(0);
    expect(refused(() => r.claim(second, 1))).toMatch(/unknown/);
    expect(r.detach(5, 0, 1000)).toBe(false);
  });

  it('draws a new token when the generator repeats itself', () => {
    const tokens = ['same', 'same', 'other'];
    const r = new ResumeRegistry<number>(() => tokens.shift()!);
    expect(r.issue(1, 1)).toBe('same');
    expect(r.issue(2, 2)).toBe('other');
  });
});
