/**
 * The match: connects a GameClient, draws the map and the players, feeds it the
 * controls. The netcode (prediction, interpolation, clocks) lives in src/net; this
 * scene only reads positions from it once per frame. Its parts: the map (world-map.ts),
 * the players' sprites (avatars.ts), the controls (player-input.ts), the status line
 * (connection-status.ts), combat effects (combat-layer.ts) and the HTML HUD.
 */
import Phaser from 'phaser';
import { ConnectError, GameClient } from '../net/client.ts';
import { budgetFromQuery } from '../net/budget-param.ts';
import { pixelRatio } from '../display.ts';
import { setTestStateProvider, type DustupTestState } from '../test-hook.ts';
import { MatchHud } from '../ui/match-hud.ts';
import { sharedSound } from '../ui/sound.ts';
import { Avatars } from './avatars.ts';
import { CombatLayer, type DrawnPlayer } from './combat-layer.ts';
import { ConnectionStatus } from './connection-status.ts';
import { Hud } from './hud.ts';
import { describeJoinFailure, type GameSceneData, type MenuSceneData } from './menu-scene.ts';
import { PlayerInput } from './player-input.ts';
import { WorldMap, loadCollisionMap } from './world-map.ts';
import { loadReplay } from '../replay/replay-loader.ts';
import { ReplaySession } from '../replay/replay-session.ts';
import { ReplayView } from '../replay/replay-view.ts';
import { spectatorSocket } from '../replay/spectator-socket.ts';
import { SpectatorView } from '../replay/spectator-view.ts';
import { mountWatchPermission } from '../replay/watch-permission.ts';
import { ui } from '../ui/dom.ts';
import { OffscreenMarkers } from './offscreen-markers.ts';
import { RoundHud } from '../ui/round-hud.ts';
import { LagControl } from '../ui/lag-control.ts';
import { lagFromQuery, laggyBrowserWebSocket, type PageLag } from '../net/browser-lag.ts';

