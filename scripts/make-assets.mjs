// Generates the art and maps in assets/ from a fixed seed, so they can be rebuilt and
// reviewed: `node scripts/make-assets.mjs`. The outputs are committed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TILE = 32;

/** rgba: Uint8Array of width*height*4, as 8-bit RGBA. */
function encodePng(width, height, rgba) {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  // zlib's default strategy, no row filter: for this flat pixel art about half the size
  // of pngjs's defaults (run-length strategy, adaptive filters), and the same bytes the
  // committed sprites already have.
  return PNG.sync.write(png, { colorType: 6, deflateLevel: 9, deflateStrategy: 0, filterType: 0 });
}

/** mulberry32: small seeded PRNG, so the same seed always yields the same map. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------- tileset: 4 tiles in a row: floor, floor variant, wall, crate ----------
function makeTileset() {
  const w = TILE * 4;
  const h = TILE;
  const px = new Uint8Array(w * h * 4);
  const r = rng(7);
  const set = (x, y, c) => {
    const i = (y * w + x) * 4;
    px[i] = c[0];
    px[i + 1] = c[1];
    px[i + 2] = c[2];
    px[i + 3] = 255;
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < TILE; x++) {
      const n = Math.floor(r() * 8);
      const grid = x === 0 || y === 0 ? 10 : 0;
      set(x, y, [38 + n + grid, 44 + n + grid, 52 + n + grid]); // floor
      set(TILE + x, y, [42 + n + grid, 48 + n + grid, 50 + n + grid]); // floor variant
      // wall: brick-ish blocks with a lit top edge
      const brick = (y % 16 === 0 || (x + (Math.floor(y / 16) % 2) * 16) % 32 === 0) ? -18 : 0;
      const lit = y < 3 ? 30 : 0;
      set(TILE * 2 + x, y, [96 + n + brick + lit, 84 + n + brick + lit, 110 + n + brick + lit]);
      // crate: wooden box with a border and a cross
      const edge = x < 3 || y < 3 || x > TILE - 4 || y > TILE - 4;
      const cross = Math.abs(x - y) < 2 || Math.abs(x - (TILE - 1 - y)) < 2;
      const c = edge ? [110, 70, 30] : cross ? [150, 100, 45] : [176, 124, 60];
      set(TILE * 3 + x, y, [c[0] + n, c[1] + n, c[2]]);
    }
  }
  return encodePng(w, h, px);
}

// ---------- player: white disc with a darker rim and a nose, tinted per player ----------
function makePlayer() {
  const s = 32;
  const px = new Uint8Array(s * s * 4);
  const c = (s - 1) / 2;
  for (let y = 0; y < s; y++) {
    for (let x = 0; x < s; x++) {
      const d = Math.hypot(x - c, y - c);
      const i = (y * s + x) * 4;
      let v = 0;
      let a = 0;
      if (d <= 14) {
        v = d > 11.5 ? 170 : 255;
        a = 255;
      } else if (d <= 15) {
        v = 120;
        a = Math.round(255 * (15 - d));
      }
      // nose: a notch toward +x shows the aim direction
      if (x > c + 6 && x < c + 14 && Math.abs(y - c) < 2.5) v = 90;
      px[i] = v;
      px[i + 1] = v;
      px[i + 2] = v;
      px[i + 3] = a;
    }
  }
  return encodePng(s, s, px);
}

// ---------- effects and pickups: drawn white/bright, tinted or blended in the game ----------
/** An s x s RGBA image from f(x, y) -> [r, g, b, a] (coordinates of pixel centres). */
function image(s, f, h = s) {
  const px = new Uint8Array(s * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < s; x++) {
      const [r, g, b, a] = f(x + 0.5, y + 0.5);
      const i = (y * s + x) * 4;
      px[i] = r;
      px[i + 1] = g;
      px[i + 2] = b;
      px[i + 3] = Math.max(0, Math.min(255, Math.round(a)));
    }
  }
  return encodePng(s, h, px);
}

/** Health pickup: a green disc with a darker rim and a white cross. */
function makeHealthPickup() {
  const s = 32;
  const c = s / 2;
  return image(s, (x, y) => {
    const d = Math.hypot(x - c, y - c);
    if (d > 13) return [40, 200, 90, Math.max(0, 90 * (15 - d))]; // soft glow
    const cross = (Math.abs(x - c) < 3 && Math.abs(y - c) < 8.5) || (Math.abs(y - c) < 3 && Math.abs(x - c) < 8.5);
    if (cross) return [255, 255, 255, 255];
    return d > 11 ? [24, 120, 56, 255] : [46, 184, 92, 255];
  });
}

/** Muzzle flash: a hot white core fading through yellow. */
function makeMuzzle() {
  const s = 32;
  const c = s / 2;
  return image(s, (x, y) => {
    const d = Math.hypot(x - c, y - c) / c;
    const a = Math.max(0, 1 - d) ** 1.5 * 255;
    return [255, 240 - 60 * d, 160 - 140 * d, a];
  });
}

