/**
 * window.__dustup: what end-to-end tests read instead of scraping pixels.
 * GameScene provides the live state; before and after a game it reports disconnected.
 */
export interface DustupTestState {
  connected: boolean;
  playerId: number;
  roomCode: string;
  self: { x: number; y: number } | null;
  /** screenX/screenY: where the player is drawn, CSS px from the page's top-left corner. */
  others: { id: number; name: string; x: number; y: number; screenX?: number; screenY?: number }[];
  /** The own player's health (0 while dead), score, and whether it is alive. */
  health?: number;
  score?: number;
  alive?: boolean;
  /** "Killer killed Victim" lines, and chat/join/leave lines ("Name: text"), oldest first. */
  kills?: string[];
  chat?: string[];
  /** Arrows on the screen's edge for players off screen: id, px from the view's top-left. */
  markers?: { id: number; x: number; y: number }[];
  /** The room's round (null: no rounds): phase 0 playing, 1 scoreboard. */
  round?: { round: number; phase: number; secondsLeft: number; standings: { name: string; score: number }[] } | null;
  /** The leaderboard by score. */
  leaderboard?: { name: string; score: number }[];
  /** The netcode figures the F3 overlay shows (ms), and the frame rate. */
  net?: { fps: number; rtt: number; rttSmoothed: number; interpolationDelay: number; interpolationTarget: number; viewAge: number; rewindLimit: number; viewLimit: string };
}

declare global {
  interface Window {
    __dustup?: { state(): DustupTestState };
  }
}

const idle = (): DustupTestState => ({ connected: false, playerId: 0, roomCode: '', self: null, others: [] });

let provider: () => DustupTestState = idle;

export function installTestHook(): void {
  window.__dustup = { state: () => provider() };
}

/** Set the live state provider; null restores the disconnected state. */
export function setTestStateProvider(p: (() => DustupTestState) | null): void {
  provider = p ?? idle;
}