/** ?lag=MS&jitter=MS: the page's sockets are delayed (read once; the F3 control changes it). */
const pageLag: PageLag | null = lagFromQuery(window.location.search);
const pageSocket = pageLag ? laggyBrowserWebSocket(pageLag) : undefined;

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
  private world: WorldMap | null = null;
  private controls: PlayerInput | null = null;
  private status: ConnectionStatus | null = null;
  private readonly avatars = new Avatars(this);
  private readonly sfx = sharedSound();
  private readonly drawnPlayers: DrawnPlayer[] = [];
  /** Where the others are drawn this frame, by id (markers and minimap). */
  private readonly drawnOthers = new Map<number, { x: number; y: number }>();
  private markers: OffscreenMarkers | null = null;
  private readonly roundHud = new RoundHud();
  private readonly nameOf = (id: number): string => this.client?.nameOf(id) ?? '';
  private leaving = false;
  private lastDebugAt = 0;
  /** Watching a replay (params.replay): the client is fed by it, and its controls are shown. */
  private replay: ReplaySession | null = null;
  private replayView: ReplayView | null = null;
  /** Watching a room live (params.watch): a spectator's socket, no own player. */
  private spectatorView: SpectatorView | null = null;
  /** Removes the private room's "Let others watch" box. */
  private unmountWatchPermission: (() => void) | null = null;

  constructor() {
    super('game');
  }

  init(data: GameSceneData): void {
    this.params = {
      name: data?.name ?? 'Player',
      room: data?.room ?? '',
      roundSeconds: data?.roundSeconds ?? 0,
      ...(data?.replay ? { replay: data.replay } : {}),
      ...(data?.watch ? { watch: data.watch } : {}),
      ...(data?.watchUrl ? { watchUrl: data.watchUrl } : {}),
    };
    this.client = null;
    this.world = null;
    this.avatars.clear();
    this.leaving = false;
  }

  create(): void {
    this.events.once(Phaser.Scenes.Events.SHUTDOWN, () => this.teardown());
    this.cameras.main.setZoom(pixelRatio());
    const hud = new Hud(() => this.backToMenu());
    this.hud = hud;
    this.matchHud = new MatchHud(this.sfx, (text) => this.client?.sendChat(text));
    this.controls = new PlayerInput(this, () => this.matchHud);

    const replay = this.params.replay ? new ReplaySession(this.params.replay, loadReplay) : null;
    this.replay = replay;
    const lagAbort = new AbortController();
    this.events.once(Phaser.Scenes.Events.SHUTDOWN, () => lagAbort.abort());
    hud.lagControl = new LagControl(pageLag, () => this.client?.roomCode ?? '', lagAbort.signal);
    const client = new GameClient({
      url: (this.params.watch && this.params.watchUrl) || wsUrl(),
      ...(pageSocket ? { WebSocket: pageSocket } : {}),
      name: this.params.name,
      room: this.params.room,
      // Bandwidth budget: ?budget=BYTES asks the server for at most that many snapshot bytes a second.
      maxBytesPerSecond: budgetFromQuery(window.location.search),
      roundSeconds: this.params.roundSeconds,
      map: (mapId) => loadCollisionMap(this, mapId),
      // A dropped connection comes back by itself as the same player (resume token).
      reconnect: !replay && !this.params.watch,
      // Cluster matchmaking (issue 11): a player asks this page's node where the room is
      // (one process: here); a replay or a spectator takes no seat.
      seat: !replay && !this.params.watch,
      // A replay plays into the same client, in place of the socket and the clock;
      // a spectator's socket says Watch instead of Hello.
      ...(replay ? { WebSocket: replay.WebSocket, now: replay.now } : {}),
      ...(this.params.watch ? { WebSocket: spectatorSocket(this.params.watch) } : {}),
    });
    this.client = client;
    setTestStateProvider(() => this.testState());
    const status = new ConnectionStatus(hud, client, () => this.leaving, () => this.avatars.dropSelf());
    this.status = status;
    client.connect().then(
      (welcome) => {
        if (this.leaving) return;
        this.world = new WorldMap(this, welcome.mapId);
        this.markers = new OffscreenMarkers(this);
        if (this.matchHud && client.map) this.combat = new CombatLayer(this, client, this.matchHud, this.sfx, client.map);
        status.joined(welcome.roomCode);
        if (replay?.driver) this.startReplayView(replay, client);
        if (welcome.privateRoom && !replay && !this.params.watch)
          this.unmountWatchPermission = mountWatchPermission(ui.roomBadge(), welcome.roomCode, (on) => client.allowWatching(on));
        if (this.params.watch) {
          status.playing();
          this.spectatorView = new SpectatorView(welcome.roomCode, () => client.roster(), () => this.backToMenu());
        }
      },
      (err: unknown) => {
        if (this.leaving) return;
        const room = this.params.room;
        const why =
          err instanceof ConnectError
            ? replay
              ? err.reason
              : describeJoinFailure(err.code, err.reason, room)
            : `Could not join: ${String((err as Error)?.message ?? err)}`;
        // A full room or a bad code is the player's to act on: back to the menu with the reason.
        this.scene.start('menu', { error: why, room } satisfies MenuSceneData);
      },
    );
  }

  override update(): void {
    const client = this.client;
    if (!client) return;
    const avatars = this.avatars;
    avatars.beginFrame();
    const cam = this.cameras.main;
    const ratio = pixelRatio();
    if (cam.zoom !== ratio) cam.setZoom(ratio);
    this.world?.fitBounds();

    const controls = this.controls;
    if (controls) {
      client.setButtons(controls.buttons());
      if (avatars.self) controls.aim(client, avatars.self.body, avatars.others.values());
    }
    // The server sends the players in and around what the camera shows.
    client.setViewport(cam.width / cam.zoom, cam.height / cam.zoom);
    this.replayView?.beforeUpdate(performance.now());
    client.update();

    // A replay's viewer is nobody: every player is someone else.
    const me = this.replay || this.params.watch ? null : client.localPlayer();
    const created = me ? avatars.drawSelf(me, !this.combat?.selfDead) : null;
    if (created) {
      cam.startFollow(created.body, false);
      this.status?.playing();
    }
    avatars.drawOthers(client.remotePlayers());
    this.replayView?.afterDraw(performance.now(), cam, avatars.others);
    this.spectatorView?.afterDraw(performance.now(), cam, avatars.others);

    const now = this.time.now;
    const others = this.drawnOthers;
    others.clear();
    for (const [id, a] of avatars.others) others.set(id, a.body);
    if (this.combat) {
      const drawn = this.drawnPlayers;
      drawn.length = 0;
      if (me && !this.combat.selfDead) drawn.push({ id: me.id, x: me.x, y: me.y });
      for (const [id, a] of avatars.others) drawn.push({ id, x: a.body.x, y: a.body.y });
      this.combat.frame(now, drawn, ratio);
    }
    this.markers?.frame(client, others);
    const match = client.match;
    this.roundHud.update(match.round, match.roundVersion, client.serverNow(), client.playerId, this.nameOf);
    if (this.hud?.debugShown && now - this.lastDebugAt >= DEBUG_INTERVAL_MS) {
      this.lastDebugAt = now;
      this.hud.updateDebug({ fps: this.game.loop.actualFps, players: avatars.others.size + (me ? 1 : 0), stats: client.stats, addedLag: pageLag });
    }
  }

  // ---- leaving ----

  private backToMenu(): void {
    this.scene.start('menu', { room: this.params.room } satisfies MenuSceneData);
  }

  /** The replay's controls; a seek restarts this scene at the new tick with the same settings. */
  private startReplayView(replay: ReplaySession, client: GameClient): void {
    const id = replay.start.id;
    // No own player will appear to end "Joining…": the replay is on screen now.
    this.status?.playing();
    this.replayView = new ReplayView(
      replay.driver!,
      replay.start,
      () => client.roster(),
      (start) => this.scene.restart({ ...this.params, replay: { ...start, id } } satisfies GameSceneData),
      () => this.backToMenu(),
      // The shot inspector's drawing, over the players (it goes with the scene).
      this.add.graphics().setDepth(1000),
    );
  }

  private teardown(): void {
    this.leaving = true;
    this.client?.close('left the game');
    this.client = null;
    this.combat?.destroy();
    this.combat = null;
    this.world?.destroy();
    this.world = null;
    this.markers?.destroy();
    this.markers = null;
    this.roundHud.destroy();
    this.matchHud?.destroy();
    this.matchHud = null;
    this.hud?.destroy();
    this.hud = null;
    this.status = null;
    this.avatars.clear();
    this.controls?.destroy();
    this.controls = null;
    this.replayView?.destroy();
    this.replayView = null;
    this.spectatorView?.destroy();
    this.spectatorView = null;
    this.unmountWatchPermission?.();
    this.unmountWatchPermission = null;
    this.replay = null;
    setTestStateProvider(null);
  }

  private testState(): DustupTestState {
    const c = this.client;
    if (!c) return { connected: false, playerId: 0, roomCode: '', self: null, others: [] };
    const me = this.replay || this.params.watch ? null : c.localPlayer();
    // Where a world point is on the page, CSS px: the camera's view starts at worldView.
    const view = this.cameras.main.worldView;
    const match = c.match;
    return {
      connected: c.connected,
      playerId: c.playerId,
      roomCode: c.roomCode,
      self: me ? { x: me.x, y: me.y } : null,
      others: c.remotePlayers().map((p) => ({ id: p.id, name: p.name, x: p.x, y: p.y, screenX: p.x - view.x, screenY: p.y - view.y })),
      markers: (this.markers?.shown ?? []).map((m) => ({ id: m.id, x: m.x, y: m.y })),
      round: match.round ? { round: match.round.round, phase: match.round.phase, secondsLeft: (match.round.endsAt - c.serverNow()) / 1000, standings: match.round.standings.map((s) => ({ name: c.nameOf(s.id), score: s.score })) } : null,
      health: match.selfHealth,
      score: match.selfScore,
      alive: match.selfAlive,
      kills: [...(this.combat?.killLines ?? [])],
      chat: [...(this.combat?.chatLines ?? [])],
      leaderboard: match.leaderboard(10).map((s) => ({ name: c.nameOf(s.id), score: s.score })),
      net: {
        fps: this.game.loop.actualFps,
        rtt: c.stats.rtt,
        rttSmoothed: c.stats.rttSmoothed,
        interpolationDelay: c.stats.interpolationDelay,
        interpolationTarget: c.stats.interpolationTarget,
        viewAge: c.stats.viewAge,
        rewindLimit: c.stats.rewindLimit,
        viewLimit: c.stats.viewLimit,
      },
    };
  }
}
