import { readFileSync } from 'node:fs';
import test from 'ava';
import { createToken } from '../../src/auth/apiTokens.ts';
import { addPerson } from '../../src/auth/people.ts';
import { ROLES, roleAllows, type Role } from '../../src/auth/roles.ts';
import { numberedInvoice, stageInvoice } from '../support/stagedInvoices.ts';
import { PASSWORD, startConsoleApp, type ConsoleApp } from './consoleApp.ts';

/**
 * Every route against every kind of caller: nobody (401), a wrong token (401), a person of
 * each role and the integration token (403 below the route's role, the route's own answer at
 * or above it). The routes come from the app itself, so a new route is in the matrix at once.
 */
interface Call {
  path: string;
  body?: unknown;
  /** The route's own answers when the caller may call it. */
  ok: number[];
}

async function callsFor(app: ConsoleApp): Promise<Record<string, () => Promise<Call>>> {
  const staged = (n: number, status: Parameters<typeof stageInvoice>[2], gross = '500.00') =>
    stageInvoice(app.pool, numberedInvoice(n, { total_gross: gross }), status);
  const validated = await staged(1, 'validated');
  const review = await staged(2, 'needs_review');
  const dead = await staged(3, 'dead_letter');
  const stopped = await staged(4, 'needs_review');
  const misread = await staged(5, 'needs_review');
  // The people routes change someone who is none of the callers, so every caller's token keeps working.
  await addPerson(app.pool, { name: 'petra', role: 'viewer', password: PASSWORD });
  await createToken(app.pool, { label: 'to-revoke', role: 'viewer' });
  const upload = { file_b64: Buffer.from('<Invoice/>').toString('base64'), filename: 'x.xml' };
  const fixed = (call: Call) => async () => call;
  return {
    'GET /health': fixed({ path: '/health', ok: [200] }),
    'GET /health/live': fixed({ path: '/health/live', ok: [200] }),
    'GET /health/ready': fixed({ path: '/health/ready', ok: [200] }),
    'GET /metrics': fixed({ path: '/metrics', ok: [200] }),
    'GET /api/actors': fixed({ path: '/api/actors', ok: [200] }),
    'GET /api/inspect/stream': fixed({ path: '/api/inspect/stream', ok: [200] }),
    'POST /api/debug/crash/:actor': fixed({ path: '/api/debug/crash/heartbeat', ok: [202] }),
    'GET /api/me': fixed({ path: '/api/me', ok: [200] }),
    'DELETE /api/session': fixed({ path: '/api/session', ok: [200] }),
    'POST /signout': fixed({ path: '/signout', ok: [303] }),
    'POST /api/invoices': fixed({ path: '/api/invoices', body: upload, ok: [200, 201] }),
    'POST /invoice': fixed({ path: '/invoice', body: upload, ok: [200, 201] }),
    'GET /api/invoices': fixed({ path: '/api/invoices', ok: [200] }),
    'GET /api/invoices/:id': fixed({ path: `/api/invoices/${validated}`, ok: [200] }),
    'GET /api/invoices/:id/document': fixed({ path: `/api/invoices/${validated}/document`, ok: [200] }),
    // Approving an approved invoice again, rejecting a rejected one, replaying a replayed one: 200, unchanged.
    'POST /api/invoices/:id/approve': fixed({ path: `/api/invoices/${validated}/approve`, body: {}, ok: [200] }),
    'POST /api/invoices/:id/reject': fixed({
      path: `/api/invoices/${review}/reject`,
      body: { reason: 'test' },
      ok: [200],
    }),
    // A second reprocess finds the invoice received already: 200, unchanged.
    'POST /api/invoices/:id/reprocess': fixed({ path: `/api/invoices/${stopped}/reprocess`, body: {}, ok: [200] }),
    // The first correction changes the invoice; the same values again change nothing: 200 either way.
    'PATCH /api/invoices/:id': fixed({
      path: `/api/invoices/${misread}`,
      body: { header: { variable_symbol: '5' } },
      ok: [200],
    }),
    // The line has no product and none offered: picking none again changes nothing, 200 every time.
    'POST /api/invoices/:id/lines/:line/match': fixed({
      path: `/api/invoices/${misread}/lines/1/match`,
      body: { gs_code: null },
      ok: [200],
    }),
    'GET /api/dlq': fixed({ path: '/api/dlq', ok: [200] }),
    'GET /queue': fixed({ path: '/queue', ok: [200] }),
    'GET /invoices/:id': fixed({ path: `/invoices/${validated}`, ok: [200] }),
    // Without a template folder configured, the page comes back saying where to set one.
    'POST /invoices/:id/learn-template': fixed({ path: `/invoices/${validated}/learn-template`, body: {}, ok: [303] }),
    'POST /api/dlq/:id/replay': fixed({ path: `/api/dlq/${dead}/replay`, body: {}, ok: [200] }),
    'GET /dead-letters': fixed({ path: '/dead-letters', ok: [200] }),
    'GET /actors': fixed({ path: '/actors', ok: [200] }),
    // A replayed dead letter replayed again: nothing to do, and back to the page all the same.
    'POST /dead-letters/:id/replay': fixed({ path: `/dead-letters/${dead}/replay`, body: {}, ok: [303] }),
    'POST /dead-letters/replay-all': fixed({ path: '/dead-letters/replay-all', body: {}, ok: [303] }),
    // The people and tokens forms answer with a redirect back to their page; a new token with its page.
    'GET /people': fixed({ path: '/people', ok: [200] }),
    'POST /people': fixed({
      path: '/people',
      body: { name: 'matej', role: 'viewer', password: PASSWORD },
      ok: [303],
    }),
    'POST /people/:name/role': fixed({ path: '/people/petra/role', body: { role: 'operator' }, ok: [303] }),
    'POST /people/:name/disable': fixed({ path: '/people/petra/disable', body: {}, ok: [303] }),
    'POST /people/:name/enable': fixed({ path: '/people/petra/enable', body: {}, ok: [303] }),
    'POST /people/:name/password': fixed({
      path: '/people/petra/password',
      body: { password: 'petra-nove-heslo' },
      ok: [303],
    }),
    'GET /tokens': fixed({ path: '/tokens', ok: [200] }),
    'POST /tokens': fixed({ path: '/tokens', body: { label: 'matrix', role: 'viewer' }, ok: [200] }),
    'POST /tokens/revoke': fixed({ path: '/tokens/revoke', body: { label: 'to-revoke' }, ok: [303] }),
  };
}

