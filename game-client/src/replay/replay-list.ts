/**
 * The menu's Replays list (GET /api/replays): each recorded match with its room, map,
 * start, length and players, and a Watch button. Added to the menu form by the menu
 * scene; refreshed while the menu is open. Every text from the server goes in as
 * textContent.
 */
import { REPLAY_ID } from './replay-loader.ts';

interface ListedReplay {
  id: string;
  room: string;
  map: string;
  start: string;
  lengthMs: number;
  players: number;
  kills: number;
  live: boolean;
}

const REFRESH_MS = 5000;
const SHOWN = 20;

/** The ?replay=ID of the page's address, when it is a valid ID. */
export function replayFromUrl(): string | null {
  const id = new URLSearchParams(window.location.search).get('replay');
  return id && REPLAY_ID.test(id) ? id : null;
}

/** Mount the list into `parent` until `signal` aborts; `watch` opens one. */
export function mountReplayList(parent: HTMLElement, watch: (id: string) => void, signal: AbortSignal): void {
  const box = document.createElement('div');
  box.id = 'replay-list-box';
  const h = document.createElement('h2');
  h.textContent = 'Replays';
  const list = document.createElement('ul');
  list.dataset.testid = 'replay-list';
  const empty = document.createElement('p');
  empty.className = 'hint';
  empty.textContent = 'No replays yet: every match is recorded.';
  box.append(h, list, empty);
  parent.append(box);
  signal.addEventListener('abort', () => box.remove());

  const refresh = (): void => {
    void fetchReplays(signal).then((replays) => {
      if (signal.aborted || !replays) return;
      const shown = replays.filter((r) => !r.live).slice(0, SHOWN);
      list.replaceChildren(
        ...shown.map((r) => {
          const li = document.createElement('li');
          const b = document.createElement('button');
          b.type = 'button';
          b.dataset.testid = `replay-${r.id}`;
          const what = document.createElement('span');
          what.textContent = `${r.room} on ${r.map}, ${new Date(r.start).toLocaleString()}`;
          const info = document.createElement('span');
          const s = Math.round(r.lengthMs / 1000);
          info.textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}, ${r.players} players, ${r.kills} kills: Watch`;
          b.append(what, info);
          b.addEventListener('click', () => watch(r.id), { signal });
          li.append(b);
          return li;
        }),
      );
      empty.hidden = shown.length > 0;
    });
  };
  refresh();
  const timer = window.setInterval(refresh, REFRESH_MS);
  signal.addEventListener('abort', () => window.clearInterval(timer));
}

async function fetchReplays(signal: AbortSignal): Promise<ListedReplay[] | null> {
  try {
    const res = await fetch('/api/replays', { signal, cache: 'no-store' });
    if (!res.ok) return null;
    const body = (await res.json()) as { replays?: unknown };
    if (!Array.isArray(body.replays)) return null;
    return body.replays.filter(
      (r): r is ListedReplay =>
        typeof r === 'object' &&
        r !== null &&
        typeof (r as ListedReplay).id === 'string' &&
        REPLAY_ID.test((r as ListedReplay).id) &&
        typeof (r as ListedReplay).room === 'string' &&
        typeof (r as ListedReplay).map === 'string' &&
        typeof (r as ListedReplay).start === 'string' &&
        typeof (r as ListedReplay).lengthMs === 'number' &&
        typeof (r as ListedReplay).players === 'number' &&
        typeof (r as ListedReplay).kills === 'number',
    );
  } catch {
    return null;
  }
}
