/**
 * Entry point: creates the Phaser game filling the window.
 *
 * Phaser has no device-pixel-ratio setting, so the canvas is made ratio times larger
 * than the window in device pixels and shown at window size (scale zoom 1/ratio);
 * scenes zoom their camera by the same ratio, so world units stay CSS pixels and the
 * picture is sharp on high-density screens.
 */
import Phaser from 'phaser';
import { pixelRatio } from './display.ts';
import { installTestHook } from './test-hook.ts';
import { BootScene } from './scenes/boot-scene.ts';
import { MenuScene } from './scenes/menu-scene.ts';
import { GameScene } from './scenes/game-scene.ts';

installTestHook();

const container = document.getElementById('game');
if (!container) throw new Error('index.html is missing #game');

const cssSize = (): { w: number; h: number } => ({
  w: Math.max(1, container.clientWidth || window.innerWidth),
  h: Math.max(1, container.clientHeight || window.innerHeight),
});

let ratio = pixelRatio();
const { w, h } = cssSize();

const game = new Phaser.Game({
  type: Phaser.AUTO,
  parent: container,
  backgroundColor: '#15171c',
  scale: {
    mode: Phaser.Scale.NONE,
    width: Math.round(w * ratio),
    height: Math.round(h * ratio),
    zoom: 1 / ratio,
    autoRound: true,
  },
  // No multisampling: it doubles the cost of every pixel under software GL
  // (bench/client.ts), and the game draws textured quads, which it does not smooth.
  render: { antialias: true, antialiasGL: false },
  // Sound effects are synthesized in ui/sound.ts with their own AudioContext.
  audio: { noAudio: true },
  scene: [BootScene, MenuScene, GameScene],
});

function fit(): void {
  const r = pixelRatio();
  const size = cssSize();
  if (r !== ratio) {
    ratio = r;
    game.scale.setZoom(1 / r);
  }
  game.scale.resize(Math.round(size.w * r), Math.round(size.h * r));
}

window.addEventListener('resize', fit);
