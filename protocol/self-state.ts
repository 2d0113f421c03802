/**
 * The one conversion between the sim's PlayerState (px, px/s) and the wire's SelfState
 * (1/POS_SCALE px, 1/VEL_SCALE px/s, dash counters). The sim keeps its state on the
 * wire grid, so the round trip is exact: the client reconciles against the very state
 * the server simulates.
 */
import type { SelfState } from './messages.ts';
import { dequantizePos, dequantizeVel, quantizePos, quantizeVel } from './quantize.ts';
import type { PlayerState } from './sim/step.ts';

/** The server's side: fill `out` (reused every snapshot) from the authoritative state. */
export function writeSelfState(state: PlayerState, out: SelfState): SelfState {
  out.x = quantizePos(state.x);
  out.y = quantizePos(state.y);
  out.vx = quantizeVel(state.vx);
  out.vy = quantizeVel(state.vy);
  // Zero counters are set, not left out: `out` is reused, and the snapshot writer
  // leaves them off the wire while both are 0.
  out.dash = state.dash ?? 0;
  out.dashCooldown = state.dashCooldown ?? 0;
  return out;
}

/**
 * The client's side: the state to reconcile from. A fresh state leaves zero dash
 * counters out (PlayerState's convention). A reused `out` that already has counters
 * gets 0 written instead of a delete, which would slow every later access to it.
 */
export function readSelfState(self: SelfState, out?: PlayerState): PlayerState {
  const s = out ?? { x: 0, y: 0, vx: 0, vy: 0 };
  s.x = dequantizePos(self.x);
  s.y = dequantizePos(self.y);
  s.vx = dequantizeVel(self.vx);
  s.vy = dequantizeVel(self.vy);
  const dash = self.dash ?? 0;
  const cooldown = self.dashCooldown ?? 0;
  if (dash !== 0 || s.dash !== undefined) s.dash = dash;
  if (cooldown !== 0 || s.dashCooldown !== undefined) s.dashCooldown = cooldown;
  return s;
}
