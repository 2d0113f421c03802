/**
 * The match: connects a GameClient, draws the map and the players, feeds it the
 * controls. The netcode (prediction, interpolation, clocks) lives in src/net; this
 * scene only reads positions from it once per frame.
 */
import Phaser from 'phaser';
import { Button, CloseCode, parseTiledMap, type CollisionMap } from '../../../protocol/index.ts';
import { ConnectError, GameClient, describeClose } from '../net/client.ts';
import { pixelRatio } from '../display.ts';
import { setTestStateProvider, type DustupTestState } from '../test-hook.ts';
import { MatchHud } from '../ui/match-hud.ts';
import { sharedSound } from '../ui/sound.ts';
import { Keys } from './boot-scene.ts';
import { colorFor } from './colors.ts';
import { CombatLayer, type DrawnPlayer } from './combat-layer.ts';
import { Hud } from './hud.ts';
import { describeJoinFailure, type GameSceneData, type MenuSceneData } from './menu-scene.ts';

interface Avatar {
  body: Phaser.GameObjects.Image;
  label: Phaser.GameObjects.Text;
  name: string;
  /** Frame number it was last drawn in; older ones are removed. */
  seen: number;
}

interface Controls {
  up: Phaser.Input.Keyboard.Key[];
  down: Phaser.Input.Keyboard.Key[];
  left: Phaser.Input.Keyboard.Key[];
  right: Phaser.Input.Keyboard.Key[];
  dash: Phaser.Input.Keyboard.Key[];
}

const LABEL_OFFSET = 20;
const DEBUG_INTERVAL_MS = 250;

