/**
 * The bar over a live spectator's game scene: back to the menu, what is being watched
 * and how late, and whom the camera follows (camera-director.ts).
 */
import { CameraDirector, type DrawnAvatar, type ViewerCamera } from './camera-director.ts';

export class SpectatorView {
  private readonly root = document.createElement('div');
  private readonly abort = new AbortController();
  private readonly camera: CameraDirector;
  private lastRosterAt = -Infinity;

  constructor(
    room: string,
    private readonly names: () => { id: number; name: string }[],
    leave: () => void,
  ) {
    const signal = this.abort.signal;
    this.camera = new CameraDirector(0, signal);
    this.camera.select.dataset.testid = 'spectator-follow';
    const root = this.root;
    root.id = 'replay-bar';
    root.dataset.testid = 'spectator-bar';
    const back = document.createElement('button');
    back.type = 'button';
    back.textContent = 'Menu';
    back.addEventListener('click', leave, { signal });
    const label = document.createElement('span');
    label.className = 'replay-time';
    label.dataset.testid = 'spectator-label';
    // The server holds the stream back a few seconds (--spectator-delay) so no one can call out positions.
    label.textContent = `Watching room ${room} live, a few seconds behind`;
    const spacer = document.createElement('span');
    spacer.style.flex = '1';
    root.append(back, label, spacer, this.camera.select);
    document.body.append(root);
  }

  afterDraw(realNow: number, cam: ViewerCamera, others: ReadonlyMap<number, DrawnAvatar>): void {
    this.camera.frame(realNow, cam, others);
    if (realNow - this.lastRosterAt >= 250) {
      this.lastRosterAt = realNow;
      this.camera.roster(this.names());
    }
  }

  destroy(): void {
    this.abort.abort();
    this.root.remove();
  }
}
