/**
 * The map: its collision data for the client's prediction (from Phaser's cache, or
 * fetched when the boot scene did not preload it), its tile layers on screen, and the
 * camera bounds that keep a small map in the middle of the window.
 */
import Phaser from 'phaser';
import { parseTiledMap, type CollisionMap } from '../../../protocol/index.ts';
import { Keys } from './boot-scene.ts';

/**
 * The collision map for the server's map id, from Phaser's cache; a map the boot
 * scene did not preload (a host running --map crowd, say) is loaded now.
 */
export function loadCollisionMap(scene: Phaser.Scene, mapId: string): Promise<CollisionMap> {
  const fromCache = (): CollisionMap | null => {
    const cached = scene.cache.tilemap.get(mapId) as { data?: unknown } | undefined;
    return cached?.data ? parseTiledMap(mapId, cached.data) : null;
  };
  const ready = fromCache();
  if (ready) return Promise.resolve(ready);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(mapId)) return Promise.reject(new Error(`refusing to load map "${mapId}"`));
  return new Promise((resolve, reject) => {
    scene.load.tilemapTiledJSON(mapId, `/assets/maps/${mapId}.json`);
    scene.load.once(Phaser.Loader.Events.COMPLETE, () => {
      const m = fromCache();
      if (m) resolve(m);
      else reject(new Error(`could not load map "${mapId}" from the server`));
    });
    scene.load.start();
  });
}

/**
 * The map drawn, and the camera kept on it.
 *
 * Drawn for fill rate: with software GL (no GPU, as on many school laptops and in every
 * headless browser) each pixel a quad covers costs, and a full-screen quad costs about
 * three times a frame with nothing drawn (bench/client.ts). So the two tile layers
 * become one (every tile is opaque: a wall hides the ground under it), and the most
 * common ground tile is not drawn at all: it is the canvas's clear colour (its average:
 * the tile's noise is +-2 levels, invisible), so only the ~25 % of tiles that differ are
 * quads. Outside a map smaller than the window, bands in the page's colour.
 */
export class WorldMap {
  /** The map's size, px. */
  private readonly size: { w: number; h: number };
  /** The camera bounds last set. */
  private boundsW = 0;
  private boundsH = 0;
  /** The renderer's clear colour before this map took it (restored by destroy). */
  private readonly clearBefore: number;
  private readonly bands: Phaser.GameObjects.Rectangle[] = [];

  /** Draws a map in Phaser's cache and centres the camera on it. */
  constructor(
    private readonly scene: Phaser.Scene,
    mapId: string,
  ) {
    const map = scene.make.tilemap({ key: mapId });
    const tileset = map.addTilesetImage('tiles', Keys.tiles);
    if (!tileset) throw new Error(`map ${mapId} has no tileset named "tiles"`);
    const floor = flattenLayers(map);
    map.createLayer('ground', tileset, 0, 0)?.setDepth(0);
    this.size = { w: map.widthInPixels, h: map.heightInPixels };
    const clear = scene.game.config.backgroundColor;
    this.clearBefore = clear.color;
    clear.setFromRGB(Phaser.Display.Color.IntegerToRGB(floor >= 0 ? tileAverage(scene, tileset, floor) : this.clearBefore));
    for (let i = 0; i < 4; i++) this.bands.push(scene.add.rectangle(0, 0, 1, 1, this.clearBefore).setOrigin(0).setDepth(0).setVisible(false));
    this.fitBounds();
    scene.cameras.main.centerOn(map.widthInPixels / 2, map.heightInPixels / 2);
  }

  /**
   * Camera bounds: the map, grown to the view where the map is smaller than the window,
   * so a small map sits in the middle of the screen (where the server's interest
   * management also assumes the camera is) instead of in a corner under the HUD.
   * Cheap when nothing changed: call it every frame.
   */
  fitBounds(): void {
    const size = this.size;
    const cam = this.scene.cameras.main;
    const bw = Math.max(size.w, cam.width / cam.zoom);
    const bh = Math.max(size.h, cam.height / cam.zoom);
    if (bw === this.boundsW && bh === this.boundsH) return;
    this.boundsW = bw;
    this.boundsH = bh;
    const x0 = (size.w - bw) / 2;
    const y0 = (size.h - bh) / 2;
    cam.setBounds(x0, y0, bw, bh);
    // Left, right (full height), top, bottom (map width): what the map does not cover.
    const [l, r, t, b] = this.bands as [Phaser.GameObjects.Rectangle, Phaser.GameObjects.Rectangle, Phaser.GameObjects.Rectangle, Phaser.GameObjects.Rectangle];
    const side = -x0;
    const cap = -y0;
    l.setPosition(x0, y0).setSize(side, bh).setVisible(side > 0);
    r.setPosition(size.w, y0).setSize(side, bh).setVisible(side > 0);
    t.setPosition(0, y0).setSize(size.w, cap).setVisible(cap > 0);
    b.setPosition(0, size.h).setSize(size.w, cap).setVisible(cap > 0);
  }

  /** Gives the renderer its clear colour back (the menu draws on it). */
  destroy(): void {
    this.scene.game.config.backgroundColor.setFromRGB(Phaser.Display.Color.IntegerToRGB(this.clearBefore));
  }
}

/**
 * Merges the walls layer into the ground layer (walls win: every tile is opaque) and
 * empties the cells holding the most common ground tile, which is returned (-1: none).
 */
function flattenLayers(map: Phaser.Tilemaps.Tilemap): number {
  const ground = map.getLayer('ground');
  const walls = map.getLayer('walls');
  if (!ground) return -1;
  const counts = new Map<number, number>();
  for (const row of ground.data) for (const t of row) counts.set(t.index, (counts.get(t.index) ?? 0) + 1);
  let floor = -1;
  let most = 0;
  for (const [index, n] of counts) if (index > 0 && n > most) (floor = index), (most = n);
  for (let y = 0; y < ground.data.length; y++) {
    const row = ground.data[y]!;
    for (let x = 0; x < row.length; x++) {
      const wall = walls?.data[y]?.[x];
      if (wall && wall.index > 0) row[x]!.index = wall.index;
      else if (row[x]!.index === floor) row[x]!.index = -1;
    }
  }
  return floor;
}

/** The average colour of one tile of the tileset image, 0xRRGGBB. */
function tileAverage(scene: Phaser.Scene, tileset: Phaser.Tilemaps.Tileset, index: number): number {
  const coords = tileset.getTileTextureCoordinates(index) as { x: number; y: number } | null;
  const image = scene.textures.get(Keys.tiles).getSourceImage() as CanvasImageSource;
  const w = tileset.tileWidth;
  const h = tileset.tileHeight;
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!coords || !ctx) return 0x2b3139;
  ctx.drawImage(image, coords.x, coords.y, w, h, 0, 0, w, h);
  const px = ctx.getImageData(0, 0, w, h).data;
  let r = 0;
  let g = 0;
  let b = 0;
  for (let i = 0; i < px.length; i += 4) (r += px[i]!), (g += px[i + 1]!), (b += px[i + 2]!);
  const n = px.length / 4;
  return (Math.round(r / n) << 16) | (Math.round(g / n) << 8) | Math.round(b / n);
}
