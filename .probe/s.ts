import * as P from '../protocol/index.ts';
import { readFileSync } from 'node:fs';
function mk(rows: string[]): P.CollisionMap {
  const h = rows.length, w = rows[0]!.length; const solid = new Uint8Array(w*h);
  rows.forEach((r, y) => [...r].forEach((c, x) => solid[y*w+x] = c === '#' ? 1 : 0));
  return { id: 't', width: w, height: h, tileSize: 32, solid, spawns: [] };
}
function rng(seed: number) { let a = seed >>> 0; return () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; }; }
function overlap(map: P.CollisionMap, s: P.PlayerState) {
  let worst = -Infinity; const ts = map.tileSize;
  const tx0 = Math.floor((s.x - 13) / ts), tx1 = Math.floor((s.x + 13) / ts), ty0 = Math.floor((s.y - 13) / ts), ty1 = Math.floor((s.y + 13) / ts);
  for (let ty = ty0; ty <= ty1; ty++) for (let tx = tx0; tx <= tx1; tx++) {
    if (!P.isSolidTile(map, tx, ty)) continue;
    const cx = Math.min(Math.max(s.x, tx*ts), tx*ts+ts), cy = Math.min(Math.max(s.y, ty*ts), ty*ts+ts);
    worst = Math.max(worst, P.PLAYER_RADIUS - Math.hypot(s.x-cx, s.y-cy));
  }
  return worst;
}
const open = mk(Array.from({length: 40}, (_, y) => y === 0 || y === 39 ? '#'.repeat(40) : '#' + '.'.repeat(38) + '#'));
let s = { x: 640, y: 640, vx: 0, vy: 0 }; let maxd = 0;
for (let i = 0; i < 30; i++) { s = P.stepPlayer(s, P.Button.Down | P.Button.Right, 1/30, open); maxd = Math.max(maxd, Math.hypot(s.vx, s.vy)); }
console.log('diag', s, maxd);
s = { x: 640, y: 640, vx: 0, vy: 0 }; maxd = 0;
for (let i = 0; i < 30; i++) { s = P.stepPlayer(s, P.Button.Down, 1/30, open); maxd = Math.max(maxd, Math.hypot(s.vx, s.vy)); }
console.log('straight', s, maxd);
const maps: Record<string, P.CollisionMap> = {
  thin: mk(['##########', '#....#...#', '#....#...#', '#....#...#', '#........#', '##########']),
  diag: mk(['##########', '#........#', '#...#....#', '#....#...#', '#...#.#..#', '#....#...#', '#........#','##########']),
  corner: mk(['#######', '#.....#', '#.###.#', '#.#...#', '#.#.#.#', '#.....#', '#######']),
  checker: mk(['########', '#.#.#..#', '#..#.#.#', '#.#.#..#', '#..#.#.#', '#......#', '########']),
  arena: P.parseTiledMap('arena', JSON.parse(readFileSync('assets/maps/arena.json', 'utf8'))),
};
for (const [name, map] of Object.entries(maps)) {
  const r = rng(42);
  let worst = -Infinity, centreIn = 0, maxSp = 0;
  for (let run = 0; run < 20; run++) {
    // start on a free tile
    let tx, ty; do { tx = Math.floor(r()*map.width); ty = Math.floor(r()*map.height); } while (P.isSolidTile(map, tx, ty));
    let st = { x: tx*32+16, y: ty*32+16, vx: 0, vy: 0 };
    let b = 0;
    for (let i = 0; i < 5000; i++) {
      if (r() < 0.1) b = Math.floor(r()*16);
      const dt = [1/30, 1/60, 1/20, 1/10, 0.25][Math.floor(r()*5)]!;
      st = P.stepPlayer(st, b, dt, map);
      worst = Math.max(worst, overlap(map, st));
      if (P.isSolidAt(map, st.x, st.y)) centreIn++;
      maxSp = Math.max(maxSp, Math.hypot(st.vx, st.vy));
    }
  }
  console.log(name, 'worst overlap', worst, 'centreIn', centreIn, 'maxSp', maxSp);
}
