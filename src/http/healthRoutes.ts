import type { FastifyContextConfig, FastifyInstance } from 'fastify';
import type { Role } from './access.ts';
import type { DaemonView } from './app.ts';

/**
 * `/health`, `/health/live`, `/health/ready` for probes and monitoring. app.ts registers them
 * in the public context when `http.openHealth` is on, otherwise behind sign-in with `role`.
 */
export function registerHealthRoutes(scope: FastifyInstance, view: DaemonView, role?: Role): void {
  const config: FastifyContextConfig = role ? { role } : {};
  scope.get('/health/live', { config }, async () => ({ status: 'pass' }));
  scope.get('/health/ready', { config }, async (_request, reply) => {
    const readiness = view.readiness();
    return reply.code(readiness.ready ? 200 : 503).send({ status: readiness.ready ? 'pass' : 'fail', ...readiness });
  });
  scope.get('/health', { config }, async (_request, reply) => {
    const report = view.health();
    return reply
      .code(report.status === 'fail' ? 503 : 200)
      .type('application/health+json')
      .send(report);
  });
}

/** Prometheus' `/metrics`: public when `http.openMetrics` is on, otherwise behind sign-in with `role`. */
export function registerMetricsRoute(scope: FastifyInstance, view: DaemonView, role?: Role): void {
  scope.get('/metrics', { config: (role ? { role } : {}) as FastifyContextConfig }, async (_request, reply) =>
    reply.type(view.metrics.registry.contentType).send(await view.metrics.registry.metrics()),
  );
}