/** Hit spark: a four-pointed white star. */
function makeSpark() {
  const s = 16;
  const c = s / 2;
  return image(s, (x, y) => {
    const dx = Math.abs(x - c);
    const dy = Math.abs(y - c);
    const star = Math.max(0, 1 - (dx * dy) / 6 - Math.hypot(dx, dy) / c);
    return [255, 255, 255, star * 255];
  });
}

/** Spawn protection: a thin bright ring. */
function makeShield() {
  const s = 40;
  const c = s / 2;
  return image(s, (x, y) => {
    const d = Math.hypot(x - c, y - c);
    const a = Math.max(0, 1 - Math.abs(d - 17) / 2.5);
    return [200, 240, 255, a * 220];
  });
}

/** Blaster beam: 16 x 8, bright along its middle row, fading to the edges (stretched in game). */
function makeBeam() {
  return image(
    16,
    (_x, y) => {
      const d = Math.abs(y - 4) / 4;
      return [255, 255, 255, Math.max(0, 1 - d) ** 2 * 255];
    },
    8,
  );
}

// ---------- maps ----------
/**
 * A Tiled map: border walls, seeded obstacles (pillars, wall runs, crates), pockets that
 * cannot be reached filled in, spawn points on open ground.
 */
function makeMap({ width, height, seed, obstacles, spawnCount, pickupCount = 0, clearSight = false }) {
  const r = rng(seed);
  const FLOOR = 1;
  const FLOOR2 = 2;
  const WALL = 3;
  const CRATE = 4;
  const walls = new Array(width * height).fill(0);
  const at = (x, y) => y * width + x;
  for (let x = 0; x < width; x++) {
    walls[at(x, 0)] = WALL;
    walls[at(x, height - 1)] = WALL;
  }
  for (let y = 0; y < height; y++) {
    walls[at(0, y)] = WALL;
    walls[at(width - 1, y)] = WALL;
  }
  for (let i = 0; i < obstacles; i++) {
    const kind = r();
    const x = 3 + Math.floor(r() * (width - 8));
    const y = 3 + Math.floor(r() * (height - 8));
    if (kind < 0.4) {
      // wall run, horizontal or vertical
      const len = 4 + Math.floor(r() * 9);
      const horiz = r() < 0.5;
      for (let k = 0; k < len; k++) {
        const tx = horiz ? x + k : x;
        const ty = horiz ? y : y + k;
        if (tx > 0 && ty > 0 && tx < width - 1 && ty < height - 1) walls[at(tx, ty)] = WALL;
      }
    } else if (kind < 0.7) {
      // 2x2 pillar
      for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) walls[at(x + dx, y + dy)] = WALL;
    } else {
      // crate cluster
      const n = 1 + Math.floor(r() * 3);
      for (let k = 0; k < n; k++) walls[at(x + (k % 2), y + Math.floor(k / 2))] = CRATE;
    }
  }
  // Keep the centre open so the first spawns are never boxed in.
  const cx = Math.floor(width / 2);
  const cy = Math.floor(height / 2);
  for (let y = cy - 2; y <= cy + 2; y++) for (let x = cx - 2; x <= cx + 2; x++) walls[at(x, y)] = 0;
  // Flood from the centre; any floor it cannot reach becomes wall (no unreachable pockets).
  const seen = new Uint8Array(width * height);
  const stack = [at(cx, cy)];
  seen[at(cx, cy)] = 1;
  while (stack.length) {
    const i = stack.pop();
    const x = i % width;
    const y = (i - x) / width;
    for (const [nx, ny] of [[x + 1, y], [x - 1, y], [x, y + 1], [x, y - 1]]) {
      const j = at(nx, ny);
      if (nx < 0 || ny < 0 || nx >= width || ny >= height || seen[j] || walls[j]) continue;
      seen[j] = 1;
      stack.push(j);
    }
  }
  for (let i = 0; i < walls.length; i++) if (!walls[i] && !seen[i]) walls[i] = WALL;

  const ground = walls.map(() => (r() < 0.12 ? FLOOR2 : FLOOR));
  const open = (x, y) => {
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if (walls[at(x + dx, y + dy)]) return false;
    return true;
  };
  const spawns = [];
  let tries = 0;
  while (spawns.length < spawnCount && tries++ < 100000) {
    const x = 2 + Math.floor(r() * (width - 4));
    const y = 2 + Math.floor(r() * (height - 4));
    if (!open(x, y)) continue;
    if (spawns.some((s) => Math.abs(s.tx - x) + Math.abs(s.ty - y) < 6)) continue;
    spawns.push({ tx: x, ty: y });
  }
  // A duel map keeps every spawn in sight of every other: walls on the line between two
  // spawns are removed, so two players can always see and shoot each other.
  if (clearSight) {
    for (const a of spawns) {
      for (const b of spawns) {
        const ax = a.tx * TILE + TILE / 2;
        const ay = a.ty * TILE + TILE / 2;
        const bx = b.tx * TILE + TILE / 2;
        const by = b.ty * TILE + TILE / 2;
        const n = Math.ceil(Math.hypot(bx - ax, by - ay) / 4);
        for (let k = 0; k <= n; k++) {
          const px = ax + ((bx - ax) * k) / n;
          const py = ay + ((by - ay) * k) / n;
          for (const [ox, oy] of [[0, 0], [14, 0], [-14, 0], [0, 14], [0, -14]]) {
            const tx = Math.floor((px + ox) / TILE);
            const ty = Math.floor((py + oy) / TILE);
            if (tx > 0 && ty > 0 && tx < width - 1 && ty < height - 1) walls[at(tx, ty)] = 0;
          }
        }
      }
    }
  }
  // Health pickups: on open ground, away from spawns and from each other. Drawn after
  // everything else so adding them changed no wall or spawn of the existing maps.
  const pickups = [];
  tries = 0;
  while (pickups.length < pickupCount && tries++ < 100000) {
    const x = 2 + Math.floor(r() * (width - 4));
    const y = 2 + Math.floor(r() * (height - 4));
    if (!open(x, y)) continue;
    if (spawns.some((s) => Math.abs(s.tx - x) + Math.abs(s.ty - y) < 4)) continue;
    if (pickups.some((p) => Math.abs(p.tx - x) + Math.abs(p.ty - y) < 8)) continue;
    pickups.push({ tx: x, ty: y });
  }
  return {
    compressionlevel: -1,
    type: 'map',
    version: '1.10',
    tiledversion: '1.10.2',
    orientation: 'orthogonal',
    renderorder: 'right-down',
    infinite: false,
    width,
    height,
    tilewidth: TILE,
    tileheight: TILE,
    nextlayerid: 5,
    nextobjectid: spawns.length + pickups.length + 1,
    tilesets: [
      {
        firstgid: 1,
        name: 'tiles',
        image: '../sprites/tiles.png',
        imagewidth: TILE * 4,
        imageheight: TILE,
        tilewidth: TILE,
        tileheight: TILE,
        tilecount: 4,
        columns: 4,
        margin: 0,
        spacing: 0,
      },
    ],
    layers: [
      { id: 1, name: 'ground', type: 'tilelayer', width, height, x: 0, y: 0, opacity: 1, visible: true, data: ground },
      { id: 2, name: 'walls', type: 'tilelayer', width, height, x: 0, y: 0, opacity: 1, visible: true, data: walls },
      {
        id: 3,
        name: 'spawns',
        type: 'objectgroup',
        draworder: 'topdown',
        x: 0,
        y: 0,
        opacity: 1,
        visible: true,
        objects: spawns.map((s, i) => ({
          id: i + 1,
          name: `spawn${i + 1}`,
          type: 'spawn',
          point: true,
          rotation: 0,
          visible: true,
          width: 0,
          height: 0,
          x: s.tx * TILE + TILE / 2,
          y: s.ty * TILE + TILE / 2,
        })),
      },
      {
        id: 4,
        name: 'pickups',
        type: 'objectgroup',
        draworder: 'topdown',
        x: 0,
        y: 0,
        opacity: 1,
        visible: true,
        objects: pickups.map((p, i) => ({
          id: spawns.length + i + 1,
          name: `health${i + 1}`,
          type: 'health',
          point: true,
          rotation: 0,
          visible: true,
          width: 0,
          height: 0,
          x: p.tx * TILE + TILE / 2,
          y: p.ty * TILE + TILE / 2,
        })),
      },
    ],
  };
}

