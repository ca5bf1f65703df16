import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
    singletonLeading: new Gauge({
      name: 'invoice_loader_singleton_leading',
      help: 'Under scale-out: 1 while this daemon runs the singleton (holds its advisory lock), else 0',
      labelNames: ['singleton'] as const,
      registers: [registry],
    }),
    databaseRoundTrip: new Gauge({
      name: 'invoice_loader_database_round_trip_seconds',
      help: 'Duration of the last database round trip',
      registers: [registry],
    }),
    invoiceTransitions: new Counter({
      name: 'invoice_loader_invoice_transitions_total',
      help: 'Invoice status transitions made by this daemon, by from and to status and by intake channel',
      labelNames: ['from', 'to', 'channel'] as const,
      registers: [registry],
    }),
    stageDuration: new Histogram({
      name: 'invoice_loader_stage_duration_seconds',
      help: 'How long one invoice spent in a pipeline stage (extraction, validation, posting), by outcome',
      labelNames: ['stage', 'outcome'] as const,
      // From a structured XML (milliseconds) to a slow PDF or a NEX gateway backing off (a minute and more).
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
