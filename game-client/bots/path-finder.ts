/**
 * Grid paths over a CollisionMap's walkable tiles, for bots that walk like people
 * instead of pushing into walls.
 *
 * A player's radius (12 px) is under half a tile, so a player centred in a free tile
 * touches no wall: paths go from tile centre to tile centre. Moves are 8-way, but a
 * diagonal is allowed only when both tiles it passes beside are free, so a path never
 * cuts a wall's corner. Every step costs the same (breadth-first search): paths have
 * the fewest steps, which is all a bot needs, and BFS on a 96x96 map takes tens of
 * microseconds with the scratch arrays reused.
 *
 * One PathFinder per map per worker is shared by all its bots.
 */
import type { CollisionMap } from '../../protocol/index.ts';

const DX = [1, -1, 0, 0, 1, 1, -1, -1];
const DY = [0, 0, 1, -1, 1, -1, 1, -1];

export class PathFinder {
  readonly map: CollisionMap;
  readonly width: number;
  readonly height: number;
  readonly tileSize: number;
  /** 1 where a player can stand (tile not solid). */
  private readonly free: Uint8Array;
  /** Connected area of each free tile (-1 for solid): a target in another area is unreachable. */
  private readonly area: Int32Array;
  /** Free tiles of each area, for picking random reachable targets. */
  private readonly areaTiles: Int32Array[] = [];

  // Scratch for search, reused: a visit stamp instead of clearing per search.
  private readonly parent: Int32Array;
  private readonly stamp: Uint32Array;
  private readonly queue: Int32Array;
  private currentStamp = 0;

  constructor(map: CollisionMap) {
    this.map = map;
    this.width = map.width;
    this.height = map.height;
    this.tileSize = map.tileSize;
    const n = map.width * map.height;
    this.free = new Uint8Array(n);
    for (let i = 0; i < n; i++) this.free[i] = map.solid[i] === 1 ? 0 : 1;
    this.parent = new Int32Array(n);
    this.stamp = new Uint32Array(n);
    this.queue = new Int32Array(n);
    this.area = new Int32Array(n).fill(-1);
    this.labelAreas();
  }

  isFree(tx: number, ty: number): boolean {
    return tx >= 0 && ty >= 0 && tx < this.width && ty < this.height && this.free[ty * this.width + tx] === 1;
  }

  /** Tile index under a point (px), or -1 outside the map. */
  tileAt(x: number, y: number): number {
    const tx = Math.floor(x / this.tileSize);
    const ty = Math.floor(y / this.tileSize);
    if (tx < 0 || ty < 0 || tx >= this.width || ty >= this.height) return -1;
    return ty * this.width + tx;
  }

