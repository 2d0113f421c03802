/**
 * The HTML menu: name (remembered in localStorage), Quick Play, Create private room,
 * Join by code (pre-filled from ?room=CODE, which joins at once when a name is known),
 * and the list of public rooms with their player counts (GET /api/rooms). Plain HTML
 * rather than canvas text so it is accessible, works with password managers and IMEs,
 * and end-to-end tests can drive it by data-testid.
 */
import Phaser from 'phaser';
import { CREATE_PRIVATE_ROOM, CloseCode, Limits, isValidRoomCode, sanitizeName } from '../../../protocol/index.ts';
import { describeClose } from '../net/client.ts';
import { show, ui } from '../ui/dom.ts';
import { mountReplayList, replayFromUrl } from '../replay/replay-list.ts';
import type { ReplayStart } from '../replay/replay-session.ts';

const NAME_KEY = 'dustup.name';

/** What GameScene is started with. */
export interface GameSceneData {
  name: string;
  /** "" = quick play; CREATE_PRIVATE_ROOM = a new private room; else a room code. */
  room: string;
  /** Watch this replay instead of joining a room (game-client/src/replay/). */
  replay?: ReplayStart;
  /** Watch this public room live as a spectator instead of playing (game-client/src/replay/). */
  watch?: string;
  /** The node to watch it on (from /api/rooms); absent: this page's node. */
  watchUrl?: string;
  /** With CREATE_PRIVATE_ROOM: the round length, s (0 or absent: no rounds). */
  roundSeconds?: number;
}

/**
 * The round length for a room created now: the menu's choice, or the page's ?round=S
 * (any length the server accepts: short rounds to try the scoreboard, and the tests).
 */
function chosenRoundSeconds(): number {
  const q = Number(new URLSearchParams(window.location.search).get('round'));
  if (Number.isInteger(q) && q > 0) return q;
  const v = Number(ui.roundSelect().value);
  return Number.isInteger(v) && v > 0 ? v : 0;
}

/** How often the public room list refreshes while the menu is open, ms. */
const ROOM_LIST_INTERVAL_MS = 3000;

/** Why joining failed, in words for the menu (the close code's own reason as detail). */
export function describeJoinFailure(code: number, reason: string, room: string): string {
  switch (code) {
    case CloseCode.RoomFull:
      return `Room ${room} is full. Try again in a moment, pick another room, or use Quick Play.`;
    case CloseCode.RoomNotFound:
      return `There is no room ${room} (it closes when its last player leaves). Check the code, or create a new room.`;
    case CloseCode.ServerFull:
      return 'The server is full right now. Try again in a moment.';
    case CloseCode.VersionMismatch:
      return 'This page is out of date: reload it to play.';
    default:
      return `Could not join: ${describeClose(code, reason)}`;
  }
}

interface PublicRoom {
  code: string;
  players: number;
  capacity: number;
  /** The WebSocket URL of the node hosting it (a cluster lists every node's rooms). */
  url?: string;
}

/** A listed room's node URL, if it is one a spectator may open (ws or wss only). */
function nodeUrl(r: PublicRoom): string | undefined {
  return typeof r.url === 'string' && /^wss?:\/\/[^\s]+$/.test(r.url) ? r.url : undefined;
}

export interface MenuSceneData {
  /** Shown under the Play button (e.g. why the last join failed). */
  error?: string;
  /** Pre-fill the room field (e.g. to retry the same room). */
  room?: string;
}

function storedName(): string {
  try {
    return window.localStorage.getItem(NAME_KEY) ?? '';
  } catch {
    return ''; // storage disabled (privacy mode, sandboxed iframe)
  }
}

function storeName(name: string): void {
  try {
    window.localStorage.setItem(NAME_KEY, name);
  } catch {
    // Not remembering the name is fine.
  }
}

export class MenuScene extends Phaser.Scene {
  private opts: MenuSceneData = {};

  constructor() {
    super('menu');
  }

  init(data: MenuSceneData | undefined): void {
    this.opts = data ?? {};
  }

