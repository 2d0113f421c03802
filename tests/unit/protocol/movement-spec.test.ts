import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { Button, DEFAULT_TICK_RATE, stepPlayer, type CollisionMap, type PlayerState } from '../../../protocol/index.ts';

/**
 * protocol/README.md §10's worked examples, run through protocol/sim: the spec's
 * movement text is held to the code by these exact states.
 */
const readme = readFileSync(new URL('../../../protocol/README.md', import.meta.url), 'utf8');
const blocks = (lang: string): string[] =>
  [...readme.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!.trim());

const BUTTONS: Record<string, number> = { U: Button.Up, D: Button.Down, L: Button.Left, R: Button.Right, Dash: Button.Dash };

function parseMap(text: string): CollisionMap {
  const rows = text.split('\n');
  const width = rows[0]!.length;
  const solid = Uint8Array.from(rows.join('').split(''), (c) => (c === '#' ? 1 : 0));
  return { id: 'readme', width, height: rows.length, tileSize: 32, solid, spawns: [{ x: 0, y: 0 }] };
}

function parseState(nums: string[]): PlayerState {
  const [x, y, vx, vy, dash, dashCooldown] = nums.map(Number);
  const s: PlayerState = { x: x!, y: y!, vx: vx!, vy: vy! };
  if (dash) s.dash = dash;
  if (dashCooldown) s.dashCooldown = dashCooldown;
  return s;
}

describe('protocol/README.md §10 worked examples', () => {
  const maps = blocks('sim-map');
  const examples = blocks('sim-steps');

  it('the README has the map and the three examples, one of them sliding along a wall', () => {
    expect(maps).toHaveLength(1);
    expect(examples.length).toBeGreaterThanOrEqual(3);
    expect(readme).toMatch(/Sliding along a wall/);
  });

  it('every example line is exactly the state stepPlayer gives for those buttons', () => {
    const map = parseMap(maps[0]!);
    const dt = 1 / DEFAULT_TICK_RATE;
    let steps = 0;
    for (const ex of examples) {
      const lines = ex.split('\n').map((l) => l.trim().split(/\s+/));
      expect(lines[0]![0]).toBe('start');
      let s = parseState(lines[0]!.slice(1));
      for (const [buttons, ...nums] of lines.slice(1)) {
        const bits = buttons === '-' ? 0 : buttons!.split('+').reduce((b, n) => b | BUTTONS[n]!, 0);
        expect(bits, buttons).not.toBeNaN();
        s = stepPlayer(s, bits, dt, map);
        expect(s, `${buttons} -> ${nums.join(' ')}`).toEqual(parseState(nums));
        steps++;
      }
    }
    expect(steps).toBeGreaterThan(25);
  });

  it('a wrong figure in an example would fail: the checker is not vacuous', () => {
    const map = parseMap(maps[0]!);
    const next = stepPlayer({ x: 80, y: 48, vx: 0, vy: 0 }, Button.Right, 1 / 30, map);
    expect(next).not.toEqual(parseState(['83.875', '48', '112', '0']));
  });
});
