import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { identityOf } from '../auth/httpIdentity.ts';
import type { Identity } from '../auth/identity.ts';
import { roleAllows } from '../auth/roles.ts';
import type { InvoiceDetail } from '../db/invoiceQueries.ts';
import { errorCode, errorMessage } from '../errors.ts';
import { shippedTemplateDir } from '../extract/shippedTemplates.ts';
import { INVOICE_ID_PARAMS } from '../http/invoiceRoutes.ts';
import { langOf } from './render.ts';
import { html, words, type Lang } from './text.ts';

/**
 * The invoice page's "learn the supplier's template" button: what `templates learn ID` does,
 * for a corrected PDF invoice, by an operator. The template goes into the first of
 * extraction.templateDirs, which the daemon re-reads on change; the page then says what was
 * learned, or why not, as the command would.
 */
export interface TemplateSettings {
  /** extraction.templateDirs: the first is where learned templates go. */
  dirs: string[];
}

const MESSAGE_LIMIT = 300;

export function learnTemplateSection(
  detail: InvoiceDetail,
  identity: Identity,
  csrf: string,
  lang: Lang,
  outcome: { learned?: string; failed?: string },
): string {
  const t = words(lang);
  const id = detail.id;
  if (!roleAllows(identity.role, 'operator') || detail.document.media_type !== 'application/pdf') return '';
  const corrected = Object.keys(detail.operator_edits.header ?? {}).length > 0 || detail.operator_edits.lines;
  const said = outcome.learned
    ? `<p role="status">${t('templateLearned')}: ${html(outcome.learned)}</p>`
    : outcome.failed
      ? `<p class="error" role="alert">${html(outcome.failed)}</p>`
      : '';
  if (!corrected && !said) return '';
  return `<section class="learn-template"><h2>${t('learnTemplate')}</h2><p>${t('learnTemplateHint')}</p>${said}
<form method="post" action="/invoices/${html(encodeURIComponent(id))}/learn-template"><input type="hidden" name="_csrf" value="${html(csrf)}"><button type="submit">${t('learnTemplateButton')}</button></form></section>`;
}

export function registerTemplateLearning(
  signedIn: FastifyInstance,
  deps: { pool: () => pg.Pool; templates?: TemplateSettings },
): void {
  signedIn.post<{ Params: { id: string } }>(
    '/invoices/:id/learn-template',
    { config: { role: 'operator' }, schema: { params: INVOICE_ID_PARAMS } },
    async (request, reply) => {
      const id = request.params.id;
      const back = (query: string) => reply.redirect(`/invoices/${encodeURIComponent(id)}?${query}`, 303);
      const dir = deps.templates?.dirs[0];
      if (!dir) return back(`learnFailed=${encodeURIComponent(words(langOf(request, reply))('templateDirMissing'))}`);
      try {
        // Loaded on first use: it reads the PDF with pdf2json, which the console needs for nothing else.
        const { learnFromInvoice } = await import('../extract/templates/learnFromInvoice.ts');
        const outcome = await learnFromInvoice(deps.pool(), id, {
          dir,
          templateDirs: [shippedTemplateDir, ...(deps.templates?.dirs ?? []).map((d) => resolve(d))],
          replace: true,
        });
        request.log.info(
          {
            invoice: id,
            template: outcome.id,
            file: outcome.file,
            by: identityOf(request).name,
            still_different: outcome.stillDifferent,
          },
          `template ${outcome.id} learned from invoice ${id}`,
        );
        const summary = [
          outcome.id,
          ...outcome.skipped.map((s) => `${s.what}: ${s.why}`),
          ...(outcome.stillDifferent.length ? [`still different: ${outcome.stillDifferent.join(', ')}`] : []),
        ].join('; ');
        return back(`learned=${encodeURIComponent(summary.slice(0, MESSAGE_LIMIT))}`);
      } catch (error) {
        request.log.warn({ invoice: id, err: error, code: errorCode(error) }, 'a template could not be learned');
        return back(`learnFailed=${encodeURIComponent(errorMessage(error).slice(0, MESSAGE_LIMIT))}`);
      }
    },
  );
}
