import http from 'node:http';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load.ts';
import { grants, requireSignIn, type Identity, type IdentifyCaller } from '../../src/http/access.ts';
import { presentedToken } from '../../src/http/auth.ts';
import { buildHttpApp, type DaemonView, type RoutingOptions } from '../../src/http/app.ts';
import type { Access, RouteAccess } from '../../src/http/routeTable.ts';
import { createIngest } from '../../src/intake/ingest.ts';
import { createInspectionBus } from '../../src/runtime/inspectionBus.ts';
import { createMetrics } from '../../src/runtime/metrics.ts';
import { personIdentity } from '../support/identities.ts';
import { migratedPool } from '../support/migratedDatabase.ts';

/**
 * Authorization follows the route the router matched, never the text of the URL: every route
 * the app registers (enumerated from the app itself, so a new one cannot be forgotten) is asked
 * for in many spellings, with every method, with no token and with a viewer's, under
 * strict and lenient routing, with health and metrics open and closed. A request "reaches" a
 * route when the root's preParsing hook sees it — that hook runs only after every onRequest
 * hook, the sign-in check included, has let it through.
 */

const TOKEN = 'route-access-token-0123456789';
const VIEWER_TOKEN = 'viewer-token-0123456789';
const INVOICE_ID = '7d1f0c39-5a4e-4f7b-9d55-0f6f3c2b9a11';

const STRICT: RoutingOptions = { ignoreTrailingSlash: false, ignoreDuplicateSlashes: false, caseSensitive: true };
const LENIENT: RoutingOptions = { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, caseSensitive: false };

const ADMIN = personIdentity('admin', 'admin', 'admin');
const VIEWER = personIdentity('viewer', 'viewer', 'viewer');

/** An admin's token and a viewer's, so that every route is reached and 403 is shown. */
const identify: IdentifyCaller = (request) => {
  const presented = presentedToken(request);
  if (presented === TOKEN) return ADMIN;
  if (presented === VIEWER_TOKEN) return VIEWER;
  return undefined;
};

interface Served {
  app: FastifyInstance;
  routes: RouteAccess[];
  /** `METHOD url-pattern` of the routes requests got through to, in order. */
  reached: string[];
  request(method: string, path: string, token?: string): Promise<Answer>;
}

interface Answer {
  status: number;
  code: string | undefined;
}

async function serve(
  t: ExecutionContext,
  options: { openHealth: boolean; openMetrics: boolean; routing: RoutingOptions; console?: boolean },
): Promise<Served> {
  const config = loadConfig({ env: {} }).config;
  const logger = pino({ level: 'silent' });
  const pool = await migratedPool(t);
  const view: DaemonView = {
    tree: () => ({ id: 'root', kind: 'supervisor', state: 'running', children: [] }) as never,
    health: () => ({ status: 'pass', version: 'test', description: 'test', checks: {} }),
    readiness: () => ({ ready: true, reasons: [] }),
    crash: (actor) => actor === 'heartbeat',
    inspection: createInspectionBus(),
    metrics: createMetrics(),
    faultInjection: true,
  };
  const app = buildHttpApp({
    settings: { ...config.http, openHealth: options.openHealth, openMetrics: options.openMetrics },
    token: TOKEN,
    view,
    logger,
    identify,
    routing: options.routing,
    invoices: {
      ingest: createIngest({ pool: () => pool, logger, wake: () => {}, actor: 'http' }),
      pool: () => pool,
      maxUploadMb: 1,
    },
    decisions: { pool: () => pool, rules: config.approval, wakeWriter: () => {} },
    alerts: { sendTest: async () => ['ops@example.test'] },
    // The console's pages and sessions, only where a test asks for them (they need people).
    ...(options.console
      ? {
          people: {
            pool: () => pool,
            settings: { idleTimeoutMinutes: 60, signInPerMinute: 100, lockoutAfterFailures: 5, lockoutMinutes: 15 },
          },
        }
      : {}),
  });
  const reached: string[] = [];
  app.addHook('preParsing', async (request) => {
    // The not-found handler has no route; nothing was reached.
    if (request.routeOptions.url !== undefined) reached.push(`${request.method} ${request.routeOptions.url}`);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  t.teardown(async () => {
    agent.destroy();
    await app.close();
  });
  const port = (app.server.address() as { port: number }).port;
  return {
    app,
    routes: app.routeAccess(),
    reached,
    request: (method, path, token) => rawRequest(agent, port, method, path, token),
  };
}

/** node:http sends the path exactly as written; fetch would normalise some spellings away. */
function rawRequest(agent: http.Agent, port: number, method: string, path: string, token?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = method === 'POST' ? '{}' : undefined;
    const headers: http.OutgoingHttpHeaders = {};
    if (token) headers['x-api-key'] = token;
    if (body) headers['content-type'] = 'application/json';
    const request = http.request({ host: '127.0.0.1', port, method, path, agent, headers }, (response) => {
      if (String(response.headers['content-type']).startsWith('text/event-stream')) {
        // The inspection stream never ends by itself.
        response.destroy();
        resolve({ status: response.statusCode ?? 0, code: undefined });
        return;
      }
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        let code: string | undefined;
        try {
          code = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: { code?: string } }).error?.code;
        } catch {
          code = undefined;
        }
        resolve({ status: response.statusCode ?? 0, code });
      });
      response.on('error', reject);
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      // Node's HTTP parser refuses a request-target that is not a path (`%2Fapi`) with a bare 400
      // that a HEAD request cannot read; either way fastify never saw it.
      if (error.code?.startsWith('HPE_')) resolve({ status: 400, code: error.code });
      else reject(error);
    });
    request.end(body);
  });
}

