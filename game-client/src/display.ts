/**
 * Device pixels per CSS pixel the game renders at. Capped at 2: beyond that the extra
 * fill rate costs frames on exactly the phones and laptops with the densest screens,
 * and nobody sees the difference at arm's length.
 */
export function pixelRatio(): number {
  const r = typeof window === 'undefined' ? 1 : window.devicePixelRatio || 1;
  return Math.min(2, Math.max(1, r));
}