  create(): void {
    const abort = new AbortController();
    this.events.once(Phaser.Scenes.Events.SHUTDOWN, () => {
      abort.abort();
      show(ui.menu(), false);
    });

    const nameInput = ui.nameInput();
    const roomInput = ui.roomInput();
    const error = ui.menuError();
    nameInput.maxLength = Limits.MAX_NAME_LENGTH;
    roomInput.maxLength = Limits.ROOM_CODE_MAX;
    if (!nameInput.value) nameInput.value = storedName();
    const fromUrl = new URLSearchParams(window.location.search).get('room');
    const room = this.opts.room ?? fromUrl ?? '';
    roomInput.value = room && room !== CREATE_PRIVATE_ROOM ? room.trim().toUpperCase().slice(0, Limits.ROOM_CODE_MAX) : '';
    error.textContent = this.opts.error ?? '';
    ui.playButton().disabled = false;
    show(ui.menu(), true);
    (nameInput.value ? ui.playButton() : nameInput).focus();
    const signal = abort.signal;

    // The main button says what it will do: join the code typed, or quick play.
    const label = (): void => {
      const code = roomInput.value.trim().toUpperCase();
      ui.playButton().textContent = code ? `Join room ${code}` : 'Quick Play';
    };
    label();
    roomInput.addEventListener('input', label, { signal });

    const start = (room: string): void => {
      const name = sanitizeName(nameInput.value, '');
      error.textContent = '';
      if (name) storeName(name);
      const roundSeconds = room === CREATE_PRIVATE_ROOM ? chosenRoundSeconds() : 0;
      this.scene.start('game', { name: name || 'Player', room, roundSeconds } satisfies GameSceneData);
    };
    ui.createButton().addEventListener('click', () => start(CREATE_PRIVATE_ROOM), { signal });

    // Public rooms, refreshed while the menu is open; a click joins one.
    const refresh = (): void => {
      void fetchRooms(signal).then((rooms) => {
        if (signal.aborted || !rooms) return;
        const list = ui.roomList();
        list.replaceChildren(
          ...rooms.map((r) => {
            const li = document.createElement('li');
            const b = document.createElement('button');
            b.type = 'button';
            b.dataset.testid = `room-${r.code}`;
            const code = document.createElement('span');
            code.textContent = r.code;
            const count = document.createElement('span');
            count.textContent = r.players >= r.capacity ? `full (${r.capacity})` : `${r.players} / ${r.capacity} players`;
            b.append(code, count);
            b.disabled = r.players >= r.capacity;
            b.addEventListener('click', () => start(r.code), { signal });
            // Spectating: watch the room without taking a seat (full rooms too).
            const w = document.createElement('button');
            w.type = 'button';
            w.className = 'secondary';
            w.dataset.testid = `watch-${r.code}`;
            w.textContent = 'Watch';
            // In a cluster the room may be on another node: a spectator takes no seat, so it
            // goes straight to the node the listing names.
            const watchUrl = nodeUrl(r);
            w.addEventListener('click', () => this.scene.start('game', { name: 'Viewer', room: '', watch: r.code, ...(watchUrl ? { watchUrl } : {}) } satisfies GameSceneData), { signal });
            li.append(b, w);
            return li;
          }),
        );
        show(ui.roomListEmpty(), rooms.length === 0);
      });
    };
    refresh();
    const timer = window.setInterval(refresh, ROOM_LIST_INTERVAL_MS);
    signal.addEventListener('abort', () => window.clearInterval(timer));

    // Replays: the list under the rooms, and a link (?replay=ID) that opens one at once.
    const watch = (id: string): void => {
      this.scene.start('game', { name: 'Viewer', room: '', replay: { id } } satisfies GameSceneData);
    };
    mountReplayList(ui.menuForm(), watch, signal);
    const linkedReplay = replayFromUrl();
    if (linkedReplay && this.opts.error === undefined && this.opts.room === undefined) {
      watch(linkedReplay);
      return;
    }
    // A spectator link (?watch=CODE) watches that room live.
    const linkedWatch = new URLSearchParams(window.location.search).get('watch')?.trim().toUpperCase() ?? '';
    if (linkedWatch && isValidRoomCode(linkedWatch) && this.opts.error === undefined && this.opts.room === undefined) {
      this.scene.start('game', { name: 'Viewer', room: '', watch: linkedWatch } satisfies GameSceneData);
      return;
    }

    // An invitation link (?room=CODE) joins straight away when we already know the name.
    if (fromUrl && this.opts.room === undefined && !this.opts.error && nameInput.value && isValidRoomCode(roomInput.value)) {
      start(roomInput.value);
      return;
    }

    ui.menuForm().addEventListener(
      'submit',
      (ev) => {
        ev.preventDefault();
        const name = sanitizeName(nameInput.value, '');
        const code = roomInput.value.trim().toUpperCase();
        if (code !== '' && !isValidRoomCode(code)) {
          error.textContent = `A room code is ${Limits.ROOM_CODE_MIN}-${Limits.ROOM_CODE_MAX} letters and digits (no 0, O, 1, I or L).`;
          roomInput.focus();
          return;
        }
        error.textContent = '';
        if (name) storeName(name);
        const data: GameSceneData = { name: name || 'Player', room: code };
        this.scene.start('game', data);
      },
      { signal: abort.signal },
    );
  }
}

async function fetchRooms(signal: AbortSignal): Promise<PublicRoom[] | null> {
  try {
    const res = await fetch('/api/rooms', { signal, cache: 'no-store' });
    if (!res.ok) return null;
    const body = (await res.json()) as { rooms?: unknown };
    if (!Array.isArray(body.rooms)) return null;
    return body.rooms.filter(
      (r): r is PublicRoom =>
        typeof r === 'object' &&
        r !== null &&
        typeof (r as PublicRoom).code === 'string' &&
        typeof (r as PublicRoom).players === 'number' &&
        typeof (r as PublicRoom).capacity === 'number',
    );
  } catch {
    return null; // the server is unreachable or the menu closed: keep the old list
  }
}
