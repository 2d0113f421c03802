/**
 * Resume tokens: what lets a player whose connection dropped come back as the same
 * player (same id, position, score, seat) instead of a stranger.
 *
 * Every player gets an unguessable token in its Welcome. When its socket drops the
 * player is kept (frozen, still in its room) for a grace period; a Hello carrying the
 * token within it gets the player back, and a fresh token (the old one is spent, so a
 * copy of it is worth nothing afterwards). A token is refused when nobody has it, when
 * its grace ran out, or while its player is still connected (someone else's copy).
 * Time is passed in; the registry does nothing by itself.
 */
import { randomBytes } from 'node:crypto';
import { CloseCode, ProtocolError } from '../../protocol/index.ts';

/** 16 random bytes: 128 bits, 22 base64url characters. */
export const newResumeToken = (): string => randomBytes(16).toString('base64url');

interface Entry<T> {
  token: string;
  key: number;
  value: T;
  /** When the grace period of a dropped player ends; NaN while it is connected. */
  expiresAt: number;
}

export class ResumeRegistry<T> {
  private readonly byToken = new Map<string, Entry<T>>();
  private readonly byKey = new Map<number, Entry<T>>();
  private detachedCount = 0;

  constructor(private readonly makeToken: () => string = newResumeToken) {}

  /** Players kept for a possible resume right now (dropped, within grace). */
  get kept(): number {
    return this.detachedCount;
  }

  /** A (new) token for a connected player; any earlier token of the same key stops working. */
  issue(key: number, value: T): string {
    this.forget(key);
    let token = this.makeToken();
    while (this.byToken.has(token)) token = this.makeToken();
    const e: Entry<T> = { token, key, value, expiresAt: Number.NaN };
    this.byToken.set(token, e);
    this.byKey.set(key, e);
    return token;
  }

  /** The player's connection dropped: keep it until now + graceMs. False if it has no token. */
  detach(key: number, now: number, graceMs: number): boolean {
    const e = this.byKey.get(key);
    if (!e) return false;
    if (Number.isNaN(e.expiresAt)) this.detachedCount++;
    e.expiresAt = now + graceMs;
    return true;
  }

  /**
   * The kept player a Hello's token names. It is then connected again and the token is
   * spent: issue() the next one. Throws ProtocolError(ResumeRefused) otherwise.
   */
  claim(token: string, now: number): { key: number; value: T } {
    const e = this.byToken.get(token);
    if (!e) throw new ProtocolError(CloseCode.ResumeRefused, 'unknown resume token (expired, already used, or from another server)');
    if (Number.isNaN(e.expiresAt))
      throw new ProtocolError(CloseCode.ResumeRefused, 'resume token is in use by a connected player');
    if (now > e.expiresAt) throw new ProtocolError(CloseCode.ResumeRefused, 'resume token expired');
    this.forget(e.key);
    return { key: e.key, value: e.value };
  }

  /** Drop a player's token (it left for good). */
  forget(key: number): void {
    const e = this.byKey.get(key);
    if (!e) return;
    if (!Number.isNaN(e.expiresAt)) this.detachedCount--;
    this.byKey.delete(key);
    this.byToken.delete(e.token);
  }

  /** Remove and return the kept players whose grace period ended before `now`. */
  expire(now: number): { key: number; value: T }[] {
    if (this.detachedCount === 0) return [];
    const out: { key: number; value: T }[] = [];
    for (const e of this.byKey.values()) {
      if (now > e.expiresAt) {
        out.push({ key: e.key, value: e.value });
        this.forget(e.key);
      }
    }
    return out;
  }
}
