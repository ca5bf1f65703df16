import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { identityOf } from '../auth/httpIdentity.ts';
import { csrfToken } from '../auth/sessionRoutes.ts';
import { parseQueueFilter } from '../db/workQueue.ts';
import type { IdentifyCaller } from '../http/access.ts';
import type { DaemonView } from '../http/app.ts';
import { INVOICE_ID_PARAMS } from '../http/invoiceRoutes.ts';
import { asRequestRefused } from '../http/requestRefused.ts';
import { actorsPage } from './actorsPage.ts';
import { registerAdminPages } from './adminRoutes.ts';
import { deadLettersPage, replayFromConsole } from './deadLettersPage.ts';
import { invoicePage } from './invoicePage.ts';
import { learnTemplateSection, registerTemplateLearning, type TemplateSettings } from './learnTemplateForm.ts';
import { overviewPage } from './overviewPage.ts';
import { queuePage } from './queuePage.ts';
import { langOf, render } from './render.ts';
import { signInPage } from './signInPage.ts';
import { words } from './text.ts';
import { getInvoice } from '../db/invoiceQueries.ts';

/**
 * The operator console's routes; each page is its own module. `/` is public: it shows the
 * sign-in form (or, on a fresh install, how to add the first admin) to a caller without a
 * session, and the overview to one with it. pdf.js is served from pdfjs-dist's own browser build.
 */
export interface ConsoleDeps {
  pool: () => pg.Pool;
  view: DaemonView;
  identify: IdentifyCaller;
  /** Tells the NEX writer that a replayed dead letter is ready to post. */
  wakeWriter?: () => void;
  /** Where a template learned from a corrected invoice goes (extraction.templateDirs). */
  templates?: TemplateSettings;
}

const PDFJS_BUILD = join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'build');

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
    if (!identity) {
      return render(request, reply, null, words(lang)('signIn'), await signInPage(deps.pool(), request, lang));
    }
    return render(request, reply, identity, words(lang)('overview'), await overviewPage(deps.pool(), deps.view, lang));
  });
}

/** The pages behind sign-in. */
export function registerConsolePages(signedIn: FastifyInstance, deps: ConsoleDeps): void {
  signedIn.get('/queue', { config: { role: 'viewer' } }, async (request, reply) => {
    const lang = langOf(request, reply);
    const filter = parseQueueFilter(request.query as Record<string, unknown>);
    const body = await queuePage(deps.pool(), filter, lang);
    return render(request, reply, identityOf(request), words(lang)('workQueue'), body);
  });
  signedIn.get<{ Params: { id: string }; Querystring: { learned?: string; learnFailed?: string } }>(
    '/invoices/:id',
    { config: { role: 'viewer' } },
    async (request, reply) => {
      const lang = langOf(request, reply);
      const identity = identityOf(request);
      // One read of the invoice for the page and its template section.
      const detail = await getInvoice(deps.pool(), request.params.id);
      if (!detail) return reply.callNotFound();
      const body = await invoicePage(deps.pool(), lang, detail, identity);
      const csrf = csrfToken(request, reply);
      const { learned, learnFailed } = request.query;
      const learning = learnTemplateSection(detail, identity, csrf, lang, { learned, failed: learnFailed });
      return render(request, reply, identity, words(lang)('invoice'), body + learning, csrf);
    },
  );
  registerTemplateLearning(signedIn, deps);
  signedIn.get<{ Querystring: { replayed?: string } }>(
    '/dead-letters',
    { config: { role: 'viewer' } },
    async (request, reply) => {
      const lang = langOf(request, reply);
      const identity = identityOf(request);
      const csrf = csrfToken(request, reply);
      const replayed = /^\d{1,6}$/.test(request.query.replayed ?? '') ? Number(request.query.replayed) : null;
      const body = await deadLettersPage(deps.pool(), lang, { identity, csrf, replayed });
      return render(request, reply, identity, words(lang)('deadLetters'), body, csrf);
    },
  );
  signedIn.get('/actors', { config: { role: 'viewer' } }, async (request, reply) => {
    const lang = langOf(request, reply);
    return render(request, reply, identityOf(request), words(lang)('actors'), actorsPage(deps.view.tree(), lang));
  });
  registerDeadLetterReplays(signedIn, deps);
  registerAdminPages(signedIn, deps.pool);
}

/** The dead letters page's forms: replay, then back to the page, which says how many went. */
function registerDeadLetterReplays(signedIn: FastifyInstance, deps: ConsoleDeps): void {
  void signedIn.register(async (scope) => {
    // A wrong or unknown id answers as the JSON routes do (INVOICE_NOT_FOUND), with its sentence.
    scope.setErrorHandler((error) => {
      throw asRequestRefused(error);
    });
    const replayed = (count: number) => {
      if (count > 0) deps.wakeWriter?.();
      return `/dead-letters?replayed=${count}`;
    };
    scope.post<{ Params: { id: string } }>(
      '/dead-letters/:id/replay',
      { config: { role: 'operator' }, schema: { params: INVOICE_ID_PARAMS } },
      async (request, reply) =>
        reply.redirect(
          replayed(await replayFromConsole(deps.pool(), identityOf(request), { id: request.params.id })),
          303,
        ),
    );
    scope.post('/dead-letters/replay-all', { config: { role: 'operator' } }, async (request, reply) =>
      reply.redirect(replayed(await replayFromConsole(deps.pool(), identityOf(request), 'all')), 303),
    );
  });
}
