/**
 * Everything the match adds on top of moving players: the blaster's beams and flashes
 * (your own at once, others' from Shot events), hit markers, damage flashes, deaths and
 * respawns, spawn-protection shields, health bars, pickups, and the HUD and sounds that
 * go with them. The game scene hands it the players' drawn positions each frame.
 */
import Phaser from 'phaser';
import {
  EventType,
  MAX_HEALTH,
  RESPAWN_DELAY_MS,
  SPAWN_PROTECTION_MS,
  type CollisionMap,
  type GameEvent,
} from '../../../protocol/index.ts';
import type { GameClient, LocalShot } from '../net/client.ts';
import type { MatchHud } from '../ui/match-hud.ts';
import type { Sound } from '../ui/sound.ts';
import { Keys } from './boot-scene.ts';
import { colorFor } from './colors.ts';
import { Effects } from './effects.ts';

/** A player as drawn this frame. */
export interface DrawnPlayer {
  id: number;
  x: number;
  y: number;
}

interface Overlay {
  bar: Phaser.GameObjects.Graphics;
  shield: Phaser.GameObjects.Image;
  /** Health the bar was last drawn for (-1: never). */
  drawn: number;
  seen: number;
}

const MINIMAP_INTERVAL_MS = 100;
/** Sounds of other players' shots fade out over this distance, px. */
const HEARING_PX = 900;

export class CombatLayer {
  readonly fx: Effects;
  private readonly pickupSprites: Phaser.GameObjects.Image[];
  private readonly overlays = new Map<number, Overlay>();
  /** Scene time until which each player shows a shield. */
  private readonly shieldUntil = new Map<number, number>();
  private readonly drawn = new Map<number, DrawnPlayer>();
  private readonly off: (() => void)[] = [];
  private knownIds: Set<number> | null = null;
  private frameNo = 0;
  private lastMinimap = 0;
  private lastBoard = -1;
  /** Lines the test hook reads: what the kill feed and chat feed show. */
  readonly killLines: string[] = [];
  readonly chatLines: string[] = [];

  constructor(
    private readonly scene: Phaser.Scene,
    private readonly client: GameClient,
    private readonly hud: MatchHud,
    private readonly sound: Sound,
    map: CollisionMap,
  ) {
    this.fx = new Effects(scene);
    this.pickupSprites = (map.pickups ?? []).map((p) =>
      scene.add.image(p.x, p.y, Keys.pickupHealth).setDepth(5),
    );
    for (const sprite of this.pickupSprites) {
      scene.tweens.add({ targets: sprite, scale: 1.12, duration: 700, yoyo: true, repeat: -1, ease: 'Sine.easeInOut' });
    }
    hud.setMap(map);
    this.shieldUntil.set(client.playerId, scene.time.now + SPAWN_PROTECTION_MS);
    this.off.push(
      client.onEvent((e) => this.onEvent(e)),
      client.onLocalShot((s) => this.onLocalShot(s)),
      client.onRoster((players) => this.onRoster(players)),
    );
    this.onRoster(client.roster());
  }

  /** The own player is dead (waiting to respawn): the scene hides its avatar. */
  get selfDead(): boolean {
    return !this.client.match.selfAlive;
  }

