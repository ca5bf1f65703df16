/**
 * Exponential backoff with jitter, in the shape Akka's BackoffSupervisor uses:
 * the n-th consecutive failure waits min(max, min · 2^(n-1)) · (1 + jitter · random).
 * Jitter only ever adds, so `minMs` is a real lower bound a test can rely on.
 */
export interface BackoffPolicy {
  minMs: number;
  maxMs: number;
  jitter: number;
}

export function backoffDelay(policy: BackoffPolicy, failures: number, random: () => number): number {
  const exponent = Math.max(0, failures - 1);
  const base = Math.min(policy.maxMs, policy.minMs * 2 ** Math.min(exponent, 30));
  return Math.round(base * (1 + policy.jitter * random()));
}
