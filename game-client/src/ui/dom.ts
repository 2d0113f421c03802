/**
 * The HTML overlays in index.html (menu, HUD, connection-lost). Everything the game
 * shows in them is set with textContent: names and close reasons come from other
 * people and the network, and must never be parsed as markup.
 */

function byId<T extends HTMLElement>(id: string, type: { new (): T }): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`index.html is missing #${id}`);
  return el;
}

export const ui = {
  menu: () => byId('menu', HTMLDivElement),
  menuForm: () => byId('menu-form', HTMLFormElement),
  nameInput: () => byId('name-input', HTMLInputElement),
  roomInput: () => byId('room-input', HTMLInputElement),
  playButton: () => byId('play-button', HTMLButtonElement),
  menuError: () => byId('menu-error', HTMLParagraphElement),
  hud: () => byId('hud', HTMLDivElement),
  roomBadge: () => byId('room-badge', HTMLDivElement),
  roomCode: () => byId('room-code', HTMLSpanElement),
  inviteButton: () => byId('invite-button', HTMLButtonElement),
  status: () => byId('status', HTMLDivElement),
  debug: () => byId('debug', HTMLPreElement),
  lost: () => byId('lost', HTMLDivElement),
  lostMessage: () => byId('lost-message', HTMLParagraphElement),
  backButton: () => byId('back-button', HTMLButtonElement),
  // menu: rooms
  createButton: () => byId('create-button', HTMLButtonElement),
  roomList: () => byId('room-list', HTMLUListElement),
  roomListEmpty: () => byId('room-list-empty', HTMLParagraphElement),
  // HUD: the match
  healthFill: () => byId('health-fill', HTMLDivElement),
  healthText: () => byId('health-text', HTMLSpanElement),
  score: () => byId('score', HTMLDivElement),
  leaderboard: () => byId('leaderboard', HTMLOListElement),
  killFeed: () => byId('kill-feed', HTMLUListElement),
  chatFeed: () => byId('chat-feed', HTMLUListElement),
  chatForm: () => byId('chat-form', HTMLFormElement),
  chatInput: () => byId('chat-input', HTMLInputElement),
  minimap: () => byId('minimap', HTMLCanvasElement),
  muteButton: () => byId('mute-button', HTMLButtonElement),
  respawn: () => byId('respawn', HTMLDivElement),
  respawnKiller: () => byId('respawn-killer', HTMLParagraphElement),
  respawnCount: () => byId('respawn-count', HTMLParagraphElement),
  damageFlash: () => byId('damage-flash', HTMLDivElement),
  // HUD: touch
  touchControls: () => byId('touch-controls', HTMLDivElement),
  stick: () => byId('stick', HTMLDivElement),
  stickKnob: () => byId('stick-knob', HTMLDivElement),
  fireButton: () => byId('fire-button', HTMLButtonElement),
  dashButton: () => byId('dash-button', HTMLButtonElement),
  chatButton: () => byId('chat-button', HTMLButtonElement),
  // F3: the page's network delay (?lag=MS&jitter=MS)
  lagControl: () => byId('lag-control', HTMLDivElement),
  lagInput: () => byId('lag-input', HTMLInputElement),
  jitterInput: () => byId('jitter-input', HTMLInputElement),
  // rounds (private rooms created with a round length)
  roundSelect: () => byId('round-select', HTMLSelectElement),
  roundTimer: () => byId('round-timer', HTMLDivElement),
  scoreboard: () => byId('scoreboard', HTMLDivElement),
  scoreboardTitle: () => byId('scoreboard-title', HTMLHeadingElement),
  scoreboardList: () => byId('scoreboard-list', HTMLOListElement),
  scoreboardNext: () => byId('scoreboard-next', HTMLParagraphElement),
};

export function show(el: HTMLElement, visible: boolean): void {
  el.hidden = !visible;
}

/** A URL that opens the game with the room code filled in. */
export function inviteLink(roomCode: string): string {
  const u = new URL(window.location.href);
  u.search = '';
  u.hash = '';
  u.searchParams.set('room', roomCode);
  return u.href;
}
