import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** The daemon's Prometheus registry: process metrics plus what supervision and the database report. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'invoice_loader_' });
  return {
    registry,
    actorFailures: new Counter({
      name: 'invoice_loader_actor_failures_total',
      help: 'Actors that failed or exited, by supervisor and child',
      labelNames: ['supervisor', 'child'] as const,
      registers: [registry],
    }),
    actorRestarts: new Counter({
      name: 'invoice_loader_actor_restarts_total',
      help: 'Restarts scheduled by supervisors, by supervisor and child',
      labelNames: ['supervisor', 'child'] as const,
      registers: [registry],
    }),
    supervisorEscalations: new Counter({
      name: 'invoice_loader_supervisor_escalations_total',
      help: 'Supervisors that exceeded their restart intensity and gave up',
      labelNames: ['supervisor'] as const,
      registers: [registry],
    }),
    databaseUp: new Gauge({
      name: 'invoice_loader_database_up',
      help: '1 when the last database round trip succeeded',
      registers: [registry],
    }),
    breakerState: new Gauge({
      name: 'invoice_loader_breaker_state',
      help: 'Circuit breaker state by breaker: 0 closed, 1 half-open, 2 open',
      labelNames: ['breaker'] as const,
      registers: [registry],
    }),
    breakerTransitions: new Counter({
      name: 'invoice_loader_breaker_transitions_total',
      help: 'Circuit breaker state changes, by breaker and new state',
      labelNames: ['breaker', 'state'] as const,
      registers: [registry],
    }),
    databaseRoundTrip: new Gauge({
      name: 'invoice_loader_database_round_trip_seconds',
      help: 'Duration of the last database round trip',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
