/**
 * Rounds in the HUD: the time left in the round (updated when the shown second changes,
 * not every frame) and, between rounds, the scoreboard with the next round's countdown.
 * Hidden in a room without rounds. DOM only; names go in with textContent.
 */
import { RoundPhase, type RoundStateMsg } from '../../../protocol/index.ts';
import { show, ui } from './dom.ts';

export function clockText(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export class RoundHud {
  private version = -1;
  private shown = '';
  private round: RoundStateMsg | null = null;

  /**
   * Each frame (cheap: DOM writes only when something shown changes). serverNow: the
   * server's clock now, ms; nameOf: a player's name.
   */
  update(round: RoundStateMsg | null, version: number, serverNow: number, selfId: number, nameOf: (id: number) => string): void {
    if (version !== this.version) {
      this.version = version;
      this.round = round;
      this.shown = '';
      show(ui.roundTimer(), round !== null && round.phase === RoundPhase.Playing);
      show(ui.scoreboard(), round !== null && round.phase === RoundPhase.Over);
      if (round?.phase === RoundPhase.Over) this.fillScoreboard(round, selfId, nameOf);
    }
    const r = this.round;
    if (!r) return;
    const left = r.endsAt - serverNow;
    const text = r.phase === RoundPhase.Playing ? `Round ${r.round} · ${clockText(left)}` : `Next round in ${Math.max(0, Math.ceil(left / 1000))} s`;
    if (text === this.shown) return;
    this.shown = text;
    if (r.phase === RoundPhase.Playing) {
      const el = ui.roundTimer();
      el.textContent = text;
      el.classList.toggle('ending', left <= 10_000);
    } else ui.scoreboardNext().textContent = text;
  }

  destroy(): void {
    show(ui.roundTimer(), false);
    show(ui.scoreboard(), false);
  }

  private fillScoreboard(r: RoundStateMsg, selfId: number, nameOf: (id: number) => string): void {
    ui.scoreboardTitle().textContent = `Round ${r.round} is over`;
    const rows = r.standings.map((s) => {
      const li = document.createElement('li');
      li.textContent = `${nameOf(s.id) || `#${s.id}`}: ${s.score}`;
      if (s.id === selfId) li.className = 'self';
      return li;
    });
    ui.scoreboardList().replaceChildren(...rows);
  }
}
