/**
 * Short-lived combat effects in the world: blaster beams, muzzle flashes, hit sparks,
 * hit markers and death bursts. Each is a sprite faded out by a tween and destroyed at
 * the end, so nothing accumulates.
 */
import Phaser from 'phaser';
import { Keys } from './boot-scene.ts';
import { pixelRatio } from '../display.ts';

const BEAM_MS = 140;
const FLASH_MS = 70;

export class Effects {
  constructor(private readonly scene: Phaser.Scene) {}

  /** A beam from (x0, y0) to (x1, y1), px, in the shooter's colour. */
  beam(x0: number, y0: number, x1: number, y1: number, color: number): void {
    const len = Math.hypot(x1 - x0, y1 - y0);
    if (len < 1) return;
    const s = this.scene;
    const beam = s.add
      .image(x0, y0, Keys.beam)
      .setOrigin(0, 0.5)
      .setRotation(Math.atan2(y1 - y0, x1 - x0))
      .setScale(len / 16, 0.75)
      .setTint(color)
      .setBlendMode(Phaser.BlendModes.ADD)
      .setDepth(20);
    const core = s.add
      .image(x0, y0, Keys.beam)
      .setOrigin(0, 0.5)
      .setRotation(beam.rotation)
      .setScale(len / 16, 0.25)
      .setBlendMode(Phaser.BlendModes.ADD)
      .setDepth(21);
    s.tweens.add({ targets: [beam, core], alpha: 0, duration: BEAM_MS, onComplete: () => (beam.destroy(), core.destroy()) });
  }

  /** Muzzle flash at the barrel: 16 px along the aim from the player's centre. */
  muzzle(x: number, y: number, angle: number): void {
    const s = this.scene;
    const f = s.add
      .image(x + Math.cos(angle) * 16, y + Math.sin(angle) * 16, Keys.muzzle)
      .setBlendMode(Phaser.BlendModes.ADD)
      .setScale(0.9)
      .setDepth(22);
    s.tweens.add({ targets: f, alpha: 0, scale: 1.4, duration: FLASH_MS, onComplete: () => f.destroy() });
  }

  /** Sparks where a beam struck something. */
  spark(x: number, y: number, color = 0xffffff): void {
    const s = this.scene;
    for (let i = 0; i < 3; i++) {
      const a = Math.random() * Math.PI * 2;
      const p = s.add.image(x, y, Keys.spark).setTint(color).setBlendMode(Phaser.BlendModes.ADD).setDepth(22);
      s.tweens.add({
        targets: p,
        x: x + Math.cos(a) * 14,
        y: y + Math.sin(a) * 14,
        alpha: 0,
        scale: 0.4,
        duration: 220,
        onComplete: () => p.destroy(),
      });
    }
  }

  /** An X where your shot hit someone (confirmed by the server): the "hit marker". */
  hitMarker(x: number, y: number, kill: boolean): void {
    const s = this.scene;
    const g = s.add.graphics({ x, y }).setDepth(30);
    g.lineStyle(3, kill ? 0xff4a3a : 0xffffff, 1);
    const r0 = 6;
    const r1 = 13;
    for (const [dx, dy] of [
      [1, 1],
      [1, -1],
      [-1, 1],
      [-1, -1],
    ] as const) {
      g.lineBetween(dx * r0, dy * r0, dx * r1, dy * r1);
    }
    s.tweens.add({ targets: g, alpha: 0, scale: 1.3, duration: kill ? 500 : 260, onComplete: () => g.destroy() });
  }

  /** A burst of the player's colour where it died. */
  deathBurst(x: number, y: number, color: number): void {
    const s = this.scene;
    const ring = s.add.image(x, y, Keys.shield).setTint(color).setBlendMode(Phaser.BlendModes.ADD).setDepth(19);
    s.tweens.add({ targets: ring, scale: 3, alpha: 0, duration: 450, onComplete: () => ring.destroy() });
    for (let i = 0; i < 10; i++) {
      const a = (i / 10) * Math.PI * 2;
      const p = s.add.image(x, y, Keys.spark).setTint(color).setBlendMode(Phaser.BlendModes.ADD).setDepth(19);
      s.tweens.add({
        targets: p,
        x: x + Math.cos(a) * 40,
        y: y + Math.sin(a) * 40,
        alpha: 0,
        duration: 500,
        onComplete: () => p.destroy(),
      });
    }
  }

  /** Floating "+40" or "-25" text, for pickups and damage taken. */
  floatText(x: number, y: number, text: string, color: string): void {
    const s = this.scene;
    const t = s.add
      .text(x, y - 24, text, {
        fontFamily: 'system-ui, sans-serif',
        fontSize: '14px',
        fontStyle: 'bold',
        color,
        stroke: '#000000',
        strokeThickness: 3,
        resolution: pixelRatio(),
      })
      .setOrigin(0.5)
      .setDepth(31);
    s.tweens.add({ targets: t, y: y - 50, alpha: 0, duration: 800, onComplete: () => t.destroy() });
  }
}
