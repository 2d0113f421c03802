/**
 * Sound effects synthesized with Web Audio: no files to load, nothing to license, and
 * each effect is a few oscillator and noise envelopes. Muted state is remembered in
 * localStorage. The AudioContext starts on the first sound after a user gesture (the
 * browser's autoplay rule); before that, sounds are silently skipped.
 */

const MUTE_KEY = 'dustup.muted';

export type SoundName = 'fire' | 'hit' | 'hurt' | 'death' | 'kill' | 'pickup' | 'respawn' | 'chat';

export class Sound {
  private ctx: AudioContext | null = null;
  private master: GainNode | null = null;
  private noise: AudioBuffer | null = null;
  private mutedValue: boolean;
  private readonly listeners: ((muted: boolean) => void)[] = [];

  constructor() {
    let stored = false;
    try {
      stored = window.localStorage.getItem(MUTE_KEY) === '1';
    } catch {
      // storage disabled: start unmuted
    }
    this.mutedValue = stored;
  }

  get muted(): boolean {
    return this.mutedValue;
  }

  setMuted(muted: boolean): void {
    this.mutedValue = muted;
    try {
      window.localStorage.setItem(MUTE_KEY, muted ? '1' : '0');
    } catch {
      // not remembered; fine
    }
    if (this.master) this.master.gain.value = muted ? 0 : 0.5;
    for (const l of this.listeners) l(muted);
  }

  toggle(): void {
    this.setMuted(!this.mutedValue);
  }

  onChange(l: (muted: boolean) => void): void {
    this.listeners.push(l);
  }

  /** Call from a user gesture (click, key, touch) so the browser lets audio start. */
  unlock(): void {
    const ctx = this.context();
    if (ctx && ctx.state === 'suspended') void ctx.resume();
  }

  play(name: SoundName, volume = 1): void {
    if (this.mutedValue) return;
    const ctx = this.context();
    if (!ctx || ctx.state !== 'running') return;
    const t = ctx.currentTime;
    switch (name) {
      case 'fire':
        this.tone('square', 880, 180, t, 0.09, 0.18 * volume);
        this.burst(t, 0.05, 0.08 * volume, 3000);
        return;
      case 'hit':
        this.tone('sine', 1400, 1000, t, 0.06, 0.25 * volume);
        return;
      case 'hurt':
        this.burst(t, 0.16, 0.35 * volume, 600);
        this.tone('sawtooth', 160, 90, t, 0.14, 0.15 * volume);
        return;
      case 'death':
        this.tone('sawtooth', 420, 50, t, 0.6, 0.25 * volume);
        this.burst(t, 0.4, 0.2 * volume, 400);
        return;
      case 'kill':
        this.tone('triangle', 660, 660, t, 0.09, 0.22 * volume);
        this.tone('triangle', 990, 990, t + 0.08, 0.14, 0.22 * volume);
        return;
      case 'pickup':
        this.tone('sine', 520, 780, t, 0.1, 0.25 * volume);
        this.tone('sine', 780, 1170, t + 0.08, 0.12, 0.2 * volume);
        return;
      case 'respawn':
        this.tone('triangle', 300, 600, t, 0.25, 0.18 * volume);
        return;
      case 'chat':
        this.tone('sine', 900, 900, t, 0.05, 0.08 * volume);
        return;
    }
  }

  private context(): AudioContext | null {
    if (this.ctx) return this.ctx;
    const Ctor = (window as { AudioContext?: typeof AudioContext }).AudioContext;
    if (!Ctor) return null;
    try {
      this.ctx = new Ctor();
    } catch {
      return null;
    }
    this.master = this.ctx.createGain();
    this.master.gain.value = this.mutedValue ? 0 : 0.5;
    this.master.connect(this.ctx.destination);
    // One second of white noise from a fixed seed, reused by every noise burst.
    const len = this.ctx.sampleRate;
    this.noise = this.ctx.createBuffer(1, len, this.ctx.sampleRate);
    const data = this.noise.getChannelData(0);
    let seed = 12345;
    for (let i = 0; i < len; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      data[i] = (seed / 0xffffffff) * 2 - 1;
    }
    return this.ctx;
  }

  /** An oscillator sweeping from f0 to f1 Hz over dur s, with a quick attack and decay. */
  private tone(type: OscillatorType, f0: number, f1: number, t: number, dur: number, peak: number): void {
    const ctx = this.ctx!;
    const osc = ctx.createOscillator();
    osc.type = type;
    osc.frequency.setValueAtTime(f0, t);
    osc.frequency.exponentialRampToValueAtTime(Math.max(1, f1), t + dur);
    const g = ctx.createGain();
    g.gain.setValueAtTime(0.0001, t);
    g.gain.exponentialRampToValueAtTime(peak, t + 0.01);
    g.gain.exponentialRampToValueAtTime(0.0001, t + dur);
    osc.connect(g).connect(this.master!);
    osc.start(t);
    osc.stop(t + dur + 0.02);
  }

  /** Low-passed noise, for thuds and blasts. */
  private burst(t: number, dur: number, peak: number, cutoff: number): void {
    const ctx = this.ctx!;
    const src = ctx.createBufferSource();
    src.buffer = this.noise;
    const filter = ctx.createBiquadFilter();
    filter.type = 'lowpass';
    filter.frequency.value = cutoff;
    const g = ctx.createGain();
    g.gain.setValueAtTime(peak, t);
    g.gain.exponentialRampToValueAtTime(0.0001, t + dur);
    src.connect(filter).connect(g).connect(this.master!);
    src.start(t, Math.random() * 0.5);
    src.stop(t + dur + 0.02);
  }
}

let shared: Sound | null = null;

/** The page's one Sound (one AudioContext for every game in the tab). */
export function sharedSound(): Sound {
  shared ??= new Sound();
  return shared;
}
