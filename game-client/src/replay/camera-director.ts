/**
 * Where a viewer's camera looks (a replay or a live spectator): following a chosen
 * player, or free, moved with WASD / arrows. It owns the "Camera" select of the
 * viewer's bar. The scene is known only through the small shapes below, so Phaser stays
 * in scenes/.
 */

/** The scene's camera, as far as this needs it. */
export interface ViewerCamera {
  startFollow(target: object): unknown;
  stopFollow(): unknown;
  scrollX: number;
  scrollY: number;
}

/** A drawn player (the scene's avatars). */
export interface DrawnAvatar {
  readonly body: { x: number; y: number };
}

/** Free camera speed, px per second of real time. */
const PAN_PX_PER_S = 900;
const PAN_KEYS: Record<string, [number, number]> = {
  ArrowUp: [0, -1], KeyW: [0, -1], ArrowDown: [0, 1], KeyS: [0, 1],
  ArrowLeft: [-1, 0], KeyA: [-1, 0], ArrowRight: [1, 0], KeyD: [1, 0],
};

export class CameraDirector {
  readonly select = document.createElement('select');
  /** Player id followed; 0: free camera. */
  follow: number;
  private followed: object | null = null;
  private readonly keys = new Set<string>();
  private lastReal = Number.NaN;
  private lastRosterKey = '';

  constructor(follow: number, signal: AbortSignal) {
    this.follow = follow;
    this.select.dataset.testid = 'viewer-follow';
    this.select.title = 'Camera';
    this.select.addEventListener('change', () => (this.follow = Number(this.select.value)), { signal });
    window.addEventListener('keydown', (e) => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
      if (PAN_KEYS[e.code]) this.keys.add(e.code);
    }, { signal });
    window.addEventListener('keyup', (e) => this.keys.delete(e.code), { signal });
    window.addEventListener('blur', () => this.keys.clear(), { signal });
  }

  /** After the avatars are drawn, each frame. */
  frame(realNow: number, cam: ViewerCamera, others: ReadonlyMap<number, DrawnAvatar>): void {
    const dt = Number.isNaN(this.lastReal) ? 0 : Math.min(100, realNow - this.lastReal);
    this.lastReal = realNow;
    const target = this.follow ? others.get(this.follow) : undefined;
    if (target) {
      if (this.followed !== target.body) {
        cam.startFollow(target.body);
        this.followed = target.body;
      }
      return;
    }
    if (this.followed) {
      cam.stopFollow();
      this.followed = null;
    }
    let dx = 0;
    let dy = 0;
    for (const k of this.keys) {
      const d = PAN_KEYS[k];
      if (d) [dx, dy] = [dx + d[0], dy + d[1]];
    }
    cam.scrollX += (dx * PAN_PX_PER_S * dt) / 1000;
    cam.scrollY += (dy * PAN_PX_PER_S * dt) / 1000;
  }

  /** The select's options: a free camera and every player (names as text). */
  roster(players: readonly { id: number; name: string }[]): void {
    const key = players.map((p) => `${p.id}:${p.name}`).join(',');
    if (key === this.lastRosterKey) return;
    this.lastRosterKey = key;
    const free = document.createElement('option');
    free.value = '0';
    free.textContent = 'Free camera (WASD)';
    const options = [free];
    for (const p of players) {
      const o = document.createElement('option');
      o.value = String(p.id);
      o.textContent = `Follow ${p.name || `#${p.id}`}`;
      options.push(o);
    }
    this.select.replaceChildren(...options);
    this.select.value = String(players.some((p) => p.id === this.follow) ? this.follow : 0);
  }
}