  /**
   * The free tile a player at (x, y) is in or, if that tile is solid (it can graze a
   * corner tile's edge), the nearest free tile around it; -1 if none is near.
   */
  freeTileNear(x: number, y: number): number {
    const t = this.tileAt(x, y);
    if (t >= 0 && this.free[t] === 1) return t;
    const tx = Math.floor(x / this.tileSize);
    const ty = Math.floor(y / this.tileSize);
    let best = -1;
    let bestD = Infinity;
    for (let r = 1; r <= 2 && best < 0; r++) {
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          if (!this.isFree(tx + dx, ty + dy)) continue;
          const cx = (tx + dx + 0.5) * this.tileSize - x;
          const cy = (ty + dy + 0.5) * this.tileSize - y;
          const d = cx * cx + cy * cy;
          if (d < bestD) {
            bestD = d;
            best = (ty + dy) * this.width + tx + dx;
          }
        }
      }
    }
    return best;
  }

  centerX(tile: number): number {
    return ((tile % this.width) + 0.5) * this.tileSize;
  }

  centerY(tile: number): number {
    return (Math.floor(tile / this.width) + 0.5) * this.tileSize;
  }

  /** Whether `to` can be reached from `from` (same connected area). */
  reachable(from: number, to: number): boolean {
    return from >= 0 && to >= 0 && this.area[from]! >= 0 && this.area[from] === this.area[to];
  }

  /**
   * A random free tile reachable from `from` (other than `from` when possible), or -1.
   * With maxSteps, tiles within that many tiles (Chebyshev) are preferred: walks stay
   * local, and the search that follows explores a small patch instead of the whole map.
   */
  randomReachable(from: number, random: () => number, maxSteps = Infinity): number {
    if (from < 0 || this.area[from]! < 0) return -1;
    const tiles = this.areaTiles[this.area[from]!]!;
    if (tiles.length === 1) return tiles[0]!;
    const w = this.width;
    const fx = from % w;
    const fy = (from - fx) / w;
    for (let tries = 0; tries < 16; tries++) {
      const t = tiles[Math.floor(random() * tiles.length)]!;
      if (t === from) continue;
      const tx = t % w;
      const ty = (t - tx) / w;
      if (Math.max(Math.abs(tx - fx), Math.abs(ty - fy)) <= maxSteps || tries >= 12) return t;
    }
    return tiles[0] === from ? tiles[1]! : tiles[0]!;
  }

  /**
   * Tiles from `from` (excluded) to `to` (included), each one step from the last, or
   * null if unreachable. An empty array when from === to.
   */
  findPath(from: number, to: number): number[] | null {
    if (!this.reachable(from, to)) return null;
    if (from === to) return [];
    const w = this.width;
    const stamp = this.nextStamp();
    const { parent, queue, free } = this;
    let head = 0;
    let tail = 0;
    queue[tail++] = from;
    this.stamp[from] = stamp;
    parent[from] = -1;
    while (head < tail) {
      const cur = queue[head++]!;
      if (cur === to) break;
      const cx = cur % w;
      const cy = (cur - cx) / w;
      for (let k = 0; k < 8; k++) {
        const nx = cx + DX[k]!;
        const ny = cy + DY[k]!;
        if (nx < 0 || ny < 0 || nx >= w || ny >= this.height) continue;
        const ni = ny * w + nx;
        if (free[ni] !== 1 || this.stamp[ni] === stamp) continue;
        // A diagonal step needs both side tiles free: no cutting a wall's corner.
        if (k >= 4 && (free[cy * w + nx] !== 1 || free[ny * w + cx] !== 1)) continue;
        this.stamp[ni] = stamp;
        parent[ni] = cur;
        queue[tail++] = ni;
      }
    }
    if (this.stamp[to] !== stamp) return null;
    const path: number[] = [];
    for (let t = to; t !== from; t = parent[t]!) path.push(t);
    path.reverse();
    return path;
  }

  private nextStamp(): number {
    this.currentStamp++;
    if (this.currentStamp === 0xffffffff) {
      this.stamp.fill(0);
      this.currentStamp = 1;
    }
    return this.currentStamp;
  }

  /** Flood-fill 4-connected areas (a diagonal step needs its side tiles free, so 8-way moves connect nothing more). */
  private labelAreas(): void {
    const w = this.width;
    const n = this.free.length;
    const queue = this.queue;
    let label = 0;
    for (let start = 0; start < n; start++) {
      if (this.free[start] !== 1 || this.area[start] !== -1) continue;
      let head = 0;
      let tail = 0;
      queue[tail++] = start;
      this.area[start] = label;
      while (head < tail) {
        const cur = queue[head++]!;
        const cx = cur % w;
        const cy = (cur - cx) / w;
        for (let k = 0; k < 4; k++) {
          const nx = cx + DX[k]!;
          const ny = cy + DY[k]!;
          if (nx < 0 || ny < 0 || nx >= w || ny >= this.height) continue;
          const ni = ny * w + nx;
          if (this.free[ni] !== 1 || this.area[ni] !== -1) continue;
          this.area[ni] = label;
          queue[tail++] = ni;
        }
      }
      this.areaTiles.push(queue.slice(0, tail));
      label++;
    }
  }
}