function write(rel, data) {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, data);
  console.log(`wrote ${rel} (${data.length} bytes)`);
}

write('assets/sprites/tiles.png', makeTileset());
write('assets/sprites/player.png', makePlayer());
write('assets/sprites/pickup-health.png', makeHealthPickup());
write('assets/sprites/muzzle.png', makeMuzzle());
write('assets/sprites/spark.png', makeSpark());
write('assets/sprites/shield.png', makeShield());
write('assets/sprites/beam.png', makeBeam());
// The default arena.
write('assets/maps/arena.json', JSON.stringify(makeMap({ width: 96, height: 96, seed: 1, obstacles: 260, spawnCount: 24, pickupCount: 14 })));
// Smaller than one screen: everyone always sees everyone (tests, duels), and every spawn
// point is in range (BLASTER_RANGE) and in the line of fire of every other.
write('assets/maps/duel.json', JSON.stringify(makeMap({ width: 20, height: 12, seed: 2, obstacles: 4, spawnCount: 6, pickupCount: 2, clearSight: true })));
// Benchmark "dense": 100 players in one small arena, within one screen (1280x720), so
// everyone sees everyone.
write('assets/maps/dense.json', JSON.stringify(makeMap({ width: 36, height: 20, seed: 3, obstacles: 10, spawnCount: 30, pickupCount: 3 })));
// Benchmark "crowd": 1,000 players spread over a large map.
write('assets/maps/crowd.json', JSON.stringify(makeMap({ width: 256, height: 256, seed: 4, obstacles: 1800, spawnCount: 400, pickupCount: 60 })));
