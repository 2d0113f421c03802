/**
 * The players' sprites: a tinted body turned to its aim and a name label above it. One
 * for the own player, one per other player drawn this frame; an avatar not drawn in a
 * frame (the player left or went out of view) is removed.
 */
import Phaser from 'phaser';
import type { PlayerView } from '../net/client.ts';
import { pixelRatio } from '../display.ts';
import { Keys } from './boot-scene.ts';
import { colorFor } from './colors.ts';

const LABEL_OFFSET = 20;

export interface Avatar {
  body: Phaser.GameObjects.Image;
  label: Phaser.GameObjects.Text;
  name: string;
  /** Frame number it was last drawn in; older ones are removed. */
  seen: number;
}

export class Avatars {
  private selfAvatar: Avatar | null = null;
  private readonly othersById = new Map<number, Avatar>();
  private frame = 0;

  constructor(private readonly scene: Phaser.Scene) {}

  /** The own avatar (null until the own player has been seen). */
  get self(): Avatar | null {
    return this.selfAvatar;
  }

  /** The other players' avatars, by id, where they were drawn last. */
  get others(): ReadonlyMap<number, Avatar> {
    return this.othersById;
  }

  beginFrame(): void {
    this.frame++;
  }

  /** Draw the own player; returns its avatar when this call created it (else null). */
  drawSelf(me: Readonly<PlayerView>, alive: boolean): Avatar | null {
    const created = this.selfAvatar ? null : this.create(me.id, me.name, true);
    const a = created ?? this.selfAvatar;
    if (!a) return null;
    this.selfAvatar = a;
    this.place(a, me);
    // Dead until the respawn: the body is gone (the camera stays where it fell).
    a.body.setVisible(alive);
    a.label.setVisible(alive);
    return created;
  }

  /** Draw the others of this frame and remove the avatars of those no longer drawn. */
  drawOthers(players: readonly Readonly<PlayerView>[]): void {
    for (const p of players) {
      let a = this.othersById.get(p.id);
      if (!a) {
        a = this.create(p.id, p.name, false);
        this.othersById.set(p.id, a);
      }
      this.place(a, p);
    }
    for (const [id, a] of this.othersById) {
      if (a.seen !== this.frame) {
        destroy(a);
        this.othersById.delete(id);
      }
    }
  }

  /** The own player is another one now (a new id after a join that did not resume). */
  dropSelf(): void {
    if (this.selfAvatar) destroy(this.selfAvatar);
    this.selfAvatar = null;
  }

  /** Forget everything (the scene's objects go with the scene). */
  clear(): void {
    this.othersById.clear();
    this.selfAvatar = null;
    this.frame = 0;
  }

  private create(id: number, name: string, own: boolean): Avatar {
    const body = this.scene.add.image(0, 0, Keys.player).setTint(colorFor(id)).setDepth(own ? 11 : 10);
    const label = this.scene.add
      .text(0, 0, name, {
        fontFamily: 'system-ui, sans-serif',
        fontSize: '13px',
        color: own ? '#ffe08a' : '#ffffff',
        stroke: '#000000',
        strokeThickness: 3,
        resolution: pixelRatio(),
      })
      .setOrigin(0.5, 1)
      .setDepth(12);
    return { body, label, name, seen: this.frame };
  }

  private place(a: Avatar, p: Readonly<PlayerView>): void {
    a.body.setPosition(p.x, p.y).setRotation(p.aim);
    a.label.setPosition(p.x, p.y - LABEL_OFFSET);
    if (p.name !== a.name) {
      a.name = p.name;
      a.label.setText(p.name); // Phaser Text draws characters, it does not parse markup
    }
    a.seen = this.frame;
  }
}

function destroy(a: Avatar): void {
  a.body.destroy();
  a.label.destroy();
}
