/**
 * The minimap: the map's walls drawn once into an offscreen canvas, then every frame
 * (a few times a second is plenty) the pickups, the players this client can see and
 * itself on top. A plain 2D canvas in the HUD layer, sized for the device pixel ratio.
 */
import type { CollisionMap } from '../../../protocol/index.ts';

export interface MinimapDot {
  x: number;
  y: number;
}

const SIZE_CSS = 150;

export class Minimap {
  private readonly walls: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D | null;
  private readonly scale: number;
  private readonly w: number;
  private readonly h: number;
  private ratio = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly map: CollisionMap,
  ) {
    const worldW = map.width * map.tileSize;
    const worldH = map.height * map.tileSize;
    this.scale = SIZE_CSS / Math.max(worldW, worldH);
    this.w = Math.ceil(worldW * this.scale);
    this.h = Math.ceil(worldH * this.scale);
    this.walls = document.createElement('canvas');
    this.ctx = canvas.getContext('2d');
    canvas.style.width = `${this.w}px`;
    canvas.style.height = `${this.h}px`;
  }

  draw(self: MinimapDot | null, others: readonly MinimapDot[], pickups: readonly MinimapDot[], ratio: number): void {
    const ctx = this.ctx;
    if (!ctx) return;
    if (ratio !== this.ratio) this.resize(ratio);
    const k = this.scale * ratio;
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.drawImage(this.walls, 0, 0);
    ctx.fillStyle = '#4ddc7a';
    for (const p of pickups) ctx.fillRect(p.x * k - 1.5 * ratio, p.y * k - 1.5 * ratio, 3 * ratio, 3 * ratio);
    ctx.fillStyle = '#ff6b5a';
    for (const o of others) {
      ctx.beginPath();
      ctx.arc(o.x * k, o.y * k, 2.2 * ratio, 0, Math.PI * 2);
      ctx.fill();
    }
    if (self) {
      ctx.fillStyle = '#ffe08a';
      ctx.strokeStyle = '#000';
      ctx.lineWidth = ratio;
      ctx.beginPath();
      ctx.arc(self.x * k, self.y * k, 3 * ratio, 0, Math.PI * 2);
      ctx.fill();
      ctx.stroke();
    }
  }

  private resize(ratio: number): void {
    this.ratio = ratio;
    this.canvas.width = Math.ceil(this.w * ratio);
    this.canvas.height = Math.ceil(this.h * ratio);
    this.walls.width = this.canvas.width;
    this.walls.height = this.canvas.height;
    const w = this.walls.getContext('2d');
    if (!w) return;
    const m = this.map;
    const k = this.scale * ratio;
    w.fillStyle = 'rgba(20, 22, 27, 0.8)';
    w.fillRect(0, 0, this.walls.width, this.walls.height);
    w.fillStyle = '#6d6180';
    for (let ty = 0; ty < m.height; ty++) {
      for (let tx = 0; tx < m.width; tx++) {
        if (m.solid[ty * m.width + tx] !== 1) continue;
        w.fillRect(Math.floor(tx * m.tileSize * k), Math.floor(ty * m.tileSize * k), Math.ceil(m.tileSize * k), Math.ceil(m.tileSize * k));
      }
    }
  }
}
