/**
 * Arrows on the screen's edge pointing at the players of the room who are not on
 * screen, in their colour: from where the client draws them when it has them (near but
 * off screen), else from the room's radar positions (MatchState in small rooms), so two
 * players on a big map can find each other. Placement is ui/edge-markers.ts.
 */
import Phaser from 'phaser';
import type { GameClient } from '../net/client.ts';
import { edgeMarker, type EdgeMarker } from '../ui/edge-markers.ts';
import { colorFor } from './colors.ts';

const TEXTURE = 'edge-marker';
/** How far inside the screen's edge the arrows sit, CSS px. */
const INSET = 22;

export interface ShownMarker extends EdgeMarker {
  id: number;
}

export class OffscreenMarkers {
  private readonly pool: Phaser.GameObjects.Image[] = [];
  /** What is drawn this frame (the test hook reads it); entries reused from spare. */
  readonly shown: ShownMarker[] = [];
  private readonly spare: ShownMarker[] = [];

  constructor(private readonly scene: Phaser.Scene) {
    if (!scene.textures.exists(TEXTURE)) {
      const g = scene.make.graphics({ x: 0, y: 0 }, false);
      g.fillStyle(0xffffff, 1).fillTriangle(18, 9, 0, 0, 0, 18);
      g.lineStyle(2, 0x000000, 0.8).strokeTriangle(18, 9, 0, 0, 0, 18);
      g.generateTexture(TEXTURE, 18, 18);
      g.destroy();
    }
  }

  /** Once a frame: drawn holds where the others are drawn (id -> position). */
  frame(client: GameClient, drawn: ReadonlyMap<number, { x: number; y: number }>): void {
    const view = this.scene.cameras.main.worldView;
    const shown = this.shown;
    for (const m of shown) this.spare.push(m);
    shown.length = 0;
    this.view = view;
    this.client = client;
    for (const [id, p] of drawn) this.consider(id, p.x, p.y);
    for (const [id, p] of client.match.positions) if (!drawn.has(id)) this.consider(id, p.x, p.y);
    for (let i = 0; i < shown.length; i++) {
      const m = shown[i]!;
      let img = this.pool[i];
      if (!img) {
        img = this.scene.add.image(0, 0, TEXTURE).setDepth(30);
        this.pool.push(img);
      }
      // World position of the screen point: the arrows ride with the camera.
      img.setPosition(view.x + m.x, view.y + m.y).setRotation(m.angle).setTint(colorFor(m.id)).setVisible(true);
    }
    for (let i = shown.length; i < this.pool.length; i++) this.pool[i]!.setVisible(false);
  }

  private view: Phaser.Geom.Rectangle | null = null;
  private client: GameClient | null = null;

  private consider(id: number, x: number, y: number): void {
    const client = this.client!;
    if (id === client.playerId || !client.match.isAlive(id)) return;
    const out = this.spare.pop() ?? { id: 0, x: 0, y: 0, angle: 0, distance: 0 };
    if (edgeMarker(this.view!, x, y, INSET, out)) {
      out.id = id;
      this.shown.push(out);
    } else this.spare.push(out);
  }

  destroy(): void {
    for (const img of this.pool) img.destroy();
    this.pool.length = 0;
  }
}
