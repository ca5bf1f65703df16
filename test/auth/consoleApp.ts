import { Writable } from 'node:stream';
import type { ExecutionContext } from 'ava';
import pino from 'pino';
import type pg from 'pg';
import { createToken } from '../../src/auth/apiTokens.ts';
import { addPerson } from '../../src/auth/people.ts';
import type { Role } from '../../src/auth/roles.ts';
import type { SessionSettings } from '../../src/auth/sessionRoutes.ts';
import { buildHttpApp, type DaemonView } from '../../src/http/app.ts';
import type { RouteAccess } from '../../src/http/routeTable.ts';
import { createIngest } from '../../src/intake/ingest.ts';
import { createInspectionBus } from '../../src/runtime/inspectionBus.ts';
import { createMetrics } from '../../src/runtime/metrics.ts';
import { migratedPool } from '../support/migratedDatabase.ts';
import { rootOver } from '../support/actorNodes.ts';
import type { TemplateSettings } from '../../src/console/learnTemplateForm.ts';

export const CONFIGURED_TOKEN = 'configured-token-0123456789';
export const PASSWORD = 'heslo-na-skusku-1';

/** One person per role, each with a token of their own. */
export const PEOPLE: Record<Role, string> = { viewer: 'vera', operator: 'olga', approver: 'anna', admin: 'adam' };

export interface ConsoleApp {
  url: (path: string) => string;
  pool: pg.Pool;
  /** A person token per role, plus `integration` (a token of role operator that belongs to nobody). */
  tokens: Record<Role | 'integration', string>;
  logs: Array<Record<string, unknown>>;
  routeAccess: () => RouteAccess[];
  crashed: string[];
}

/**
 * The real HTTP app (every route, the access-control hook, sessions) on a fresh database,
 * listening on a free port. Only the daemon behind it is a stand-in: an actor tree and a
 * health report, which are not what these tests are about (a test of the pages that show them
 * passes its own in `view`).
 */
export async function startConsoleApp(
  t: ExecutionContext,
  settings: Partial<SessionSettings> = {},
  http: { openHealth?: boolean; openMetrics?: boolean } = {},
  view: Partial<DaemonView> = {},
  extra: { templates?: TemplateSettings } = {},
): Promise<ConsoleApp> {
  const pool = await migratedPool(t);
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const crashed: string[] = [];
  const tree = rootOver();
  const app = buildHttpApp({
    settings: {
      enabled: true,
      host: '127.0.0.1',
      port: 0,
      token: CONFIGURED_TOKEN,
      tokenFile: './unused',
      openHealth: http.openHealth ?? true,
      openMetrics: http.openMetrics ?? true,
    },
    token: CONFIGURED_TOKEN,
    view: {
      tree: () => tree,
      health: () => ({ status: 'pass', version: 'test', description: 'test', checks: {} }),
      readiness: () => ({ ready: true, reasons: [] }),
      crash: (id) => (crashed.push(id), true),
      inspection: createInspectionBus(),
      metrics: createMetrics(),
      faultInjection: true,
      ...view,
    },
    logger,
    invoices: {
      ingest: createIngest({ pool: () => pool, logger, wake: () => {}, actor: 'test' }),
      pool: () => pool,
      maxUploadMb: 1,
    },
    decisions: {
      pool: () => pool,
      rules: { autoApproveBelow: '1000', doubleApprovalAbove: '10000' },
      wakeWriter: () => {},
    },
    templates: extra.templates,
    people: {
      pool: () => pool,
      settings: {
        idleTimeoutMinutes: 480,
        signInPerMinute: 100,
        lockoutAfterFailures: 5,
        lockoutMinutes: 15,
        ...settings,
      },
    },
  });
  // The browser tests' chromium keeps its connections open (keep-alive, an event stream) for as
  // long as it runs; closing the app must not wait for the browser to let go of them.
  t.teardown(async () => {
    const closing = app.close();
    app.server.closeAllConnections();
    await closing;
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  const tokens = {} as ConsoleApp['tokens'];
  for (const [role, name] of Object.entries(PEOPLE) as Array<[Role, string]>) {
    await addPerson(pool, { name, role, displayName: name.toUpperCase(), password: PASSWORD });
    tokens[role] = (await createToken(pool, { label: `${name}-token`, person: name })).token;
  }
  tokens.integration = (await createToken(pool, { label: 'n8n', role: 'operator' })).token;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    pool,
    tokens,
    logs,
    routeAccess: app.routeAccess,
    crashed,
  };
}

/** Signs in over HTTP and returns the cookie header to send and the CSRF token. */
export async function signIn(
  app: ConsoleApp,
  name: string,
  password = PASSWORD,
): Promise<{ cookie: string; csrf: string }> {
  const response = await fetch(app.url('/api/session'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  if (response.status !== 200)
    throw new Error(`sign-in of ${name} answered ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { csrf_token: string };
  return { cookie: cookieHeader(response), csrf: body.csrf_token };
}

/** The Set-Cookie headers of a response as one Cookie request header. */
export function cookieHeader(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}
