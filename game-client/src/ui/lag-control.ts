/**
 * The F3 overlay's network-delay control: lag and jitter in ms, each way. With the page
 * opened with ?lag= or ?jitter= (the sockets then go through browser-lag.ts), a change
 * applies at once, to the messages sent from then on; otherwise it reloads the page into
 * the same room with the new ?lag= and ?jitter= (a plain socket cannot be slowed later).
 */
import { MAX_PAGE_LAG_MS, type PageLag } from '../net/browser-lag.ts';
import { show, ui } from './dom.ts';

export class LagControl {
  constructor(
    private readonly lag: PageLag | null,
    private readonly roomCode: () => string,
    signal: AbortSignal,
  ) {
    const lagInput = ui.lagInput();
    const jitterInput = ui.jitterInput();
    lagInput.value = String(lag?.latencyMs ?? 0);
    jitterInput.value = String(lag?.jitterMs ?? 0);
    const apply = (): void => {
      const ms = (el: HTMLInputElement): number => Math.min(MAX_PAGE_LAG_MS, Math.max(0, Math.round(Number(el.value) || 0)));
      const latencyMs = ms(lagInput);
      const jitterMs = ms(jitterInput);
      if (this.lag) {
        this.lag.latencyMs = latencyMs;
        this.lag.jitterMs = jitterMs;
        return;
      }
      const u = new URL(window.location.href);
      u.searchParams.set('lag', String(latencyMs));
      u.searchParams.set('jitter', String(jitterMs));
      const code = this.roomCode();
      if (code) u.searchParams.set('room', code);
      window.location.href = u.href;
    };
    lagInput.addEventListener('change', apply, { signal });
    jitterInput.addEventListener('change', apply, { signal });
  }

  setVisible(visible: boolean): void {
    show(ui.lagControl(), visible);
  }
}
