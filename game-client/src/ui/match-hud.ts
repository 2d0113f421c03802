/**
 * The match part of the HTML HUD: health and score, the top-10 leaderboard, the kill
 * feed, the chat feed and input, the minimap, the respawn countdown, the damage flash,
 * the mute button and touch controls. DOM only (no Phaser): the game scene feeds it
 * what happens. All text from players goes in with textContent.
 */
import { MAX_HEALTH, type CollisionMap } from '../../../protocol/index.ts';
import { ChatBox } from './chat-box.ts';
import { show, ui } from './dom.ts';
import { Feed, type FeedPart } from './feeds.ts';
import { Leaderboard, type LeaderboardRow } from './leaderboard.ts';
import { Minimap, type MinimapDot } from './minimap.ts';
import type { Sound } from './sound.ts';
import { TouchControls } from './touch-controls.ts';

const KILL_FEED_LINES = 5;
const KILL_FEED_MS = 6000;
const CHAT_FEED_LINES = 8;
const CHAT_FEED_MS = 15000;

export class MatchHud {
  private readonly abort = new AbortController();
  readonly kills: Feed;
  readonly chatFeed: Feed;
  private readonly board: Leaderboard;
  readonly chatBox: ChatBox;
  readonly touch: TouchControls;
  private minimapView: Minimap | null = null;
  private respawnAt = Number.NaN;
  private lastCount = '';
  private lastHealth = -1;
  private lastScore = '';
  private flashOff = 0;

  constructor(
    sound: Sound,
    sendChat: (text: string) => void,
  ) {
    const signal = this.abort.signal;
    this.kills = new Feed(ui.killFeed(), KILL_FEED_LINES, KILL_FEED_MS);
    this.chatFeed = new Feed(ui.chatFeed(), CHAT_FEED_LINES, CHAT_FEED_MS);
    this.board = new Leaderboard(ui.leaderboard());
    this.chatBox = new ChatBox(ui.chatForm(), ui.chatInput(), sendChat, signal);
    this.touch = new TouchControls(ui.touchControls(), ui.stick(), ui.stickKnob(), ui.fireButton(), ui.dashButton(), signal, () =>
      sound.unlock(),
    );
    ui.chatButton().addEventListener('click', () => this.chatBox.open(), { signal });
    // Buttons give the focus back at once: Space (dash) must not press them again.
    const mute = ui.muteButton();
    const label = (muted: boolean): void => {
      // A note, struck through when muted: a glyph every system font has (emoji may be missing).
      mute.textContent = '♫';
      mute.classList.toggle('muted', muted);
      mute.setAttribute('aria-pressed', String(muted));
      mute.title = muted ? 'Sound off (M)' : 'Sound on (M)';
    };
    label(sound.muted);
    sound.onChange(label);
    mute.addEventListener(
      'click',
      () => {
        sound.toggle();
        mute.blur();
      },
      { signal },
    );
    window.addEventListener(
      'keydown',
      (ev) => {
        if (this.chatBox.isOpen) return;
        if (ev.key === 'm' || ev.key === 'M') sound.toggle();
        sound.unlock();
      },
      { signal },
    );
    window.addEventListener('pointerdown', () => sound.unlock(), { signal });
    show(ui.respawn(), false);
    ui.score().textContent = '';
    ui.leaderboard().replaceChildren();
    this.setHealth(MAX_HEALTH);
  }

  /** The chat input is open: the game must not read keys. */
  get typing(): boolean {
    return this.chatBox.isOpen;
  }

  setMap(map: CollisionMap): void {
    this.minimapView = new Minimap(ui.minimap(), map);
  }

  drawMinimap(self: MinimapDot | null, others: readonly MinimapDot[], pickups: readonly MinimapDot[], ratio: number): void {
    this.minimapView?.draw(self, others, pickups, ratio);
  }

  setHealth(health: number): void {
    if (health === this.lastHealth) return;
    this.lastHealth = health;
    const fill = ui.healthFill();
    fill.style.width = `${Math.max(0, Math.min(100, (health / MAX_HEALTH) * 100))}%`;
    fill.classList.toggle('low', health <= MAX_HEALTH * 0.3);
    ui.healthText().textContent = `${health} / ${MAX_HEALTH}`;
  }

  setScore(score: number, rank: number, players: number): void {
    const text = `Score ${score} · #${rank} of ${players}`;
    if (text === this.lastScore) return;
    this.lastScore = text;
    ui.score().textContent = text;
  }

  setLeaderboard(rows: readonly LeaderboardRow[], selfId: number, selfRank: number, selfScore: number, players: number): void {
    this.board.render(rows, selfId, selfRank, selfScore, players);
  }

  kill(killer: string, victim: string, killerIsSelf: boolean, victimIsSelf: boolean, now: number): void {
    this.kills.add(
      [
        { text: killer, cls: killerIsSelf ? 'name self' : 'name' },
        { text: ' ⟶ ', cls: 'verb' },
        { text: victim, cls: victimIsSelf ? 'name self' : 'name' },
      ],
      now,
      killerIsSelf || victimIsSelf ? 'mine' : undefined,
    );
  }

  chat(name: string, text: string, isSelf: boolean, now: number): void {
    this.chatFeed.add([{ text: `${name}: `, cls: isSelf ? 'name self' : 'name' }, { text }], now);
  }

  notice(text: string, now: number): void {
    const parts: FeedPart[] = [{ text, cls: 'notice' }];
    this.chatFeed.add(parts, now);
  }

  /** Dead: "Killed by X", counting down to the respawn (loop time, ms). */
  showRespawn(killer: string, respawnAt: number): void {
    this.respawnAt = respawnAt;
    ui.respawnKiller().textContent = killer ? `Killed by ${killer}` : 'You died';
    this.lastCount = '';
    show(ui.respawn(), true);
  }

  hideRespawn(): void {
    this.respawnAt = Number.NaN;
    show(ui.respawn(), false);
  }

  damageFlash(now: number): void {
    ui.damageFlash().classList.add('on');
    this.flashOff = now + 60;
  }

  /** Once a frame: countdown, fading feed lines, the end of a damage flash. */
  update(now: number): void {
    this.kills.update(now);
    this.chatFeed.update(now);
    if (this.flashOff !== 0 && now >= this.flashOff) {
      this.flashOff = 0;
      ui.damageFlash().classList.remove('on');
    }
    if (!Number.isNaN(this.respawnAt)) {
      const s = Math.max(0, Math.ceil((this.respawnAt - now) / 1000));
      const text = s > 0 ? `Respawning in ${s}…` : 'Respawning…';
      if (text !== this.lastCount) {
        this.lastCount = text;
        ui.respawnCount().textContent = text;
      }
    }
  }

  destroy(): void {
    this.abort.abort();
    this.chatBox.close();
    this.kills.clear();
    this.chatFeed.clear();
    show(ui.respawn(), false);
    show(ui.touchControls(), false);
    ui.damageFlash().classList.remove('on');
  }
}
