/**
 * Which cells a client sees, chosen once per room instead of a mode flag tested per
 * client per tick: interest-managed deltas (the product), or the whole map without
 * deltas to everyone (`--snapshot-mode full`, the benchmark's full-state baseline).
 */
import { NO_BASELINE, type ViewRect } from '../../protocol/index.ts';
import { wholeMap, type InterestGrid } from './interest-grid.ts';
import type { ClientBaseline } from './snapshot-builder.ts';

export interface ViewPolicy {
  /** The cells seen by a client at (x, y) drawing width x height px; may fill and return `out`. */
  view(x: number, y: number, width: number, height: number, out: ViewRect): ViewRect;
  /** What a snapshot to a client whose last one is `last` deltas against. */
  baseline(last: ClientBaseline): ClientBaseline;
  /** Whether snapshots go by each client's bandwidth budget (net/budget.ts); full state is sent whole. */
  readonly budgeted: boolean;
}

export type ViewPolicyFactory = (grid: InterestGrid) => ViewPolicy;

/** The cells around the client's camera; deltas against what it last received. */
export const interestView: ViewPolicyFactory = (grid) => ({
  view: (x, y, width, height, out) => grid.viewAround(x, y, width, height, out),
  baseline: (last) => last,
  budgeted: true,
});

const NO_DELTA: ClientBaseline = Object.freeze({ tick: NO_BASELINE, view: null }) as ClientBaseline;

/** Everything, whole, every snapshot: what full-state servers send. */
export const fullStateView: ViewPolicyFactory = (grid) => {
  const all = wholeMap(grid);
  return { view: () => all, baseline: () => NO_DELTA, budgeted: false };
};

export function viewPolicyFor(mode: 'delta' | 'full'): ViewPolicyFactory {
  return mode === 'full' ? fullStateView : interestView;
}
