/** Loads the art and the map once, then hands over to the menu. */
import Phaser from 'phaser';
import { ui } from '../ui/dom.ts';

/** Texture and cache keys shared by the scenes. */
export const Keys = {
  tiles: 'tiles',
  player: 'player',
  pickupHealth: 'pickup-health',
  muzzle: 'muzzle',
  spark: 'spark',
  shield: 'shield',
  beam: 'beam',
  /** The tilemap is cached under its map id, the name the server's welcome uses. */
  defaultMap: 'arena',
} as const;

export class BootScene extends Phaser.Scene {
  constructor() {
    super('boot');
  }

  preload(): void {
    this.load.image(Keys.tiles, '/assets/sprites/tiles.png');
    this.load.image(Keys.player, '/assets/sprites/player.png');
    for (const key of [Keys.pickupHealth, Keys.muzzle, Keys.spark, Keys.shield, Keys.beam])
      this.load.image(key, `/assets/sprites/${key}.png`);
    this.load.tilemapTiledJSON(Keys.defaultMap, `/assets/maps/${Keys.defaultMap}.json`);
    this.load.on(Phaser.Loader.Events.FILE_LOAD_ERROR, (file: Phaser.Loader.File) => {
      ui.menuError().textContent = `Could not load ${file.url}; is the server running?`;
    });
  }

  create(): void {
    this.scene.start('menu');
  }
}
