/** Movement rules shared by the server (authoritative) and the client (prediction). */

/** Player body radius, px. Smaller than half a tile so players fit through 1-tile gaps. */
export const PLAYER_RADIUS = 12;
/** Top speed, px/s. */
export const MAX_SPEED = 240;
/**
 * How fast velocity approaches the input direction's target velocity, per second
 * (exponential approach: about 95% of top speed after 3/ACCELERATION s).
 */
export const ACCELERATION = 14;
/** How fast velocity decays toward zero with no input, per second. */
export const FRICTION = 10;
/** Below this speed (px/s) a player with no input stops outright instead of creeping. */
export const STOP_SPEED = 2;
/** Default simulation rate; the server may run another and says so in the welcome. */
export const DEFAULT_TICK_RATE = 30;

/** Dash: speed during the burst, px/s. */
export const DASH_SPEED = 720;
/** Dash: how long the burst lasts, s (rounded to whole ticks: 6 at 30 Hz, 144 px). */
export const DASH_DURATION = 0.2;
/** Dash: time from one dash to the next, s (rounded to whole ticks: 45 at 30 Hz). */
export const DASH_COOLDOWN = 1.5;