  /** Per frame, after the avatars were placed: bars, shields, pickups, HUD. */
  frame(now: number, players: readonly DrawnPlayer[], ratio: number): void {
    this.frameNo++;
    const match = this.client.match;
    this.drawn.clear();
    for (const p of players) {
      this.drawn.set(p.id, p);
      this.overlay(p, now);
    }
    for (const [id, o] of this.overlays) {
      if (o.seen !== this.frameNo) {
        o.bar.destroy();
        o.shield.destroy();
        this.overlays.delete(id);
      }
    }
    for (let i = 0; i < this.pickupSprites.length; i++) this.pickupSprites[i]!.setVisible(!match.pickupsTaken.has(i));
    this.hud.setHealth(match.selfHealth);
    const selfId = this.client.playerId;
    this.hud.setScore(match.selfScore, match.rankOf(selfId), match.playerCount);
    if (match.scoreVersion !== this.lastBoard) {
      this.lastBoard = match.scoreVersion;
      const rows = match.leaderboard(10).map((s) => ({ id: s.id, score: s.score, name: this.name(s.id) }));
      this.hud.setLeaderboard(rows, selfId, match.rankOf(selfId), match.selfScore, match.playerCount);
    }
    this.hud.update(now);
    if (now - this.lastMinimap >= MINIMAP_INTERVAL_MS) {
      this.lastMinimap = now;
      const self = this.drawn.get(selfId) ?? null;
      const others: { x: number; y: number }[] = players.filter((p) => p.id !== selfId);
      // A small room's radar (MatchState positions): everyone, not only who is in view.
      for (const [id, p] of match.positions) if (id !== selfId && !this.drawn.has(id) && match.isAlive(id)) others.push(p);
      const pickups = (this.client.map?.pickups ?? []).filter((_, i) => !match.pickupsTaken.has(i));
      this.hud.drawMinimap(match.selfAlive ? self : null, others, pickups, ratio);
    }
  }

  destroy(): void {
    for (const f of this.off) f();
    for (const o of this.overlays.values()) {
      o.bar.destroy();
      o.shield.destroy();
    }
    this.overlays.clear();
    for (const s of this.pickupSprites) s.destroy();
  }

  // ---- events ----

  private onEvent(e: GameEvent): void {
    const now = this.scene.time.now;
    const me = this.client.playerId;
    switch (e.type) {
      case EventType.Shot: {
        this.shieldUntil.delete(e.shooter);
        if (e.shooter === me) return; // drawn at once when fired (onLocalShot)
        const color = colorFor(e.shooter);
        this.fx.beam(e.x0, e.y0, e.x1, e.y1, color);
        this.fx.muzzle(e.x0, e.y0, Math.atan2(e.y1 - e.y0, e.x1 - e.x0));
        this.fx.spark(e.x1, e.y1, color);
        this.sound.play('fire', this.loudness(e.x0, e.y0) * 0.6);
        return;
      }
      case EventType.Hit: {
        const at = this.drawn.get(e.victim);
        if (e.victim === me) {
          this.hud.damageFlash(now);
          this.sound.play('hurt');
          this.scene.cameras.main.shake(120, 0.004);
          if (at) this.fx.floatText(at.x, at.y, `-${e.damage}`, '#ff7a6a');
        } else if (e.attacker === me) {
          if (at) this.fx.hitMarker(at.x, at.y, e.health === 0);
          this.sound.play('hit');
        } else if (at) {
          this.fx.spark(at.x, at.y, 0xff8060);
        }
        return;
      }
      case EventType.Kill: {
        const killer = this.name(e.killer);
        const victim = this.name(e.victim);
        this.hud.kill(killer, victim, e.killer === me, e.victim === me, now);
        this.remember(this.killLines, `${killer} killed ${victim}`);
        const at = this.drawn.get(e.victim);
        if (at) this.fx.deathBurst(at.x, at.y, colorFor(e.victim));
        if (e.victim === me) {
          this.hud.showRespawn(killer, now + RESPAWN_DELAY_MS);
          this.sound.play('death');
        } else if (e.killer === me) {
          this.sound.play('kill');
        }
        return;
      }
      case EventType.Respawn:
        this.shieldUntil.set(e.player, now + e.protectMs);
        if (e.player === me) {
          this.hud.hideRespawn();
          this.sound.play('respawn');
        }
        return;
      case EventType.Pickup:
        if (e.player === me) {
          this.sound.play('pickup');
          const at = this.drawn.get(me);
          if (at) this.fx.floatText(at.x, at.y, 'health', '#6dff9a');
        }
        return;
      case EventType.PickupReady:
        return;
      case EventType.Chat: {
        const name = this.name(e.player);
        this.hud.chat(name, e.text, e.player === me, now);
        this.remember(this.chatLines, `${name}: ${e.text}`);
        if (e.player !== me) this.sound.play('chat');
        return;
      }
      case EventType.Notice:
        this.hud.notice(e.text, now);
        return;
    }
  }

