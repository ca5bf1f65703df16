import CircuitBreaker from 'opossum';
import type { Config } from '../config/schema.ts';

export type BreakerState = 'closed' | 'open' | 'half_open';
export type BreakerListener = (state: BreakerState, previous: BreakerState) => void;

export interface GatewayBreaker {
  /** Runs the call through the breaker; rejects at once (see isBreakerRejection) while it is open. */
  run<T>(call: () => Promise<T>): Promise<T>;
  /**
   * While the breaker is closed, neither its success nor its failure is counted (otherwise it
   * is `run`): for the look-up that follows each ambiguous import
   * (the writer's reconciliation). Counted, its successes halved the failure rate of an outage of
   * imports alone, and at a 50 % threshold the breaker stayed closed in 4 of 11 chaos runs.
   */
  runUncounted<T>(call: () => Promise<T>): Promise<T>;
  state(): BreakerState;
  onChange(listener: BreakerListener): () => void;
  shutdown(): void;
}

type Call = () => Promise<unknown>;

/**
 * One opossum breaker for the whole gateway: the gateway is one small service, so a burst of
 * 5xx on one endpoint says the others are in trouble too.
 *
 * `countsAsFailure` decides which errors open it: an answer the gateway gave on purpose
 * (400, 401, 404, 409) shows that it is alive and must not trip the breaker.
 */
export function createGatewayBreaker(
  settings: Config['nex']['breaker'],
  countsAsFailure: (error: unknown) => boolean,
): GatewayBreaker {
  const breaker = new CircuitBreaker<[Call], unknown>((call: Call) => call(), {
    // Our fetch carries its own AbortSignal timeout; a second timer here would leave requests
    // running that the breaker had already given up on.
    timeout: false,
    errorThresholdPercentage: settings.errorThresholdPercentage,
    volumeThreshold: settings.volumeThreshold,
    rollingCountTimeout: settings.rollingCountMs,
    resetTimeout: settings.resetTimeoutMs,
    errorFilter: (error: unknown) => !countsAsFailure(error),
  });

  let current: BreakerState = 'closed';
  const listeners = new Set<BreakerListener>();
  const moveTo = (next: BreakerState) => {
    if (next === current) return;
    const previous = current;
    current = next;
    for (const listener of listeners) {
      try {
        listener(next, previous);
      } catch {
        // A listener (a log line, a metric) must not break calls to the gateway.
      }
    }
  };
  breaker.on('open', () => moveTo('open'));
  breaker.on('halfOpen', () => moveTo('half_open'));
  breaker.on('close', () => moveTo('closed'));

  return {
    run: <T>(call: () => Promise<T>) => breaker.fire(call) as Promise<T>,
    // Not closed: through the breaker after all, so that it fails fast while open and, half-open,
    // may be the trial call (a posting waiting on its look-up would otherwise wait for ever).
    runUncounted: <T>(call: () => Promise<T>) =>
      current === 'closed' && !breaker.isShutdown ? call() : (breaker.fire(call) as Promise<T>),
    state: () => current,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    shutdown() {
      listeners.clear();
      breaker.shutdown();
    },
  };
}

/** opossum's fast failure while open (or while the half-open trial call is still running). */
export function isBreakerRejection(error: unknown): boolean {
  return !!error && typeof error === 'object' && (error as { code?: unknown }).code === 'EOPENBREAKER';
}

/** opossum's answer after shutdown(). */
export function isBreakerShutdown(error: unknown): boolean {
  return !!error && typeof error === 'object' && (error as { code?: unknown }).code === 'ESHUTDOWN';
}
