/**
 * From the player's hands to the client's controls: keyboard and mouse buttons to
 * protocol Button bits, the pointer (or, on touch, the stick or the nearest enemy) to
 * an aim angle. Reads Phaser's input and the HTML touch controls; holds no game state.
 */
import Phaser from 'phaser';
import { Button } from '../../../protocol/index.ts';
import type { GameClient } from '../net/client.ts';
import type { MatchHud } from '../ui/match-hud.ts';

interface Keys {
  up: Phaser.Input.Keyboard.Key[];
  down: Phaser.Input.Keyboard.Key[];
  left: Phaser.Input.Keyboard.Key[];
  right: Phaser.Input.Keyboard.Key[];
  dash: Phaser.Input.Keyboard.Key[];
}

/** A point in world px. */
export interface Point {
  x: number;
  y: number;
}

export class PlayerInput {
  private readonly keys: Keys | null;
  /** The mouse aims only once it has moved (a page opened under a still pointer aims nowhere). */
  private pointerMoved = false;
  private readonly worldPoint = new Phaser.Math.Vector2();

  constructor(
    private readonly scene: Phaser.Scene,
    private readonly hud: () => MatchHud | null,
  ) {
    this.keys = this.createKeys();
    scene.input.mouse?.disableContextMenu();
    scene.input.on(Phaser.Input.Events.POINTER_MOVE, () => (this.pointerMoved = true));
  }

  private createKeys(): Keys | null {
    const kb = this.scene.input.keyboard;
    if (!kb) return null;
    // No key capture: the page does not scroll anyway, and captured keys could not be
    // typed into the menu's name field later.
    const k = (code: number): Phaser.Input.Keyboard.Key => kb.addKey(code, false);
    const C = Phaser.Input.Keyboard.KeyCodes;
    return {
      up: [k(C.W), k(C.UP)],
      down: [k(C.S), k(C.DOWN)],
      left: [k(C.A), k(C.LEFT)],
      right: [k(C.D), k(C.RIGHT)],
      dash: [k(C.SPACE)],
    };
  }

  /** The buttons held now. */
  buttons(): number {
    const c = this.keys;
    const hud = this.hud();
    let b = hud?.touch.active ? hud.touch.buttons() : 0;
    // Keys typed into the chat box are not moves.
    if (!c || hud?.typing) return b;
    const down = (keys: Phaser.Input.Keyboard.Key[]): boolean => keys.some((key) => key.isDown);
    if (down(c.up)) b |= Button.Up;
    if (down(c.down)) b |= Button.Down;
    if (down(c.left)) b |= Button.Left;
    if (down(c.right)) b |= Button.Right;
    if (down(c.dash)) b |= Button.Dash;
    if (!hud?.touch.active) {
      const p = this.scene.input.activePointer;
      if (p.leftButtonDown()) b |= Button.Fire;
      if (p.rightButtonDown()) b |= Button.Dash;
    }
    return b;
  }

  /**
   * Mouse: aim at the pointer. Touch: aim at the nearest enemy while Fire is held
   * (nobody can aim precisely with a thumb), else where the stick points.
   * `self` is where the own player is drawn; `others` where the others are.
   */
  aim(client: GameClient, self: Point, others: Iterable<{ readonly body: Point }>): void {
    const sx = self.x;
    const sy = self.y;
    const touch = this.hud()?.touch;
    if (touch?.active) {
      if (touch.firing) {
        let best = Infinity;
        let angle = Number.NaN;
        for (const { body: a } of others) {
          const d = (a.x - sx) ** 2 + (a.y - sy) ** 2;
          if (d < best) {
            best = d;
            angle = Math.atan2(a.y - sy, a.x - sx);
          }
        }
        if (!Number.isNaN(angle)) return client.setAim(angle);
      }
      const stick = touch.stickAngle;
      if (!Number.isNaN(stick)) client.setAim(stick);
      return;
    }
    if (!this.pointerMoved) return;
    const p = this.scene.input.activePointer;
    this.scene.cameras.main.getWorldPoint(p.x, p.y, this.worldPoint);
    client.setAim(Math.atan2(this.worldPoint.y - sy, this.worldPoint.x - sx));
  }

  destroy(): void {
    this.scene.input.keyboard?.removeAllKeys(true);
    this.scene.input.off(Phaser.Input.Events.POINTER_MOVE);
  }
}
