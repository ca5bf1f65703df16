import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.ts';
import type { ActorNode } from '../runtime/actorTree.ts';
import type { HealthReport } from '../runtime/health.ts';
import type { InspectionBus } from '../runtime/inspectionBus.ts';
import type { Logger } from '../runtime/logger.ts';
import type { Metrics } from '../runtime/metrics.ts';
import type pg from 'pg';
import { registerCookiePlugins, identifyCaller, requireCsrf } from '../auth/httpIdentity.ts';
import { databaseLookups } from '../auth/identityLookups.ts';
import { registerSessionRoutes, registerSignIn, type SessionSettings } from '../auth/sessionRoutes.ts';
import { registerConsolePages, registerConsolePublic } from '../console/consoleRoutes.ts';
import type { TemplateSettings } from '../console/learnTemplateForm.ts';
import { identifyByToken, requireSignIn, type IdentifyCaller } from './access.ts';
import { registerAlertRoutes, type AlertRouteDeps } from './alertRoutes.ts';
import { registerCorrectionRoutes } from './correctionRoutes.ts';
import { registerDecisionRoutes, type DecisionRouteDeps } from './decisionRoutes.ts';
import { registerHealthRoutes, registerMetricsRoute } from './healthRoutes.ts';
import { registerInspectionRoutes } from './inspectionRoutes.ts';
import { registerInvoiceRoutes, type InvoiceRouteDeps } from './invoiceRoutes.ts';
import { openToEveryone, trackRouteAccess } from './routeTable.ts';
import { sendRefusal } from './requestRefused.ts';
import type { HttpsFiles } from './tls.ts';

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
  /** Approve, reject, correct and dead-letter replay. */
  decisions?: DecisionRouteDeps;
  /** The alerter's test mail. */
  alerts?: AlertRouteDeps | undefined;
  /** Who is calling; by default the console's resolver (with `people`) or the `http.token` check. */
  identify?: IdentifyCaller;
  /** People, tokens and console sessions; without it only `http.token` is known. */
  people?: { pool: () => pg.Pool; settings: SessionSettings };
  /** extraction.templateDirs, for the console's "learn the supplier's template". */
  templates?: TemplateSettings;
  /** How the router matches paths; authorization follows the matched route whatever is set here. */
  routing?: RoutingOptions;
  /** http.tls's files, read by httpService.ts: the server speaks HTTPS only. */
  https?: HttpsFiles;
}

export interface RoutingOptions {
  ignoreTrailingSlash: boolean;
  ignoreDuplicateSlashes: boolean;
  caseSensitive: boolean;
}

// Strict matching: one spelling per route. Other settings stay safe (the tests try them), since
// the check belongs to the route the router chose, not to the text of the URL.
const STRICT_ROUTING: RoutingOptions = {
  ignoreTrailingSlash: false,
  ignoreDuplicateSlashes: false,
  caseSensitive: true,
};

export function buildHttpApp(deps: HttpDeps): FastifyInstance {
  const { settings, view, invoices, decisions, alerts, people } = deps;
  const app = Fastify({
    ...(deps.https ? { https: deps.https } : {}),
    loggerInstance: deps.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Requests are not logged one by one: the heartbeat and metrics carry the totals.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: deps.routing ?? STRICT_ROUTING,
  });
  trackRouteAccess(app);
  registerCookiePlugins(app);
  addSecurityHeaders(app, Boolean(deps.https));
  const sessions = people && { ...people, logger: deps.logger };
  const identify =
    deps.identify ??
    (people
      ? identifyCaller(databaseLookups(people.pool, deps.token, people.settings.idleTimeoutMinutes * 60_000))
      : identifyByToken(deps.token));

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error.validation) {
      return sendRefusal(reply, 'INVALID_REQUEST', `The request is not valid: ${error.message}.`);
    }
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) app.log.error({ err: error }, 'request failed');
    return reply.code(status).send({ error: { code: error.code ?? 'INTERNAL', message: error.message } });
  });
  app.setNotFoundHandler((request, reply) =>
    sendRefusal(reply, 'NOT_FOUND', `No route ${request.method} ${request.url}.`),
  );

  // Probes and Prometheus, each open only when its setting says so.
  void app.register(async (open) => {
    openToEveryone(open);
    if (settings.openHealth) registerHealthRoutes(open, view);
    if (settings.openMetrics) registerMetricsRoute(open, view);
    if (sessions) registerSignIn(open, sessions);
    if (people) registerConsolePublic(open, { pool: people.pool, view, identify });
  });

  void app.register(async (signedIn) => {
    requireSignIn(signedIn, identify);
    requireCsrf(signedIn);
    if (sessions) registerSessionRoutes(signedIn, sessions);
    if (people) {
      registerConsolePages(signedIn, {
        pool: people.pool,
        view,
        identify,
        wakeWriter: decisions?.wakeWriter,
        templates: deps.templates,
      });
    }
    if (!settings.openHealth) registerHealthRoutes(signedIn, view, 'viewer');
    if (!settings.openMetrics) registerMetricsRoute(signedIn, view, 'viewer');
    registerInspectionRoutes(signedIn, view);
    if (invoices) registerInvoiceRoutes(signedIn, { uploadRateLimit: settings.uploadRateLimit, ...invoices });
    if (decisions) registerDecisionRoutes(signedIn, decisions);
    if (decisions) registerCorrectionRoutes(signedIn, decisions);
    if (alerts) registerAlertRoutes(signedIn, alerts);
  });

  return app;
}

/**
 * On every answer: no page of the console inside another site's frame (clickjacking), no type
 * guessing by the browser, no console URL (invoice ids) in the Referer to other sites; under TLS,
 * browsers remember to use HTTPS only.
 */
function addSecurityHeaders(app: FastifyInstance, tls: boolean): void {
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-frame-options', 'DENY');
    reply.header('content-security-policy', "frame-ancestors 'none'");
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    if (tls) reply.header('strict-transport-security', 'max-age=31536000');
  });
}
