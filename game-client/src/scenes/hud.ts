/**
 * The in-game HTML layer: room code with an invite link, a status line, the F3 network
 * overlay and the connection-lost screen. HTML, not canvas, so it stays sharp at any
 * pixel ratio and costs the renderer nothing; all text goes through textContent.
 */
import type { ClientStats } from '../net/client.ts';
import { inviteLink, show, ui } from '../ui/dom.ts';

/** What the view-age line adds when the view is not comfortably inside the server's rewind limit. */
const VIEW_LIMIT_NOTE: Record<ClientStats['viewLimit'], string> = {
  ok: '',
  capped: ' (delay capped to fit)',
  beyond: ' BEYOND LIMIT: network too slow, shots may be refused',
};
const fmt = (v: number, digits = 0): string => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const kb = (bytesPerSec: number): string =>
  bytesPerSec >= 1024 ? `${(bytesPerSec / 1024).toFixed(1)} KB/s` : `${bytesPerSec.toFixed(0)} B/s`;

export interface DebugFigures {
  fps: number;
  players: number;
  stats: Readonly<ClientStats>;
  /** The page's added delay each way (?lag=, ?jitter=, the F3 control), ms; null: none. */
  addedLag?: { latencyMs: number; jitterMs: number } | null;
}

export class Hud {
  private readonly abort = new AbortController();
  private debugVisible = false;
  private lastDebugText = '';

  /** The F3 overlay's lag control, shown with it (set by the game scene). */
  lagControl: { setVisible(visible: boolean): void } | null = null;

  constructor(onBack: () => void) {
    show(ui.hud(), true);
    show(ui.roomBadge(), false);
    show(ui.lost(), false);
    show(ui.debug(), this.debugVisible);
    this.setStatus('');
    const signal = this.abort.signal;
    // F3 is the browser's "find next": take it only while the game runs.
    window.addEventListener(
      'keydown',
      (ev) => {
        if (ev.key === 'F3') {
          ev.preventDefault();
          this.debugVisible = !this.debugVisible;
          show(ui.debug(), this.debugVisible);
          this.lagControl?.setVisible(this.debugVisible);
        }
      },
      { signal },
    );
    ui.backButton().addEventListener('click', () => onBack(), { signal });
    ui.inviteButton().addEventListener(
      'click',
      () => {
        const code = ui.roomCode().textContent ?? '';
        if (!code) return;
        const button = ui.inviteButton();
        navigator.clipboard?.writeText(inviteLink(code)).then(
          () => (button.textContent = 'Copied!'),
          () => (button.textContent = inviteLink(code)),
        );
      },
      { signal },
    );
  }

  get debugShown(): boolean {
    return this.debugVisible;
  }

  setRoom(code: string): void {
    ui.roomCode().textContent = code;
    ui.inviteButton().textContent = 'Copy invite link';
    show(ui.roomBadge(), code !== '');
  }

  setStatus(text: string): void {
    const el = ui.status();
    if (el.textContent !== text) el.textContent = text;
    show(el, text !== '');
  }

  showLost(message: string): void {
    ui.lostMessage().textContent = message;
    show(ui.lost(), true);
    ui.backButton().focus();
  }

  updateDebug(f: DebugFigures): void {
    if (!this.debugVisible) return;
    const s = f.stats;
    const text = [
      `FPS          ${fmt(f.fps)}`,
      `RTT          ${fmt(s.rtt)} ms (avg ${fmt(s.rttSmoothed)})`,
      `snapshots    ${fmt(s.snapshotRate, 1)}/s (jitter ${fmt(s.snapshotJitter, 1)} ms)`,
      `interp delay ${fmt(s.interpolationDelay)} ms (target ${fmt(s.interpolationTarget)})`,
      `view age     ${fmt(s.viewAge)} ms of ${fmt(s.rewindLimit)}${VIEW_LIMIT_NOTE[s.viewLimit]}`,
      `in           ${kb(s.bytesInPerSec)}`,
      `out          ${kb(s.bytesOutPerSec)}`,
      `tick rate    ${fmt(s.tickRate)} Hz`,
      `pred. error  ${fmt(s.predictionErrorMax, 2)} px (${s.corrections} corrections)`,
      `pending      ${s.pendingInputs} inputs`,
      `players      ${f.players}`,
      ...(f.addedLag ? [`added lag    ${f.addedLag.latencyMs} + up to ${f.addedLag.jitterMs} ms each way (in the page)`] : []),
    ].join('\n');
    if (text !== this.lastDebugText) {
      this.lastDebugText = text;
      ui.debug().textContent = text;
    }
  }

  destroy(): void {
    this.abort.abort();
    show(ui.hud(), false);
    show(ui.lost(), false);
  }
}
