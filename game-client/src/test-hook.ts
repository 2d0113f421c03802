/**
 * window.__dustup: what end-to-end tests read instead of scraping pixels.
 * GameScene provides the live state; before and after a game it reports disconnected.
 */
export interface DustupTestState {
  connected: boolean;
  playerId: number;
  roomCode: string;
  self: { x: number; y: number } | null;
  others: { id: number; name: string; x: number; y: number }[];
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