async function call(app: ConsoleApp, method: string, c: Call, token: string | null): Promise<number> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (c.body !== undefined) headers['content-type'] = 'application/json';
  const abort = new AbortController();
  const response = await fetch(app.url(c.path), {
    method,
    headers,
    body: c.body === undefined ? undefined : JSON.stringify(c.body),
    redirect: 'manual',
    signal: abort.signal,
  });
  // The inspection stream never ends by itself: its status is all this test needs.
  abort.abort();
  return response.status;
}

test('the role matrix: every route answers 401 without identity, 403 without the role, and its own answer with it', async (t) => {
  const app = await startConsoleApp(t);
  const calls = await callsFor(app);
  // Fastify's automatic HEAD routes share their GET's role; the sec tests try HEAD on every path.
  const routes = app.routeAccess().filter((r) => r.access !== 'public' && r.method !== 'HEAD');
  t.deepEqual(
    routes.map((r) => `${r.method} ${r.url}`).filter((key) => !(key in calls)),
    [],
    'every route of the app has a call in this matrix',
  );
  for (const route of routes) {
    const key = `${route.method} ${route.url}`;
    const c = await calls[key]!();
    const needed = route.access as Role;
    const callers: Array<[string, string | null, Role | null]> = [
      ['nobody', null, null],
      ['a wrong token', 'ilt_wrong', null],
      ...ROLES.map((role): [string, string, Role] => [role, app.tokens[role], role]),
      ['the integration token', app.tokens.integration, 'operator'],
      ['http.token', 'configured-token-0123456789', 'operator'],
    ];
    for (const [who, token, role] of callers) {
      const status = await call(app, route.method, c, token);
      if (role === null) t.is(status, 401, `${key} for ${who}`);
      else if (roleAllows(role, needed)) t.true(c.ok.includes(status), `${key} for ${who} (${role}) got ${status}`);
      else t.is(status, 403, `${key} for ${who} (${role} < ${needed})`);
    }
  }
});

test('docs/console.md lists every route with its role', async (t) => {
  const app = await startConsoleApp(t);
  const docs = readFileSync(new URL('../../docs/console.md', import.meta.url), 'utf8');
  for (const route of app.routeAccess().filter((r) => r.method !== 'HEAD')) {
    const row = new RegExp(
      `\\|\\s*\`${route.method} ${route.url.replace(/[.*+?^${}()|[\]\\/:]/g, '\\$&')}\`\\s*\\|\\s*${route.access}\\\\?\\*?\\s*\\|`,
    );
    t.regex(docs, row, `docs/console.md: ${route.method} ${route.url} → ${route.access}`);
  }
});

test('health and metrics need a viewer when http.openHealth / openMetrics are off', async (t) => {
  const app = await startConsoleApp(t, {}, { openHealth: false, openMetrics: false });
  for (const path of ['/health', '/health/live', '/metrics']) {
    t.is((await fetch(app.url(path))).status, 401, path);
    t.is((await fetch(app.url(path), { headers: { 'x-api-key': app.tokens.viewer } })).status, 200, path);
  }
});
