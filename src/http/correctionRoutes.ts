import type { FastifyInstance } from 'fastify';
import { parseCorrectionRequest } from '../approval/correctionRequest.ts';
import { correctInvoice } from '../approval/corrections.ts';
import { identityOf } from '../auth/httpIdentity.ts';
import { loadOrigin } from '../pipeline/invoiceObserver.ts';
import { validateInvoice } from '../validate/validateInvoice.ts';
import type { DecisionRouteDeps } from './decisionRoutes.ts';
import { INVOICE_ID_PARAMS } from './invoiceRoutes.ts';
import { asRequestRefused } from './requestRefused.ts';

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
  });
}