/** The route's pattern with its parameters filled in. */
function concrete(url: string): string {
  return url.replace(':id', INVOICE_ID).replace(':actor', 'heartbeat').replace(':name', 'viewer');
}

const hex = (char: string) => `%${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
const HEX = (char: string) => hex(char).toUpperCase();

/** Every way of writing `path` an attacker might try to get past a check on the URL's text. */
function spellings(path: string): string[] {
  const segments = path.split('/').slice(1);
  const join = (parts: string[]) => `/${parts.join('/')}`;
  const flipCase = (s: string) => [...s].map((c, i) => (i % 2 ? c.toUpperCase() : c.toLowerCase())).join('');
  const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return [
    ...new Set([
      path,
      // Percent-encoded letters: the first one (the issue's /%61pi), every segment's first, all of them.
      `/${hex(path.charAt(1))}${path.slice(2)}`,
      join(segments.map((s) => (s ? hex(s.charAt(0)) + s.slice(1) : s))),
      join(segments.map((s) => [...s].map(HEX).join(''))),
      join(segments.map((s) => [...s].map(hex).join(''))),
      // Encoded slashes.
      path.replaceAll('/', '%2F'),
      `/${segments.join('%2F')}`,
      `/${segments.join('%2f')}`,
      `%2F${path.slice(1)}`,
      // Doubled and trailing slashes.
      `/${path}`,
      path.replaceAll('/', '//'),
      `${path}/`,
      `${path}//`,
      `${path}/%2F`,
      // Letter case.
      path.toUpperCase(),
      join(segments.map(capitalise)),
      join(segments.map(flipCase)),
      // Combinations.
      `/${hex(path.charAt(1)).toUpperCase()}${path.slice(2).toUpperCase()}/`,
      `//${hex(path.charAt(1))}${path.slice(2)}/`,
      // Dot segments, double encoding, parameters and padding.
      `/.${path}`,
      `/x/..${path}`,
      `/%2e${path}`,
      `/%2561${path.slice(2)}`,
      `${path};x=1`,
      `${path}?x=1`,
      `${path}%20`,
      `${path}%00`,
      `${path}#x`,
      path.replaceAll('/', '\\'),
    ]),
  ];
}

interface Caller {
  label: string;
  token: string | undefined;
  identity: Identity | undefined;
}
// A wrong token is the same as none to the check (no identity); the per-route test shows both answers.
const CALLERS_WITHOUT_RIGHTS: Caller[] = [
  { label: 'no token', token: undefined, identity: undefined },
  { label: 'viewer', token: VIEWER_TOKEN, identity: VIEWER },
];

function allowed(access: Access, identity: Identity | undefined): boolean {
  if (access === 'public') return true;
  return identity !== undefined && grants(identity.role, access);
}

