/**
 * The HTML menu: name (remembered in localStorage), optional room code (pre-filled from
 * ?room=CODE), Play. Plain HTML rather than canvas text so it is accessible, works
 * with password managers and IMEs, and end-to-end tests can drive it by data-testid.
 */
import Phaser from 'phaser';
import { Limits, isValidRoomCode, sanitizeName } from '../../../protocol/index.ts';
import { show, ui } from '../ui/dom.ts';

const NAME_KEY = 'dustup.name';

/** What GameScene is started with. */
export interface GameSceneData {
  name: string;
  /** "" = quick play. */
  room: string;
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
    if (room) roomInput.value = room.trim().toUpperCase().slice(0, Limits.ROOM_CODE_MAX);
    if (this.opts.error) error.textContent = this.opts.error;
    ui.playButton().disabled = false;
    show(ui.menu(), true);
    (nameInput.value ? ui.playButton() : nameInput).focus();

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
