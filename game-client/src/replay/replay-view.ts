/**
 * The replay controls over the game scene (plain HTML, like the menu and HUD): play /
 * pause, speed 0.25x-4x, a scrub bar with the kills marked on it, the time, and whom
 * the camera follows (any player, or a free camera moved with WASD / arrows). Seeking
 * restarts the scene at the new tick through `restart` (a fresh client from the keyframe
 * before it), keeping speed, pause and the followed player.
 *
 * It knows the scene only through the small shapes below, so Phaser stays in scenes/.
 * Names and chat come from the recorded players: set as textContent, never as markup.
 */
import { IndexKind } from '../../../protocol/replay/index.ts';
import type { ReplayDriver } from './replay-driver.ts';
import { MAX_SPEED, MIN_SPEED } from './replay-driver.ts';
import type { ReplayStart } from './replay-session.ts';
import { CameraDirector, type DrawnAvatar, type ViewerCamera } from './camera-director.ts';

const SPEEDS = [0.25, 0.5, 1, 2, 4] as const;

export class ReplayView {
  private readonly root = document.createElement('div');
  private readonly playButton = document.createElement('button');
  private readonly speedSelect = document.createElement('select');
  private readonly scrub = document.createElement('input');
  private readonly marks = document.createElement('div');
  private readonly time = document.createElement('span');
  private readonly abort = new AbortController();
  private readonly camera: CameraDirector;
  private dragging = false;
  private lastLabelAt = -Infinity;

  constructor(
    private readonly driver: ReplayDriver,
    start: ReplayStart,
    private readonly names: () => { id: number; name: string }[],
    private readonly restart: (start: ReplayStart) => void,
    private readonly leave: () => void,
  ) {
    this.camera = new CameraDirector(start.follow ?? 0, this.abort.signal);
    this.camera.select.dataset.testid = 'replay-follow';
    this.build();
  }

  /** Before the client's update each frame: the replay's clock moves. */
  beforeUpdate(realNow: number): void {
    this.driver.pump(realNow);
  }

  /** After the avatars are drawn: the camera, the labels. */
  afterDraw(realNow: number, cam: ViewerCamera, others: ReadonlyMap<number, DrawnAvatar>): void {
    this.camera.frame(realNow, cam, others);
    if (realNow - this.lastLabelAt >= 100) {
      this.lastLabelAt = realNow;
      this.refresh();
    }
  }

  /** Where things stand, to start over elsewhere with the same settings. */
  private startAt(tick: number): ReplayStart {
    // A seek after the end plays from there (the end paused it, not the viewer).
    const d = this.driver;
    return { id: '', at: tick, speed: d.speed, playing: d.playing || d.ended, follow: this.camera.follow };
  }

  private seek(tick: number): void {
    const r = this.driver.replay;
    this.restart(this.startAt(Math.max(r.firstTick, Math.min(r.lastTick, Math.round(tick)))));
  }

  private build(): void {
    const r = this.driver.replay;
    const signal = this.abort.signal;
    const root = this.root;
    root.id = 'replay-bar';
    root.dataset.testid = 'replay-bar';

    const back = document.createElement('button');
    back.type = 'button';
    back.textContent = 'Menu';
    back.addEventListener('click', () => this.leave(), { signal });

    const play = this.playButton;
    play.type = 'button';
    play.dataset.testid = 'replay-play';
    play.addEventListener('click', () => this.togglePlay(), { signal });

    const speed = this.speedSelect;
    speed.dataset.testid = 'replay-speed';
    speed.title = 'Speed';
    for (const s of SPEEDS) {
      const o = document.createElement('option');
      o.value = String(s);
      o.textContent = `${s}x`;
      speed.append(o);
    }
    speed.value = String(this.driver.speed);
    speed.addEventListener('change', () => (this.driver.speed = Math.min(MAX_SPEED, Math.max(MIN_SPEED, Number(speed.value)))), { signal });

    const track = document.createElement('div');
    track.className = 'replay-track';
    const scrub = this.scrub;
    scrub.type = 'range';
    scrub.dataset.testid = 'replay-scrub';
    scrub.min = String(r.firstTick);
    scrub.max = String(r.lastTick);
    scrub.step = '1';
    scrub.value = String(this.driver.startTick);
    scrub.setAttribute('aria-label', 'Position in the replay');
    scrub.addEventListener('input', () => {
      this.dragging = true;
      this.time.textContent = this.timeText(Number(scrub.value));
    }, { signal });
    scrub.addEventListener('change', () => {
      this.dragging = false;
      this.seek(Number(scrub.value));
    }, { signal });
    const marks = this.marks;
    marks.className = 'replay-marks';
    const span = Math.max(1, r.lastTick - r.firstTick);
    const kills = r.index.filter((e) => e.kind === IndexKind.Kill);
    kills.forEach((k, i) => {
      const m = document.createElement('button');
      m.type = 'button';
      m.className = 'replay-kill';
      m.dataset.testid = `replay-kill-${i}`;
      m.dataset.tick = String(k.tick);
      m.style.left = `${((k.tick - r.firstTick) / span) * 100}%`;
      m.title = `${r.names.get(k.b) ?? `#${k.b}`} killed ${r.names.get(k.a) ?? `#${k.a}`}`;
      m.setAttribute('aria-label', m.title);
      // Just after the kill: it is in the feed, and the victim's death is on screen.
      m.addEventListener('click', () => this.seek(k.tick + Math.round(r.header.tickRate / 2)), { signal });
      marks.append(m);
    });
    track.append(scrub, marks);

    this.time.className = 'replay-time';
    this.time.dataset.testid = 'replay-time';

    root.append(back, play, speed, track, this.time, this.camera.select);
    document.body.append(root);

    window.addEventListener('keydown', (e) => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
      if (e.code === 'KeyP') this.togglePlay();
    }, { signal });
    this.refresh();
  }

  private togglePlay(): void {
    const d = this.driver;
    if (d.ended) {
      this.seek(d.replay.firstTick);
      return;
    }
    d.playing = !d.playing;
    this.refresh();
  }

  private refresh(): void {
    const d = this.driver;
    this.playButton.textContent = d.ended ? 'Replay' : d.playing ? 'Pause' : 'Play';
    if (!this.dragging) {
      this.scrub.value = String(d.tick);
      this.time.textContent = this.timeText(d.tick);
    }
    this.camera.roster(this.names());
  }

  private timeText(tick: number): string {
    const r = this.driver.replay;
    const mmss = (t: number): string => {
      const s = Math.max(0, Math.floor((t - r.firstTick) / r.header.tickRate));
      return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
    };
    return `${mmss(tick)} / ${mmss(r.lastTick)}`;
  }

  destroy(): void {
    this.abort.abort();
    this.root.remove();
  }
}
