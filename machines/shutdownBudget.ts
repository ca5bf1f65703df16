import type { ChildSpec } from './childProtocol.ts';

/**
 * Shutdown budgets with OTP semantics: how long a supervisor waits for each child to stop
 * gracefully before it stops the child by force.
 *
 * A worker gets `supervisor.stopTimeoutMs` unless its spec says otherwise. A supervisor stops
 * its children one after another, so its default is the sum of their budgets plus a margin:
 * one flat timeout for everyone let the root force-stop `pipeline` while the invoices actor,
 * stopped after the NEX writer, still had time to give back its leases. No budget exceeds
 * the process limit (`shutdown.timeoutMs`): the process does not outlive it anyway.
 */
export interface BudgetSettings {
  stopTimeoutMs: number;
  /** `shutdown.timeoutMs`, the process-level hard limit; absent: budgets are not capped. */
  shutdownLimitMs?: number;
}

interface SupervisorShape extends BudgetSettings {
  children: ChildSpec[];
}

/**
 * A nested supervisor's own steps after its last child (final state, done event) take a
 * moment, and its timers start a moment after its parent's: a parent waiting exactly the
 * subtree's sum would fire first.
 */
export const SUPERVISOR_MARGIN_MS = 200;

function capped(ms: number, settings: BudgetSettings): number {
  return settings.shutdownLimitMs === undefined ? ms : Math.min(ms, settings.shutdownLimitMs);
}

function uncappedBudget(spec: ChildSpec, parent: BudgetSettings): number {
  if (spec.shutdown !== undefined) return spec.shutdown;
  if (spec.type === 'supervisor') return subtreeBudget(spec.input as SupervisorShape);
  return parent.stopTimeoutMs;
}

/** The ms a supervisor with `parent`'s settings gives this child to stop. */
export function childBudget(spec: ChildSpec, parent: BudgetSettings): number {
  return capped(uncappedBudget(spec, parent), parent);
}

/** The longest an ordered stop of this supervisor's children can take: every child using its whole budget. */
export function subtreeBudget(supervisor: SupervisorShape): number {
  return supervisor.children.reduce((sum, spec) => sum + childBudget(spec, supervisor), 0) + SUPERVISOR_MARGIN_MS;
}

/** Budgets by child id, as the supervisor machine keeps them in its context. */
export function childBudgets(supervisor: SupervisorShape): Record<string, number> {
  return Object.fromEntries(supervisor.children.map((spec) => [spec.id, childBudget(spec, supervisor)]));
}

export interface BudgetOverrun {
  /** What the root's ordered stop could take if every child used its whole budget. */
  budgetMs: number;
  limitMs: number;
  /** The root's children whose own budget was cut to the limit. */
  clamped: string[];
  budgets: Record<string, number>;
}

/**
 * The numbers for the warning at start when the tree's budget does not fit the process limit
 * (undefined when it fits): the children stopped last (the database) may then be cut off by
 * the process deadline instead of stopping cleanly.
 */
export function budgetOverrun(root: SupervisorShape): BudgetOverrun | undefined {
  const limitMs = root.shutdownLimitMs;
  const budgetMs = root.children.reduce((sum, spec) => sum + uncappedBudget(spec, root), 0);
  if (limitMs === undefined || budgetMs <= limitMs) return undefined;
  return {
    budgetMs,
    limitMs,
    clamped: root.children.filter((spec) => uncappedBudget(spec, root) > limitMs).map((spec) => spec.id),
    budgets: childBudgets(root),
  };
}
