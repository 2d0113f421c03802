/** Where a GameClient stands: one tagged union, each phase carrying what exists in it. */
import type { WelcomeMsg } from '../../../protocol/index.ts';
import type { ClientState, ReconnectAttempt } from './client-types.ts';
import type { CloseInfo } from './link.ts';
import type { EarlySnapshot, NetSession } from './net-session.ts';

export type ClientPhase =
  | { phase: 'idle' }
  /** The first connection, before its Welcome. */
  | { phase: 'connecting' }
  /** A Welcome was taken; its map is loading. Snapshots that arrive meanwhile wait in `early`. */
  | { phase: 'loading'; welcome: WelcomeMsg; rejoin: boolean; early: EarlySnapshot[] }
  | { phase: 'playing'; session: NetSession }
  /** Lost, trying again; `last` is still drawn (frozen) meanwhile. */
  | { phase: 'reconnecting'; attempt: ReconnectAttempt; last: NetSession | null }
  /** Final. `close` is null when it never connected. */
  | { phase: 'closed'; close: CloseInfo | null; last: NetSession | null };

/** The coarser state the public API has always reported. */
export const STATE_OF: Record<ClientPhase['phase'], ClientState> = {
  idle: 'idle',
  connecting: 'connecting',
  loading: 'loading',
  playing: 'ready',
  reconnecting: 'reconnecting',
  closed: 'closed',
};

/** The session whose players are drawn: the live one, or the last one while lost or after the end. */
export function shownSession(p: ClientPhase): NetSession | null {
  if (p.phase === 'playing') return p.session;
  if (p.phase === 'reconnecting' || p.phase === 'closed') return p.last;
  return null;
}
