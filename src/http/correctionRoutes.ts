import type { FastifyInstance } from 'fastify';
import { parseCorrectionRequest } from '../approval/correctionRequest.ts';
import { correctInvoice } from '../approval/corrections.ts';
import { pickLineMatch } from '../approval/lineMatch.ts';
import { identityOf } from '../auth/httpIdentity.ts';
import { loadOrigin } from '../pipeline/invoiceObserver.ts';
import { validateInvoice } from '../validate/validateInvoice.ts';
import type { DecisionRouteDeps } from './decisionRoutes.ts';
import { INVOICE_ID_PARAMS } from './invoiceRoutes.ts';
import { asRequestRefused, RequestRefused } from './requestRefused.ts';

/**
 * `PATCH /api/invoices/:id` with `{ header?: {field: value}, lines?: [all lines], reason? }`:
 * the correction of src/approval/corrections.ts, by the caller's identity. The schema gives
 * the shape only; the values (decimal text, dates, known fields) are checked by
 * parseCorrectionRequest, whose refusals name the field — fastify's type coercion would
 * otherwise turn a JSON number into text and let a float through as an amount.
 */
const CORRECTION_SCHEMA = {
  params: INVOICE_ID_PARAMS,
  body: {
    type: 'object',
    properties: {
      header: { type: ['object', 'null'], description: 'changed header fields by column name' },
      lines: { type: ['array', 'null'], items: { type: 'object' }, description: 'the full lines array' },
      reason: { type: ['string', 'null'] },
    },
  },
};

/**
 * `POST /api/invoices/:id/lines/:line/match` with `{ gs_code: number | null }`: the person's pick
 * of the line's NEX product (src/approval/lineMatch.ts). gs_code is checked here, not coerced
 * by the schema: "12" or 12.5 is no product code.
 */
const LINE_MATCH_SCHEMA = {
  params: {
    type: 'object',
    properties: { ...INVOICE_ID_PARAMS.properties, line: { type: 'integer', minimum: 1, maximum: 100000 } },
    required: ['id', 'line'],
  },
  body: { type: 'object', properties: { gs_code: { description: 'a NEX product (GsCode), or null for none' } } },
};

function gsCodeOf(body: unknown, line: number): number | null {
  const value = (body as { gs_code?: unknown } | null)?.gs_code;
  if (value === null) return null;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  throw new RequestRefused(
    'CORRECTION_INVALID',
    `lines.${line}.nex_product: gs_code must be a NEX product code (a whole number) or null, not ${JSON.stringify(value) ?? 'missing'}.`,
  );
}

export function registerCorrectionRoutes(app: FastifyInstance, deps: DecisionRouteDeps): void {
  void app.register(async (scope) => {
    scope.setErrorHandler((error) => {
      throw asRequestRefused(error);
    });

    scope.patch<{ Params: { id: string }; Body: unknown }>(
      '/api/invoices/:id',
      { config: { role: 'operator' }, schema: CORRECTION_SCHEMA },
      async (request) => {
        const correction = parseCorrectionRequest(request.body);
        const pool = deps.pool();
        const outcome = await correctInvoice(
          { pool, validate: (invoice) => validateInvoice(invoice), approval: deps.approval },
          request.params.id,
          identityOf(request),
          correction,
        );
        if (deps.observer && outcome.from !== outcome.status) {
          deps.observer.transition(
            outcome.invoiceId,
            outcome.from,
            outcome.status,
            outcome.message,
            await loadOrigin(pool, outcome.invoiceId),
          );
        }
        if (outcome.status === 'approved') deps.wakeWriter();
        return {
          invoice_id: outcome.invoiceId,
          changed: outcome.changed,
          status: outcome.status,
          fields: outcome.fields,
          problems: outcome.problems,
          message: outcome.message,
        };
      },
    );

    scope.post<{ Params: { id: string; line: number }; Body: unknown }>(
      '/api/invoices/:id/lines/:line/match',
      { config: { role: 'operator' }, schema: LINE_MATCH_SCHEMA },
      async (request) => {
        const { id, line } = request.params;
        const outcome = await pickLineMatch(deps.pool(), id, line, identityOf(request), gsCodeOf(request.body, line));
        return {
          invoice_id: outcome.invoiceId,
          line: outcome.line,
          changed: outcome.changed,
          status: outcome.status,
          gs_code: outcome.gsCode,
          matching_status: outcome.matchingStatus,
          message: outcome.message,
        };
      },
    );
  });
}