const SETTINGS = [
  { routing: STRICT, openHealth: true, openMetrics: true, name: 'strict routing, health and metrics open' },
  { routing: STRICT, openHealth: false, openMetrics: false, name: 'strict routing, health and metrics closed' },
  { routing: LENIENT, openHealth: true, openMetrics: false, name: 'lenient routing, health open, metrics closed' },
  { routing: LENIENT, openHealth: false, openMetrics: true, name: 'lenient routing, health closed, metrics open' },
];

/** Asks for each of `routes` in every spelling, with every method, as callers without its role. */
async function assertNoSpellingReaches(t: ExecutionContext, served: Served, routes: RouteAccess[]): Promise<void> {
  const access = new Map(served.routes.map((route) => [`${route.method} ${route.url}`, route.access]));
  const methods = (route: RouteAccess) => [...new Set([route.method, 'GET', 'POST', 'HEAD'])];
  let tried = 0;
  for (const route of routes) {
    for (const path of spellings(concrete(route.url))) {
      for (const method of methods(route)) {
        for (const caller of CALLERS_WITHOUT_RIGHTS) {
          served.reached.length = 0;
          const answer = await served.request(method, path, caller.token);
          tried += 1;
          for (const hit of served.reached) {
            const hitAccess = access.get(hit);
            t.true(
              hitAccess !== undefined && allowed(hitAccess, caller.identity),
              `${method} ${path} (${caller.label}) reached ${hit}, which needs ${hitAccess}; answered ${answer.status}`,
            );
          }
          if (served.reached.length === 0) {
            t.true(
              answer.status >= 400,
              `${method} ${path} (${caller.label}) answered ${answer.status} without reaching a route`,
            );
          }
        }
      }
    }
  }
  t.log(`${routes.length} routes, ${tried} requests`);
}

for (const settings of SETTINGS) {
  test.serial(`no spelling of any route reaches it without its role: ${settings.name}`, async (t) => {
    const served = await serve(t, settings);
    await assertNoSpellingReaches(t, served, served.routes);
  });
}

/** The console's pages behind sign-in (the server above runs without people, so without them). */
const CONSOLE_PAGES = [
  'GET /queue viewer',
  'GET /invoices/:id viewer',
  'GET /dead-letters viewer',
  'GET /actors viewer',
  'POST /invoices/:id/learn-template operator',
  'POST /dead-letters/:id/replay operator',
  'POST /dead-letters/replay-all operator',
  'GET /people admin',
  'POST /people admin',
  'POST /people/:name/role admin',
  'POST /people/:name/disable admin',
  'POST /people/:name/enable admin',
  'POST /people/:name/password admin',
  'GET /tokens admin',
  'POST /tokens admin',
  'POST /tokens/revoke admin',
];

for (const routing of [STRICT, LENIENT]) {
  const name = routing === STRICT ? 'strict' : 'lenient';
  test.serial(`no spelling of a console page reaches it without its role: ${name} routing`, async (t) => {
    const served = await serve(t, { routing, openHealth: true, openMetrics: true, console: true });
    const pages = served.routes.filter((r) => CONSOLE_PAGES.includes(`${r.method} ${r.url} ${r.access}`));
    t.deepEqual(pages.map((r) => `${r.method} ${r.url} ${r.access}`).sort(), [...CONSOLE_PAGES].sort());
    await assertNoSpellingReaches(t, served, pages);
  });
}

test.serial(
  'each route answers 401 without identity, 403 without its role, and runs for a caller with it',
  async (t) => {
    const served = await serve(t, { routing: STRICT, openHealth: false, openMetrics: false });
    for (const route of served.routes) {
      const path = concrete(route.url);
      const label = `${route.method} ${route.url}`;
      // A HEAD answer has no body to carry the code.
      const code = (expected: string) => (route.method === 'HEAD' ? undefined : expected);
      const missing = await served.request(route.method, path);
      t.deepEqual([missing.status, missing.code], [401, code('AUTH_MISSING')], label);
      const wrong = await served.request(route.method, path, 'wrong-token');
      t.deepEqual([wrong.status, wrong.code], [401, code('AUTH_INVALID')], label);

      served.reached.length = 0;
      const viewer = await served.request(route.method, path, VIEWER_TOKEN);
      if (route.access === 'viewer') t.deepEqual(served.reached, [label], label);
      else t.deepEqual([viewer.status, viewer.code, served.reached], [403, code('AUTH_FORBIDDEN'), []], label);

      served.reached.length = 0;
      const admin = await served.request(route.method, path, TOKEN);
      t.deepEqual(served.reached, [label], `${label} with the token answered ${admin.status}`);
      t.false([401, 403].includes(admin.status), label);
    }
  },
);

