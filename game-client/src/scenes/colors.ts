/** A distinct, bright colour per player id (golden-angle hues). */
export function colorFor(id: number): number {
  const h = ((id * 137.508) % 360) / 60;
  const s = 0.6;
  const v = 1;
  const c = v * s;
  const x = c * (1 - Math.abs((h % 2) - 1));
  const [r, g, b] =
    h < 1 ? [c, x, 0] : h < 2 ? [x, c, 0] : h < 3 ? [0, c, x] : h < 4 ? [0, x, c] : h < 5 ? [x, 0, c] : [c, 0, x];
  const m = v - c;
  const to = (u: number): number => Math.round((u + m) * 255);
  return (to(r) << 16) | (to(g) << 8) | to(b);
}
