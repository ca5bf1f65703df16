import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { identityOf } from '../auth/httpIdentity.ts';
import type { Identity } from '../auth/identity.ts';
import { countPeople } from '../auth/people.ts';
import { csrfToken } from '../auth/sessionRoutes.ts';
import type { IdentifyCaller } from '../http/access.ts';
import type { DaemonView } from '../http/app.ts';
import { invoicePage } from './invoicePage.ts';
import { page } from './layout.ts';
import { html, words, type Lang } from './text.ts';

/**
 * The operator console's pages, rendered on the server. `/` is public: it shows the sign-in
 * form (or, on a fresh install, how to add the first admin) to a caller without a session,
 * and the overview to one with it. pdf.js is served from pdfjs-dist's own browser build.
 */
export interface ConsoleDeps {
  pool: () => pg.Pool;
  view: DaemonView;
  identify: IdentifyCaller;
}

const LANG_COOKIE = 'il_lang';
const PDFJS_BUILD = join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'build');

function langOf(request: FastifyRequest, reply: FastifyReply): Lang {
  const asked = (request.query as { lang?: string } | undefined)?.lang;
  if (asked === 'sk' || asked === 'en') {
    reply.setCookie(LANG_COOKIE, asked, { path: '/', sameSite: 'strict', httpOnly: true });
    return asked;
  }
  return request.cookies[LANG_COOKIE] === 'en' ? 'en' : 'sk';
}

function render(request: FastifyRequest, reply: FastifyReply, identity: Identity | null, title: string, body: string) {
  const lang = langOf(request, reply);
  const csrf = identity ? csrfToken(request, reply) : null;
  return reply
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(page({ lang, title, body, identity, csrf, path: request.url.split('?')[0] ?? '/' }));
}

async function signInPage(deps: ConsoleDeps, request: FastifyRequest, lang: Lang): Promise<string> {
  const t = words(lang);
  const outcome = (request.query as { signin?: string } | undefined)?.signin;
  const message = outcome === 'failed' ? t('signInFailed') : outcome === 'locked' ? t('signInLocked') : '';
  const nobody =
    (await countPeople(deps.pool())) === 0
      ? `<p>${t('nobodyYet')}</p><pre>invoice-loader users add NAME --role admin</pre>`
      : '';
  return `<h1>${t('signIn')}</h1>${nobody}
<form class="signin" method="post" action="/api/session">
<label for="name">${t('name')}</label><input id="name" name="name" autocomplete="username" required autofocus>
<label for="password">${t('password')}</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">${t('signInButton')}</button>
${message ? `<p class="error" role="alert">${message}</p>` : ''}
</form>`;
}

async function overview(deps: ConsoleDeps, lang: Lang): Promise<string> {
  const t = words(lang);
  const health = deps.view.health();
  const reasons = Object.values(health.checks)
    .flat()
    .filter((check) => check.status !== 'pass')
    .map((check) => `<li>${html(check.output ?? check.componentId ?? '')}</li>`)
    .join('');
  const counts = (
    await deps
      .pool()
      .query<{ status: string; n: number }>(
        'SELECT status, count(*)::int AS n FROM invoices GROUP BY status ORDER BY status',
      )
  ).rows;
  const waiting = (
    await deps.pool().query<{
      id: string;
      status: string;
      supplier_name: string | null;
      invoice_number: string | null;
      total_gross: string | null;
      age: string;
    }>(
      `SELECT id, status, supplier_name, invoice_number, total_gross::text AS total_gross,
         justify_interval(date_trunc('minute', now() - received_at))::text AS age
       FROM invoices WHERE status IN ('needs_review', 'validated') ORDER BY received_at LIMIT 10`,
    )
  ).rows;
  return `<h1>${t('overview')}</h1>
<div class="banner ${html(health.status)}" role="status"><strong>${t('health')}: ${html(health.status)}</strong>${reasons ? `<ul>${reasons}</ul>` : ''}</div>
<h2>${t('status')}</h2>
<table><thead><tr><th>${t('status')}</th><th>${t('count')}</th></tr></thead><tbody>
${counts.map((c) => `<tr><td><a href="/queue?status=${html(c.status)}">${html(c.status)}</a></td><td>${c.n}</td></tr>`).join('')}
</tbody></table>
<h2>${t('waiting')}</h2>
${invoiceTable(lang, waiting, (row) => html(row.age))}`;
}

function invoiceTable(
  lang: Lang,
  rows: Array<{
    id: string;
    status: string;
    supplier_name: string | null;
    invoice_number: string | null;
    total_gross: string | null;
  }>,
  extra?: (row: { age?: string }) => string,
): string {
  const t = words(lang);
  if (rows.length === 0) return `<p>${t('none')}</p>`;
  return `<table><thead><tr><th>${t('number')}</th><th>${t('supplier')}</th><th>${t('gross')}</th><th>${t('status')}</th>${extra ? '<th></th>' : ''}</tr></thead><tbody>
${rows
  .map(
    (row) =>
      `<tr><td><a href="/invoices/${html(row.id)}">${html(row.invoice_number ?? row.id)}</a></td><td>${html(row.supplier_name)}</td><td>${html(row.total_gross)}</td><td>${html(row.status)}</td>${extra ? `<td>${extra(row as { age?: string })}</td>` : ''}</tr>`,
  )
  .join('')}
</tbody></table>`;
}

/** `/` and the assets, in the public context. */
export function registerConsolePublic(open: FastifyInstance, deps: ConsoleDeps): void {
  void open.register(fastifyStatic, {
    root: PDFJS_BUILD,
    prefix: '/assets/pdfjs/',
    allowedPath: (path) => path === '/pdf.min.mjs' || path === '/pdf.worker.min.mjs',
    index: false,
    list: false,
  });
  open.get('/', async (request, reply) => {
    const identity = (await deps.identify(request)) ?? null;
    const lang = langOf(request, reply);
    if (!identity) return render(request, reply, null, words(lang)('signIn'), await signInPage(deps, request, lang));
    return render(request, reply, identity, words(lang)('overview'), await overview(deps, lang));
  });
}

/** The pages behind sign-in. */
export function registerConsolePages(signedIn: FastifyInstance, deps: ConsoleDeps): void {
  signedIn.get<{ Querystring: { status?: string } }>(
    '/queue',
    { config: { role: 'viewer' } },
    async (request, reply) => {
      const lang = langOf(request, reply);
      const status = request.query.status;
      const rows = (
        await deps.pool().query(
          `SELECT id, status, supplier_name, invoice_number, total_gross::text AS total_gross FROM invoices
         WHERE ($1::text IS NULL AND status IN ('needs_review', 'validated')) OR status = $1
         ORDER BY received_at LIMIT 200`,
          [status ?? null],
        )
      ).rows;
      return render(
        request,
        reply,
        identityOf(request),
        words(lang)('workQueue'),
        `<h1>${words(lang)('workQueue')}</h1>${invoiceTable(lang, rows)}`,
      );
    },
  );
  signedIn.get<{ Params: { id: string } }>('/invoices/:id', { config: { role: 'viewer' } }, async (request, reply) => {
    const lang = langOf(request, reply);
    const body = await invoicePage(deps.pool(), lang, request.params.id, identityOf(request));
    if (!body) return reply.callNotFound();
    return render(request, reply, identityOf(request), words(lang)('invoice'), body);
  });
}
