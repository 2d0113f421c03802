import { describe, expect, it } from 'vitest';
import { CloseCode, NO_BASELINE } from '../../../protocol/index.ts';
import { ClientBudget } from '../../../game-server/net/budget.ts';
import { ClientChannel, type ClientLink } from '../../../game-server/net/client-channel.ts';
import { InterestGrid } from '../../../game-server/net/interest-grid.ts';
import { interestView } from '../../../game-server/net/view-policy.ts';

function link(): ClientLink & { buffered: number; closed: { code: number; reason: string } | null } {
  const l = {
    isOpen: true,
    viewWidth: 1280,
    viewHeight: 720,
    buffered: 0,
    closed: null as { code: number; reason: string } | null,
    send: () => {},
    close: (code: number, reason: string) => {
      l.closed = { code, reason };
      l.isOpen = false;
    },
    bufferedAmount: () => l.buffered,
    cork: (fn: () => void) => fn(),
  };
  return l;
}

const limits = { softLimitBytes: 1000, timeoutMs: 500 };
const budget = (): ClientBudget => new ClientBudget(new InterestGrid(4096, 4096), 1000 / 30, 65536);

describe('ClientChannel', () => {
  it('skips while over the soft limit, forgives a client that catches up, and closes one stuck past the timeout', () => {
    const l = link();
    const c = new ClientChannel(1, l, budget());
    expect(c.admit(0, limits)).toBe(true);
    l.buffered = 5000;
    expect(c.admit(100, limits)).toBe(false);
    expect(c.admit(500, limits)).toBe(false);
    l.buffered = 0;
    expect(c.admit(550, limits)).toBe(true);
    // The clock starts over: 500 ms more of skipping before a close.
    l.buffered = 5000;
    expect(c.admit(600, limits)).toBe(false);
    expect(c.admit(1100, limits)).toBe(false);
    expect(l.closed).toBeNull();
    expect(c.admit(1101, limits)).toBe(false);
    expect(l.closed?.code).toBe(CloseCode.SlowConsumer);
    expect(l.closed?.reason).toMatch(/not reading/);
    expect(c.snapshotsSkipped).toBe(5);
  });

  it("this tick's view never overwrites the view its baseline was sent with", () => {
    const c = new ClientChannel(1, link(), budget());
    const policy = interestView(new InterestGrid(4096, 4096));
    expect(c.baseline).toEqual({ tick: NO_BASELINE, view: null });
    const v1 = c.look(policy, 500, 500);
    c.delivered(7);
    const sent = { ...v1 };
    // The next tick's view is elsewhere; a skipped snapshot (no delivered()) and another look.
    c.look(policy, 3000, 3000);
    const v3 = c.look(policy, 3500, 3500);
    expect(c.baseline.tick).toBe(7);
    expect(c.baseline.view).toEqual(sent);
    expect(v3).not.toBe(c.baseline.view);
    expect(v3.cx0).toBeGreaterThan(sent.cx1);
  });
});
