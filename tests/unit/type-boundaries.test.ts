import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The runtime boundaries are enforced by the compiler only as long as each part's
 * tsconfig says so and `npm run typecheck` runs it: this pins both, cheaply (running tsc
 * itself is the typecheck's job).
 */
const root = join(import.meta.dirname, '..', '..');
interface TsConfig {
  extends?: string;
  compilerOptions?: { lib?: string[]; types?: string[] };
  include?: string[];
}
const read = (p: string): TsConfig => JSON.parse(readFileSync(join(root, p), 'utf8')) as TsConfig;
const checked = readFileSync(join(root, 'scripts', 'typecheck.mjs'), 'utf8');

const PARTS: { config: string; dom: boolean; node: boolean }[] = [
  { config: 'protocol/tsconfig.json', dom: false, node: false },
  { config: 'game-client/src/net/tsconfig.json', dom: true, node: false },
  { config: 'game-client/src/tsconfig.json', dom: true, node: false },
  { config: 'tsconfig.json', dom: false, node: true },
  { config: 'bench/tsconfig.json', dom: false, node: true },
  { config: 'tests/tsconfig.json', dom: true, node: true },
];

describe('type boundaries', () => {
  for (const part of PARTS) {
    it(`${part.config}: ${part.dom ? 'DOM' : 'no DOM'}, ${part.node ? 'Node' : 'no Node'}; typechecked`, () => {
      const c = read(part.config);
      const lib = (c.compilerOptions?.lib ?? []).map((l) => l.toLowerCase());
      // An absent lib or types would mean TypeScript's defaults: DOM, and every @types package.
      expect(c.compilerOptions?.lib).toBeDefined();
      expect(c.compilerOptions?.types).toBeDefined();
      expect(lib.includes('dom')).toBe(part.dom);
      expect(c.compilerOptions!.types!.includes('node')).toBe(part.node);
      expect(c.extends).toMatch(/tsconfig\.base\.json$/);
      expect(checked).toContain(`'${part.config}'`);
    });
  }

  it('the shared base keeps the strict options', () => {
    const base = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
    expect(base.compilerOptions).toMatchObject({ strict: true, noUncheckedIndexedAccess: true, noImplicitOverride: true, noUnusedLocals: true, noUnusedParameters: true, noFallthroughCasesInSwitch: true });
  });
});
