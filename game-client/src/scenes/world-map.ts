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

/** The map drawn, and the camera kept on it. */
export class WorldMap {
  /** The map's size, px. */
  private readonly size: { w: number; h: number };
  /** The camera bounds last set ("w x h"). */
  private boundsKey = '';

  /** Draws the ground and wall layers of a map in Phaser's cache and centres the camera on it. */
  constructor(
    private readonly scene: Phaser.Scene,
    mapId: string,
  ) {
    const map = scene.make.tilemap({ key: mapId });
    const tileset = map.addTilesetImage('tiles', Keys.tiles);
    if (!tileset) throw new Error(`map ${mapId} has no tileset named "tiles"`);
    map.createLayer('ground', tileset, 0, 0)?.setDepth(0);
    map.createLayer('walls', tileset, 0, 0)?.setDepth(1);
    this.size = { w: map.widthInPixels, h: map.heightInPixels };
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
    const key = `${bw}x${bh}`;
    if (key === this.boundsKey) return;
    this.boundsKey = key;
    cam.setBounds((size.w - bw) / 2, (size.h - bh) / 2, bw, bh);
  }
}