  private onLocalShot(s: Readonly<LocalShot>): void {
    const me = this.client.playerId;
    this.shieldUntil.delete(me);
    // Drawn from where the own player is drawn (smoothed), along the aim it fired.
    const at = this.drawn.get(me);
    const dx = s.x1 - s.x0;
    const dy = s.y1 - s.y0;
    const x0 = at?.x ?? s.x0;
    const y0 = at?.y ?? s.y0;
    this.fx.beam(x0, y0, x0 + dx, y0 + dy, colorFor(me));
    this.fx.muzzle(x0, y0, Math.atan2(dy, dx));
    if (s.hitId >= 0) this.fx.spark(x0 + dx, y0 + dy, 0xffffff);
    this.sound.play('fire');
  }

  private onRoster(players: readonly { id: number; name: string }[]): void {
    const now = this.scene.time.now;
    const ids = new Set(players.map((p) => p.id));
    const before = this.knownIds;
    this.knownIds = ids;
    if (before) this.announce(players, ids, before, now);
    for (const p of players) this.lastNames.set(p.id, p.name);
  }

  private announce(players: readonly { id: number; name: string }[], ids: Set<number>, before: Set<number>, now: number): void {
    for (const p of players) {
      if (before.has(p.id)) continue;
      this.hud.notice(`${p.name} joined`, now);
      this.remember(this.chatLines, `${p.name} joined`);
      this.shieldUntil.set(p.id, now + SPAWN_PROTECTION_MS);
    }
    for (const id of before) {
      if (ids.has(id)) continue;
      const name = this.lastNames.get(id) ?? 'someone';
      this.hud.notice(`${name} left`, now);
      this.remember(this.chatLines, `${name} left`);
    }
  }

  private readonly lastNames = new Map<number, string>();

  // ---- helpers ----

  private overlay(p: DrawnPlayer, now: number): void {
    let o = this.overlays.get(p.id);
    if (!o) {
      o = {
        bar: this.scene.add.graphics().setDepth(13),
        shield: this.scene.add.image(0, 0, Keys.shield).setDepth(12).setBlendMode(Phaser.BlendModes.ADD),
        drawn: -1,
        seen: 0,
      };
      this.overlays.set(p.id, o);
    }
    o.seen = this.frameNo;
    const until = this.shieldUntil.get(p.id) ?? 0;
    const shielded = now < until;
    o.shield.setVisible(shielded).setPosition(p.x, p.y);
    if (shielded) o.shield.setAlpha(0.6 + 0.4 * Math.sin(now / 90));
    const health = this.client.match.healthOf(p.id);
    if (health !== o.drawn) {
      o.drawn = health;
      o.bar.clear();
      // Full health shows no bar: the screen stays calm until someone is hurt.
      if (health > 0 && health < MAX_HEALTH) {
        const w = 28;
        o.bar.fillStyle(0x000000, 0.7).fillRect(-w / 2 - 1, -1, w + 2, 6);
        o.bar.fillStyle(health > MAX_HEALTH * 0.3 ? 0x4ddc7a : 0xff5a4a, 1).fillRect(-w / 2, 0, (w * health) / MAX_HEALTH, 4);
      }
    }
    o.bar.setPosition(p.x, p.y + 18);
  }

  private name(id: number): string {
    return this.client.nameOf(id) || this.lastNames.get(id) || `#${id}`;
  }

  /** 1 next to the own player, fading to 0 at HEARING_PX. */
  private loudness(x: number, y: number): number {
    const me = this.drawn.get(this.client.playerId);
    if (!me) return 0.5;
    return Math.max(0, 1 - Math.hypot(x - me.x, y - me.y) / HEARING_PX);
  }

  private remember(list: string[], line: string): void {
    list.push(line);
    if (list.length > 50) list.shift();
  }
}
