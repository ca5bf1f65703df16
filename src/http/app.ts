import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.ts';
import type { ActorNode } from '../runtime/actorTree.ts';
import type { HealthReport } from '../runtime/health.ts';
import type { InspectionBus } from '../runtime/inspectionBus.ts';
import type { Logger } from '../runtime/logger.ts';
import type { Metrics } from '../runtime/metrics.ts';
import type pg from 'pg';
import { installAccessControl, type RouteAccess } from '../auth/accessControl.ts';
import { databaseLookups } from '../auth/identityLookups.ts';
import { registerSessionRoutes, type SessionSettings } from '../auth/sessionRoutes.ts';
import { registerDecisionRoutes, type DecisionRouteDeps } from './decisionRoutes.ts';
import { registerInvoiceRoutes, type InvoiceRouteDeps } from './invoiceRoutes.ts';

/** What the HTTP layer may see and do of the running daemon. */
export interface DaemonView {
  tree(): ActorNode | undefined;
  health(): HealthReport;
  readiness(): { ready: boolean; reasons: string[] };
  /** Sends `debug.crash` to the actor with that id; false when there is none. */
  crash(actorId: string): boolean;
  inspection: InspectionBus;
  metrics: Metrics;
  faultInjection: boolean;
}

export interface HttpDeps {
  settings: Config['http'];
  token: string;
  view: DaemonView;
  logger: Logger;
  /** The invoice intake and reads; without it the server has only health, metrics and inspection. */
  invoices?: InvoiceRouteDeps;
  /** Approve, reject and dead-letter replay. */
  decisions?: DecisionRouteDeps;
  /** People, tokens and console sessions; without it only the configured token is known. */
  people?: { pool: () => pg.Pool; settings: SessionSettings };
}

/** The app, and what each of its routes needs (filled in as routes register; complete after ready()). */
export function buildHttpApp(deps: HttpDeps): FastifyInstance & { routeAccess: RouteAccess[] } {
  const { settings, token, view, logger, invoices, decisions, people } = deps;
  const app = Fastify({
    loggerInstance: logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Requests are not logged one by one: the heartbeat and metrics carry the totals.
    logController: new LogController({ disableRequestLogging: true }),
  });

  const idleMs = (people?.settings.idleTimeoutMinutes ?? 480) * 60_000;
  const routeAccess = installAccessControl(app, {
    lookups: databaseLookups(people?.pool, token, idleMs),
    settings,
  });

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) app.log.error({ err: error }, 'request failed');
    return reply.code(status).send({ error: { code: error.code ?? 'INTERNAL', message: error.message } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'NOT_FOUND', message: `No route ${request.method} ${request.url}.` } }),
  );

  const health = { config: { access: 'health' as const } };
  app.get('/health/live', health, async () => ({ status: 'pass' }));
  app.get('/health/ready', health, async (_request, reply) => {
    const readiness = view.readiness();
    return reply.code(readiness.ready ? 200 : 503).send({ status: readiness.ready ? 'pass' : 'fail', ...readiness });
  });
  app.get('/health', health, async (_request, reply) => {
    const report = view.health();
    return reply
      .code(report.status === 'fail' ? 503 : 200)
      .type('application/health+json')
      .send(report);
  });
  app.get('/metrics', { config: { access: 'metrics' } }, async (_request, reply) =>
    reply.type(view.metrics.registry.contentType).send(await view.metrics.registry.metrics()),
  );

  const viewer = { config: { access: 'viewer' as const } };
  app.get('/api/actors', viewer, async () => view.tree());
  app.get('/api/inspect/stream', viewer, (request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const send = (event: string, data: unknown) =>
      reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    send('tree', view.tree());
    const unsubscribe = view.inspection.subscribe((record) => send('inspection', record));
    const keepAlive = setInterval(() => reply.raw.write(': keep-alive\n\n'), 15_000);
    request.raw.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
    });
  });

  app.post<{ Params: { actor: string } }>(
    '/api/debug/crash/:actor',
    { config: { access: 'admin' } },
    async (request, reply) => {
      if (!view.faultInjection) {
        return reply.code(404).send({
          error: {
            code: 'FAULT_INJECTION_DISABLED',
            message: 'Fault injection is off; set debug.faultInjection: true to use this route.',
          },
        });
      }
      const { actor } = request.params;
      if (!view.crash(actor)) {
        return reply
          .code(404)
          .send({ error: { code: 'UNKNOWN_ACTOR', message: `There is no running actor "${actor}".` } });
      }
      return reply.code(202).send({ crashed: actor });
    },
  );

  if (people) registerSessionRoutes(app, { ...people, logger });
  if (invoices) registerInvoiceRoutes(app, invoices);
  if (decisions) registerDecisionRoutes(app, decisions);

  return Object.assign(app, { routeAccess });
}
