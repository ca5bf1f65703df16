import type { ValidationProblem } from './problem.ts';

/** How many problems the status reason names; the rest are in the invoice's validation problems. */
const SHOWN = 4;

/**
 * The status reason of an invoice that needs review: what a person must fix, most serious
 * first. Errors come before warnings, and the extractor's notes (informational: "read with
 * template X", "2 lines merged") are never in it — four of them once pushed the actual
 * TOTAL_NET_MISMATCH out of the reason.
 */
export function reviewReason(problems: readonly ValidationProblem[]): string {
  const ordered = [
    ...problems.filter((p) => p.severity === 'error'),
    ...problems.filter((p) => p.severity !== 'error'),
  ];
  const shown = ordered.slice(0, SHOWN).map((p) => p.message);
  if (ordered.length > SHOWN) shown.push(`… ${ordered.length} problems in all`);
  return shown.join('; ');
}