test.serial('lenient routing lets other spellings reach a route, and then only with the token', async (t) => {
  const served = await serve(t, { routing: LENIENT, openHealth: false, openMetrics: false });
  for (const path of ['/API/INVOICES', '//api//invoices/', '/%61pi/Invoices', '/Metrics/', '//HEALTH']) {
    served.reached.length = 0;
    const refused = await served.request('GET', path);
    t.deepEqual([refused.status, served.reached], [401, []], path);
    const answered = await served.request('GET', path, TOKEN);
    t.is(answered.status, 200, path);
    t.is(served.reached.length, 1, path);
  }
});

test.serial('open health and metrics answer without a token; closed ones do not', async (t) => {
  const open = await serve(t, { routing: STRICT, openHealth: true, openMetrics: true });
  for (const path of ['/health', '/health/live', '/health/ready', '/metrics', '/%68ealth', '/%6detrics']) {
    t.is((await open.request('GET', path)).status, 200, path);
  }
  const closed = await serve(t, { routing: STRICT, openHealth: false, openMetrics: false });
  for (const path of ['/health', '/health/live', '/health/ready', '/metrics', '/%68ealth', '/%6detrics']) {
    t.is((await closed.request('GET', path)).status, 401, path);
    t.is((await closed.request('GET', path, TOKEN)).status, 200, path);
  }
});

test('the route table lists every route with its role', async (t) => {
  const served = await serve(t, { routing: STRICT, openHealth: true, openMetrics: false });
  const table = served.routes.filter((route) => route.method !== 'HEAD').map((r) => `${r.method} ${r.url} ${r.access}`);
  t.deepEqual(table.sort(), [
    'GET /api/actors viewer',
    'GET /api/dlq viewer',
    'GET /api/inspect/stream viewer',
    'GET /api/invoices viewer',
    'GET /api/invoices/:id viewer',
    'GET /api/invoices/:id/document viewer',
    'GET /health public',
    'GET /health/live public',
    'GET /health/ready public',
    'GET /metrics viewer',
    'PATCH /api/invoices/:id operator',
    'POST /api/alerts/test admin',
    'POST /api/debug/crash/:actor admin',
    'POST /api/dlq/:id/replay operator',
    'POST /api/invoices operator',
    'POST /api/invoices/:id/approve approver',
    'POST /api/invoices/:id/lines/:line/match operator',
    'POST /api/invoices/:id/reject operator',
    'POST /api/invoices/:id/reprocess operator',
    'POST /invoice operator',
  ]);
});

test('a server with a route outside both contexts, or behind sign-in without a role, does not start', async (t) => {
  const config = loadConfig({ env: {} }).config;
  const loose = buildHttpApp({
    settings: config.http,
    token: TOKEN,
    logger: pino({ level: 'silent' }),
    view: {} as DaemonView,
  });
  loose.get('/api/forgotten', async () => 'every invoice');
  const unguarded = await loose.ready().then(
    () => undefined,
    (error: unknown) => error,
  );
  t.like(unguarded, { code: 'HTTP_ROUTE_UNGUARDED' });
  t.regex((unguarded as Error).message, /GET \/api\/forgotten/);
  await loose.close();

  const withoutRole = Fastify();
  void withoutRole.register(async (scope) => {
    requireSignIn(scope, identify);
    scope.get('/api/unchecked', async () => 'every invoice');
  });
  const error = await withoutRole.ready().then(
    () => undefined,
    (failure: unknown) => failure,
  );
  t.like(error, { code: 'HTTP_ROUTE_WITHOUT_ROLE' });
  await withoutRole.close();
});
