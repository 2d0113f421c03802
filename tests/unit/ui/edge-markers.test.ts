import { describe, expect, it } from 'vitest';
import { edgeMarker } from '../../../game-client/src/ui/edge-markers.ts';

const view = { x: 1000, y: 500, width: 1280, height: 720 };
const INSET = 24;

describe('edge markers for players off the screen', () => {
  it('a player on screen, edges included, has no marker', () => {
    expect(edgeMarker(view, 1640, 860, INSET)).toBeNull();
    expect(edgeMarker(view, 1000, 500, INSET)).toBeNull();
    expect(edgeMarker(view, 2280, 1220, INSET)).toBeNull();
  });

  it('straight right, left, above, below: on that edge, inset, level with the centre', () => {
    expect(edgeMarker(view, 5000, 860, INSET)).toMatchObject({ x: 1280 - INSET, y: 360, angle: 0, distance: 3360 });
    expect(edgeMarker(view, -200, 860, INSET)).toMatchObject({ x: INSET, y: 360 });
    expect(edgeMarker(view, 1640, 0, INSET)).toMatchObject({ x: 640, y: INSET });
    expect(edgeMarker(view, 1640, 3000, INSET)).toMatchObject({ x: 640, y: 720 - INSET, angle: Math.PI / 2 });
  });

  it('a diagonal: on the line to the player, at whichever edge it meets first', () => {
    // 1000 right and 1000 down from the centre: the bottom edge (336 px away) comes first.
    const m = edgeMarker(view, 2640, 1860, INSET)!;
    expect(m.y).toBeCloseTo(720 - INSET);
    expect(m.x).toBeCloseTo(640 + 336);
    expect(m.angle).toBeCloseTo(Math.PI / 4);
    // Just past the right edge, a little above the centre: the right edge, a little above.
    const r = edgeMarker(view, 2300, 800, INSET)!;
    expect(r.x).toBeCloseTo(1280 - INSET);
    expect(r.y).toBeLessThan(360);
    expect(r.y).toBeGreaterThan(300);
  });

  it('every marker is inside the inset screen for targets all around', () => {
    for (let a = 0; a < 360; a += 7) {
      const rad = (a * Math.PI) / 180;
      const m = edgeMarker(view, 1640 + Math.cos(rad) * 4000, 860 + Math.sin(rad) * 4000, INSET)!;
      expect(m.x).toBeGreaterThanOrEqual(INSET - 1e-9);
      expect(m.x).toBeLessThanOrEqual(1280 - INSET + 1e-9);
      expect(m.y).toBeGreaterThanOrEqual(INSET - 1e-9);
      expect(m.y).toBeLessThanOrEqual(720 - INSET + 1e-9);
      expect(Math.atan2(m.y - 360, m.x - 640)).toBeCloseTo(m.angle);
    }
  });
});
