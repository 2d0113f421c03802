/**
 * The replay controls over the game scene (plain HTML, like the menu and HUD): play /
 * pause, speed 0.25x-4x, a scrub bar with the kills marked on it, the time, and whom
 * the camera follows (any player, or a free camera moved with WASD / arrows). Seeking
 * restarts the scene at the new tick through `restart` (a fresh client from the keyframe
 * before it), keeping speed, pause and the followed player.
 *
 * 'Inspect shot' pauses on the latest shot and shows it (shot-inspector.ts), drawn on a
 * canvas the scene lends. It knows the scene only through small structural shapes
 * (camera-director.ts, ShotCanvas), so Phaser stays in scenes/. Names come from the
 * recorded players: set as textContent, never as markup.
 */
import { IndexKind } from '../../../protocol/replay/index.ts';
import type { ReplayDriver } from './replay-driver.ts';
import { MAX_SPEED, MIN_SPEED } from './replay-driver.ts';
import type { ReplayStart } from './replay-session.ts';
import { CameraDirector, type DrawnAvatar, type ViewerCamera } from './camera-director.ts';
import { ShotInspector, type ShotCanvas } from './shot-inspector.ts';

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
  private readonly inspector: ShotInspector;
  private readonly inspectPanel = document.createElement('div');
  /** The shot being inspected (index in replay.shots), -1: none. */
  private inspecting = -1;
  private inspectDrawn = false;
  private inspectOnStart: boolean;

  constructor(
    private readonly driver: ReplayDriver,
    start: ReplayStart,
    private readonly names: () => { id: number; name: string }[],
    private readonly restart: (start: ReplayStart) => void,
    private readonly leave: () => void,
    /** Where the shot inspector draws (world coordinates, over the players). */
    private readonly canvas: ShotCanvas | null = null,
  ) {
    this.camera = new CameraDirector(start.follow ?? 0, this.abort.signal);
    this.camera.select.dataset.testid = 'replay-follow';
    this.inspector = new ShotInspector(driver.replay);
    this.build();
    // Once the driver has caught up to its start tick (its first pump).
    this.inspectOnStart = start.inspect === true;
  }

  /** Before the client's update each frame: the replay's clock moves. */
  beforeUpdate(realNow: number): void {
    this.driver.pump(realNow);
    if (this.inspectOnStart && this.driver.tick >= this.driver.startTick) {
      this.inspectOnStart = false;
      this.inspect(this.inspector.shotAt(this.driver.tick));
    }
  }

  /** After the avatars are drawn: the camera, the labels. */
  afterDraw(realNow: number, cam: ViewerCamera, others: ReadonlyMap<number, DrawnAvatar>): void {
    this.camera.frame(realNow, cam, others);
    if (this.inspecting >= 0 && !this.inspectDrawn && this.canvas) {
      const shot = this.driver.replay.shots[this.inspecting]!;
      this.inspector.draw(this.canvas, shot, this.inspector.seen(shot));
      this.inspectDrawn = true;
    }
    if (realNow - this.lastLabelAt >= 100) {
      this.lastLabelAt = realNow;
      this.refresh();
    }
  }

  /** Where things stand, to start over elsewhere with the same settings. */
  private startAt(tick: number): ReplayStart {
    // A seek after the end plays from there (the end paused it, not the viewer).
    const d = this.driver;
    return { id: '', at: tick, speed: d.speed, playing: d.playing || d.ended, follow: this.camera.follow, inspect: false };
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

    const inspect = document.createElement('button');
    inspect.type = 'button';
    inspect.dataset.testid = 'replay-inspect';
    inspect.textContent = 'Inspect shot';
    inspect.title = 'Pause on the latest shot: what its shooter saw beside where the server rewound the others';
    inspect.addEventListener('click', () => (this.inspecting >= 0 ? this.closeInspector() : this.inspect(this.inspector.shotAt(this.driver.tick))), { signal });

    const panel = this.inspectPanel;
    panel.id = 'shot-inspector';
    panel.dataset.testid = 'shot-inspector';
    panel.hidden = true;

    root.append(back, play, speed, track, this.time, this.camera.select, inspect);
    document.body.append(panel);
    document.body.append(root);

    window.addEventListener('keydown', (e) => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
      if (e.code === 'KeyP') this.togglePlay();
    }, { signal });
    this.refresh();
  }

  /** Pause on shot i and show it (its tick's moment; the world is drawn as then). */
  private inspect(i: number): void {
    const shots = this.driver.replay.shots;
    const panel = this.inspectPanel;
    panel.hidden = false;
    if (i < 0 || !shots[i]) {
      panel.replaceChildren(textLine('No shot has been fired yet at this point of the replay.'));
      return;
    }
    const shot = shots[i]!;
    if (shot.tick !== this.driver.tick && !this.inspectOnStart) {
      // The world must be the shot's moment: start over there, paused, inspecting.
      this.restart({ ...this.startAt(shot.tick), playing: false, inspect: true });
      return;
    }
    this.driver.playing = false;
    this.inspecting = i;
    this.inspectDrawn = false;
    const prev = document.createElement('button');
    prev.type = 'button';
    prev.textContent = 'Previous shot';
    prev.disabled = i === 0;
    prev.addEventListener('click', () => this.restart({ ...this.startAt(shots[i - 1]!.tick), playing: false, inspect: true }));
    const next = document.createElement('button');
    next.type = 'button';
    next.textContent = 'Next shot';
    next.disabled = i === shots.length - 1;
    next.addEventListener('click', () => this.restart({ ...this.startAt(shots[i + 1]!.tick), playing: false, inspect: true }));
    const close = document.createElement('button');
    close.type = 'button';
    close.textContent = 'Close';
    close.addEventListener('click', () => this.closeInspector());
    const text = textLine(this.inspector.describe(shot));
    text.dataset.testid = 'shot-verdict';
    panel.replaceChildren(text, prev, next, close);
    this.refresh();
  }

  private closeInspector(): void {
    this.inspecting = -1;
    this.inspectPanel.hidden = true;
    this.canvas?.clear();
  }

  private togglePlay(): void {
    const d = this.driver;
    if (d.ended) {
      this.seek(d.replay.firstTick);
      return;
    }
    d.playing = !d.playing;
    if (d.playing) this.closeInspector();
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
    this.inspectPanel.remove();
  }
}

function textLine(text: string): HTMLParagraphElement {
  const p = document.createElement('p');
  p.textContent = text;
  return p;
}
