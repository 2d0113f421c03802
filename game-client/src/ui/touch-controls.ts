/**
 * Touch controls for phones and tablets: a virtual stick (left thumb) to move, a Fire
 * button and a Dash button (right thumb). They appear on the first touch, or at once on
 * a device whose main pointer is coarse. Fire aims at the nearest enemy (the scene does
 * that); while only moving, the player looks where it walks.
 */
import { Button } from '../../../protocol/index.ts';
import { show } from './dom.ts';

/** The stick must be pushed this far (fraction of its radius) before it moves you. */
const DEAD_ZONE = 0.25;
/** A component this large (of the unit direction) presses its button: 8 directions. */
const AXIS = 0.38;

export class TouchControls {
  private activeValue = false;
  private stickId: number | null = null;
  private dx = 0;
  private dy = 0;
  private fireDown = false;
  private dashDown = false;

  constructor(
    private readonly root: HTMLElement,
    private readonly stick: HTMLElement,
    private readonly knob: HTMLElement,
    fire: HTMLElement,
    dash: HTMLElement,
    signal: AbortSignal,
    onFirstTouch: () => void,
  ) {
    const coarse = typeof window.matchMedia === 'function' && window.matchMedia('(pointer: coarse)').matches;
    this.setActive(coarse);
    window.addEventListener(
      'touchstart',
      () => {
        if (!this.activeValue) this.setActive(true);
        onFirstTouch();
      },
      { signal, passive: true },
    );
    stick.addEventListener(
      'pointerdown',
      (ev) => {
        ev.preventDefault();
        this.stickId = ev.pointerId;
        stick.setPointerCapture(ev.pointerId);
        this.moveStick(ev);
      },
      { signal },
    );
    stick.addEventListener('pointermove', (ev) => ev.pointerId === this.stickId && this.moveStick(ev), { signal });
    const release = (ev: PointerEvent): void => {
      if (ev.pointerId !== this.stickId) return;
      this.stickId = null;
      this.dx = 0;
      this.dy = 0;
      this.knob.style.transform = '';
    };
    stick.addEventListener('pointerup', release, { signal });
    stick.addEventListener('pointercancel', release, { signal });
    this.hold(fire, (down) => (this.fireDown = down), signal);
    this.hold(dash, (down) => (this.dashDown = down), signal);
  }

  get active(): boolean {
    return this.activeValue;
  }

  get firing(): boolean {
    return this.fireDown;
  }

  /** The stick's direction, radians, or NaN when it is at rest. */
  get stickAngle(): number {
    return this.dx === 0 && this.dy === 0 ? Number.NaN : Math.atan2(this.dy, this.dx);
  }

  /** Button bits the controls hold now. */
  buttons(): number {
    let b = 0;
    if (this.dx < -AXIS) b |= Button.Left;
    if (this.dx > AXIS) b |= Button.Right;
    if (this.dy < -AXIS) b |= Button.Up;
    if (this.dy > AXIS) b |= Button.Down;
    if (this.fireDown) b |= Button.Fire;
    if (this.dashDown) b |= Button.Dash;
    return b;
  }

  private setActive(on: boolean): void {
    this.activeValue = on;
    show(this.root, on);
    document.body.classList.toggle('touch', on);
  }

  private moveStick(ev: PointerEvent): void {
    const r = this.stick.getBoundingClientRect();
    const radius = r.width / 2;
    let x = (ev.clientX - (r.left + radius)) / radius;
    let y = (ev.clientY - (r.top + radius)) / radius;
    const len = Math.hypot(x, y);
    if (len > 1) {
      x /= len;
      y /= len;
    }
    this.knob.style.transform = `translate(${x * radius * 0.6}px, ${y * radius * 0.6}px)`;
    if (len < DEAD_ZONE) {
      this.dx = 0;
      this.dy = 0;
      return;
    }
    const n = Math.max(len, 1e-9);
    this.dx = x / n;
    this.dy = y / n;
  }

  private hold(el: HTMLElement, set: (down: boolean) => void, signal: AbortSignal): void {
    el.addEventListener(
      'pointerdown',
      (ev) => {
        ev.preventDefault();
        el.setPointerCapture(ev.pointerId);
        set(true);
        el.classList.add('down');
      },
      { signal },
    );
    const up = (): void => {
      set(false);
      el.classList.remove('down');
    };
    el.addEventListener('pointerup', up, { signal });
    el.addEventListener('pointercancel', up, { signal });
  }
}
