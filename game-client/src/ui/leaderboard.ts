/** The top-10 list of the HUD, rebuilt only when a score or a name changes. */

export interface LeaderboardRow {
  id: number;
  name: string;
  score: number;
}

export class Leaderboard {
  private last = '';

  constructor(private readonly list: HTMLOListElement) {}

  render(rows: readonly LeaderboardRow[], selfId: number, selfRank: number, selfScore: number, players: number): void {
    const key = JSON.stringify([rows, selfId, selfRank, selfScore, players]);
    if (key === this.last) return;
    this.last = key;
    const items: HTMLLIElement[] = [];
    const header = document.createElement('li');
    header.className = 'lb-head';
    header.textContent = `Leaderboard · ${players} playing`;
    items.push(header);
    rows.forEach((r, i) => items.push(this.row(i + 1, r.name, r.score, r.id === selfId)));
    // Not in the top 10: show where you are anyway.
    if (!rows.some((r) => r.id === selfId) && selfId !== 0) items.push(this.row(selfRank, 'you', selfScore, true));
    this.list.replaceChildren(...items);
  }

  private row(rank: number, name: string, score: number, self: boolean): HTMLLIElement {
    const li = document.createElement('li');
    if (self) li.className = 'self';
    const r = document.createElement('span');
    r.className = 'rank';
    r.textContent = `${rank}.`;
    const n = document.createElement('span');
    n.className = 'lb-name';
    n.textContent = name;
    const s = document.createElement('span');
    s.className = 'lb-score';
    s.textContent = String(score);
    li.append(r, n, s);
    return li;
  }
}
