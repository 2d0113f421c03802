/**
 * What the player holds and where it looks, set by the scene or a bot whenever it likes
 * and sampled by the session once per input tick. Page lifetime: the controls held
 * across a reconnect stay held.
 */
import { ClientKind, quantizeAngle, type ViewportMsg } from '../../../protocol/index.ts';

export class Controls {
  /** Button bits (protocol Button). */
  buttons = 0;
  /** Aim as set, radians (any range): the own player is drawn with it, unrounded. */
  aimRad = 0;
  /** Aim as it travels, one byte. */
  aimByte = 0;
  /** The area drawn around the own player, world px (0 x 0: not told yet). Reused as the message. */
  readonly viewport: ViewportMsg = { kind: ClientKind.Viewport, width: 0, height: 0 };

  setButtons(buttons: number): void {
    this.buttons = buttons & 0xff;
  }

  setAim(rad: number): void {
    if (!Number.isFinite(rad)) return;
    this.aimRad = rad;
    this.aimByte = quantizeAngle(rad);
  }

  setViewport(width: number, height: number): void {
    if (!Number.isFinite(width) || !Number.isFinite(height)) return;
    this.viewport.width = Math.max(1, Math.min(16384, Math.round(width)));
    this.viewport.height = Math.max(1, Math.min(16384, Math.round(height)));
  }
}
