/**
 * Where the marker for a player off the screen goes: on the screen's edge, on the line
 * from the centre of the view to the player, so it points the way to walk. Pure (no DOM,
 * no Phaser): the game scene draws what this returns.
 */

/** The part of the world on screen, world px (Phaser's camera worldView). */
export interface ViewRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface EdgeMarker {
  /** Where to draw it, px from the view's top-left corner. */
  x: number;
  y: number;
  /** The direction to the player, radians (0 = right, y down). */
  angle: number;
  /** How far the player is from the view's centre, px. */
  distance: number;
}

/**
 * The marker for a player at (tx, ty), `inset` px inside the view's edge; null when the
 * player is on screen (its avatar shows where it is). Written into `out` when given (the
 * scene calls this every frame and allocates nothing).
 */
export function edgeMarker<M extends EdgeMarker>(view: ViewRect, tx: number, ty: number, inset: number, out?: M): M | EdgeMarker | null {
  if (tx >= view.x && tx <= view.x + view.width && ty >= view.y && ty <= view.y + view.height) return null;
  const hw = Math.max(0, view.width / 2 - inset);
  const hh = Math.max(0, view.height / 2 - inset);
  const dx = tx - (view.x + view.width / 2);
  const dy = ty - (view.y + view.height / 2);
  // The largest step along (dx, dy) that stays inside the inset rectangle.
  const t = Math.min(dx === 0 ? Infinity : hw / Math.abs(dx), dy === 0 ? Infinity : hh / Math.abs(dy));
  const m: EdgeMarker = out ?? { x: 0, y: 0, angle: 0, distance: 0 };
  m.x = view.width / 2 + dx * t;
  m.y = view.height / 2 + dy * t;
  m.angle = Math.atan2(dy, dx);
  m.distance = Math.hypot(dx, dy);
  return m;
}