function wsUrl(): string {
  const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${window.location.host}/ws`;
}

export class GameScene extends Phaser.Scene {
  private params: GameSceneData = { name: 'Player', room: '' };
  private client: GameClient | null = null;
  private hud: Hud | null = null;
  /** Health, score, leaderboard, feeds, chat, minimap, touch controls (HTML). */
  private matchHud: MatchHud | null = null;
  /** Beams, hits, deaths, shields, pickups; created once the map is known. */
  private combat: CombatLayer | null = null;
  private readonly sfx = sharedSound();
  private readonly drawnPlayers: DrawnPlayer[] = [];
  /** The map's size, px, and the camera bounds last set for it ("w x h"). */
  private worldSize: { w: number; h: number } | null = null;
  private boundsKey = '';
  private controls: Controls | null = null;
  private self: Avatar | null = null;
  private readonly others = new Map<number, Avatar>();
  private frame = 0;
  private leaving = false;
  private welcomed = false;
  private lastDebugAt = 0;
  private pointerMoved = false;
  private readonly worldPoint = new Phaser.Math.Vector2();

  constructor() {
    super('game');
  }

  init(data: GameSceneData): void {
    this.params = { name: data?.name ?? 'Player', room: data?.room ?? '' };
    this.client = null;
    this.self = null;
    this.others.clear();
    this.frame = 0;
    this.worldSize = null;
    this.boundsKey = '';
    this.leaving = false;
    this.welcomed = false;
    this.pointerMoved = false;
  }

  create(): void {
    this.events.once(Phaser.Scenes.Events.SHUTDOWN, () => this.teardown());
    this.cameras.main.setZoom(pixelRatio());
    this.hud = new Hud(() => this.backToMenu());
    this.hud.setStatus('Connecting…');
    this.matchHud = new MatchHud(this.sfx, (text) => this.client?.sendChat(text));
    this.controls = this.createControls();
    this.input.mouse?.disableContextMenu();
    this.input.on(Phaser.Input.Events.POINTER_MOVE, () => (this.pointerMoved = true));

    const client = new GameClient({
      url: wsUrl(),
      name: this.params.name,
      room: this.params.room,
      map: (mapId) => this.collisionMap(mapId),
      // A dropped connection comes back by itself as the same player (resume token).
      reconnect: true,
    });
    this.client = client;
    setTestStateProvider(() => this.testState());
    client.onReconnecting(({ code }) => {
      if (this.leaving) return;
      this.hud?.setStatus(code === CloseCode.ServerShutdown ? 'Server restarting… reconnecting' : 'Reconnecting…');
    });
    client.onReconnected((resumed) => {
      if (this.leaving) return;
      this.hud?.setStatus('');
      this.hud?.setRoom(client.roomCode);
      // The server had lost the old player (restart, or too long away): a new one, a new id.
      if (!resumed && this.self) {
        this.self.body.destroy();
        this.self.label.destroy();
        this.self = null;
      }
    });
    client.onClose((code, reason) => {
      // Before the welcome, connect() rejects and says why; leaving is not an error.
      if (this.leaving || !this.welcomed) return;
      this.hud?.setStatus('');
      this.hud?.showLost(`Connection lost: ${describeClose(code, reason)}`);
    });
    client.connect().then(
      (welcome) => {
        if (this.leaving) return;
        this.welcomed = true;
        this.buildWorld(welcome.mapId);
        if (this.matchHud && client.map) this.combat = new CombatLayer(this, client, this.matchHud, this.sfx, client.map);
        this.hud?.setRoom(welcome.roomCode);
        this.hud?.setStatus('Joining…');
      },
      (err: unknown) => {
        if (this.leaving) return;
        const room = this.params.room;
        const why =
          err instanceof ConnectError
            ? describeJoinFailure(err.code, err.reason, room)
            : `Could not join: ${String((err as Error)?.message ?? err)}`;
        // A full room or a bad code is the player's to act on: back to the menu with the reason.
        this.scene.start('menu', { error: why, room } satisfies MenuSceneData);
      },
    );
  }

  override update(): void {
    const client = this.client;
    if (!client) return;
    this.frame++;
    const cam = this.cameras.main;
    const ratio = pixelRatio();
    if (cam.zoom !== ratio) cam.setZoom(ratio);
    this.fitBounds();

    client.setButtons(this.readButtons());
    // The server sends the players in and around what the camera shows.
    client.setViewport(cam.width / cam.zoom, cam.height / cam.zoom);
    this.aim(client);
    client.update();

    const me = client.localPlayer();
    if (me) {
      if (!this.self) {
        this.self = this.createAvatar(me.id, me.name, true);
        cam.startFollow(this.self.body, false);
        this.hud?.setStatus('');
      }
      this.place(this.self, me.x, me.y, me.aim, me.name);
      // Dead until the respawn: the body is gone (the camera stays where it fell).
      const alive = !this.combat?.selfDead;
      this.self.body.setVisible(alive);
      this.self.label.setVisible(alive);
    }
    for (const p of client.remotePlayers()) {
      let a = this.others.get(p.id);
      if (!a) {
        a = this.createAvatar(p.id, p.name, false);
        this.others.set(p.id, a);
      }
      this.place(a, p.x, p.y, p.aim, p.name);
    }
    for (const [id, a] of this.others) {
      if (a.seen !== this.frame) {
        a.body.destroy();
        a.label.destroy();
        this.others.delete(id);
      }
    }

    const now = this.time.now;
    if (this.combat) {
      const drawn = this.drawnPlayers;
      drawn.length = 0;
      if (me && !this.combat.selfDead) drawn.push({ id: me.id, x: me.x, y: me.y });
      for (const [id, a] of this.others) drawn.push({ id, x: a.body.x, y: a.body.y });
      this.combat.frame(now, drawn, ratio);
    }
    if (this.hud?.debugShown && now - this.lastDebugAt >= DEBUG_INTERVAL_MS) {
      this.lastDebugAt = now;
      this.hud.updateDebug({ fps: this.game.loop.actualFps, players: this.others.size + (me ? 1 : 0), stats: client.stats });
    }
  }

  // ---- setup ----

  /**
   * The collision map for the server's map id, from Phaser's cache; a map the boot
   * scene did not preload (a host running --map crowd, say) is loaded now.
   */
  private collisionMap(mapId: string): Promise<CollisionMap> {
    const fromCache = (): CollisionMap | null => {
      const cached = this.cache.tilemap.get(mapId) as { data?: unknown } | undefined;
      return cached?.data ? parseTiledMap(mapId, cached.data) : null;
    };
    const ready = fromCache();
    if (ready) return Promise.resolve(ready);
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(mapId)) return Promise.reject(new Error(`refusing to load map "${mapId}"`));
    return new Promise((resolve, reject) => {
      this.load.tilemapTiledJSON(mapId, `/assets/maps/${mapId}.json`);
      this.load.once(Phaser.Loader.Events.COMPLETE, () => {
        const m = fromCache();
        if (m) resolve(m);
        else reject(new Error(`could not load map "${mapId}" from the server`));
      });
      this.load.start();
    });
  }

  private buildWorld(mapId: string): void {
    const map = this.make.tilemap({ key: mapId });
    const tileset = map.addTilesetImage('tiles', Keys.tiles);
    if (!tileset) throw new Error(`map ${mapId} has no tileset named "tiles"`);
    map.createLayer('ground', tileset, 0, 0)?.setDepth(0);
    map.createLayer('walls', tileset, 0, 0)?.setDepth(1);
    this.worldSize = { w: map.widthInPixels, h: map.heightInPixels };
    this.fitBounds();
    this.cameras.main.centerOn(map.widthInPixels / 2, map.heightInPixels / 2);
  }

  /**
   * Camera bounds: the map, grown to the view where the map is smaller than the window,
   * so a small map sits in the middle of the screen (where the server's interest
   * management also assumes the camera is) instead of in a corner under the HUD.
   */
  private fitBounds(): void {
    const size = this.worldSize;
    if (!size) return;
    const cam = this.cameras.main;
    const bw = Math.max(size.w, cam.width / cam.zoom);
    const bh = Math.max(size.h, cam.height / cam.zoom);
    const key = `${bw}x${bh}`;
    if (key === this.boundsKey) return;
    this.boundsKey = key;
    cam.setBounds((size.w - bw) / 2, (size.h - bh) / 2, bw, bh);
  }

  private createControls(): Controls | null {
    const kb = this.input.keyboard;
    if (!kb) return null;
    // No key capture: the page does not scroll anyway, and captured keys could not be
    // typed into the menu's name field later.
    const k = (code: number): Phaser.Input.Keyboard.Key => kb.addKey(code, false);
    const C = Phaser.Input.Keyboard.KeyCodes;
    return {
      up: [k(C.W), k(C.UP)],
      down: [k(C.S), k(C.DOWN)],
      left: [k(C.A), k(C.LEFT)],
      right: [k(C.D), k(C.RIGHT)],
      dash: [k(C.SPACE)],
    };
  }

  /**
   * Mouse: aim at the pointer. Touch: aim at the nearest enemy while Fire is held
   * (nobody can aim precisely with a thumb), else where the stick points.
   */
  private aim(client: GameClient): void {
    if (!this.self) return;
    const sx = this.self.body.x;
    const sy = this.self.body.y;
    const touch = this.matchHud?.touch;
    if (touch?.active) {
      if (touch.firing) {
        let best = Infinity;
        let angle = Number.NaN;
        for (const a of this.others.values()) {
          const d = (a.body.x - sx) ** 2 + (a.body.y - sy) ** 2;
          if (d < best) {
            best = d;
            angle = Math.atan2(a.body.y - sy, a.body.x - sx);
          }
        }
        if (!Number.isNaN(angle)) return client.setAim(angle);
      }
      const stick = touch.stickAngle;
      if (!Number.isNaN(stick)) client.setAim(stick);
      return;
    }
    if (!this.pointerMoved) return;
    const p = this.input.activePointer;
    this.cameras.main.getWorldPoint(p.x, p.y, this.worldPoint);
    client.setAim(Math.atan2(this.worldPoint.y - sy, this.worldPoint.x - sx));
  }

  private readButtons(): number {
    const c = this.controls;
    const hud = this.matchHud;
    let b = hud?.touch.active ? hud.touch.buttons() : 0;
    // Keys typed into the chat box are not moves.
    if (!c || hud?.typing) return b;
    const down = (keys: Phaser.Input.Keyboard.Key[]): boolean => keys.some((key) => key.isDown);
    if (down(c.up)) b |= Button.Up;
    if (down(c.down)) b |= Button.Down;
    if (down(c.left)) b |= Button.Left;
    if (down(c.right)) b |= Button.Right;
    if (down(c.dash)) b |= Button.Dash;
    if (!hud?.touch.active) {
      const p = this.input.activePointer;
      if (p.leftButtonDown()) b |= Button.Fire;
      if (p.rightButtonDown()) b |= Button.Dash;
    }
    return b;
  }

  private createAvatar(id: number, name: string, own: boolean): Avatar {
    const body = this.add.image(0, 0, Keys.player).setTint(colorFor(id)).setDepth(own ? 11 : 10);
    const label = this.add
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

  private place(a: Avatar, x: number, y: number, aim: number, name: string): void {
    a.body.setPosition(x, y).setRotation(aim);
    a.label.setPosition(x, y - LABEL_OFFSET);
    if (name !== a.name) {
      a.name = name;
      a.label.setText(name); // Phaser Text draws characters, it does not parse markup
    }
    a.seen = this.frame;
  }

  // ---- leaving ----

  private backToMenu(): void {
    this.scene.start('menu', { room: this.params.room } satisfies MenuSceneData);
  }

  private teardown(): void {
    this.leaving = true;
    this.client?.close('left the game');
    this.client = null;
    this.combat?.destroy();
    this.combat = null;
    this.matchHud?.destroy();
    this.matchHud = null;
    this.hud?.destroy();
    this.hud = null;
    this.others.clear();
    this.self = null;
    this.input.keyboard?.removeAllKeys(true);
    this.input.off(Phaser.Input.Events.POINTER_MOVE);
    setTestStateProvider(null);
  }

  private testState(): DustupTestState {
    const c = this.client;
    if (!c) return { connected: false, playerId: 0, roomCode: '', self: null, others: [] };
    const me = c.localPlayer();
    // Where a world point is on the page, CSS px: the camera's view starts at worldView.
    const view = this.cameras.main.worldView;
    const match = c.match;
    return {
      connected: c.connected,
      playerId: c.playerId,
      roomCode: c.roomCode,
      self: me ? { x: me.x, y: me.y } : null,
      others: c.remotePlayers().map((p) => ({ id: p.id, name: p.name, x: p.x, y: p.y, screenX: p.x - view.x, screenY: p.y - view.y })),
      health: match.selfHealth,
      score: match.selfScore,
      alive: match.selfAlive,
      kills: [...(this.combat?.killLines ?? [])],
      chat: [...(this.combat?.chatLines ?? [])],
      leaderboard: match.leaderboard(10).map((s) => ({ name: c.nameOf(s.id), score: s.score })),
    };
  }
}
