import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { approveInvoice, rejectInvoice, type Decision } from '../approval/decisions.ts';
import type { ApprovalRules } from '../approval/approvalRules.ts';
import { identityOf } from '../auth/accessControl.ts';
import { actorLabel } from '../auth/identity.ts';
import { listDeadLetters, replayDeadLetter } from '../db/deadLetters.ts';
import { asRequestRefused, RequestRefused } from './requestRefused.ts';

/**
 * People's decisions over HTTP: `POST /api/invoices/:id/approve|reject` (JSON `{reason}`),
 * the dead-letter queue (`GET /api/dlq`, `POST /api/dlq/:id/replay`). Who decides is the
 * request's identity (session or token), never a name in the body: an `approver` field that
 * older clients still send is ignored. The answers are the same sentences the CLI prints.
 */
export interface DecisionRouteDeps {
  pool: () => pg.Pool;
  rules: ApprovalRules;
  /** Tells the NEX writer that an invoice is ready to post. */
  wakeWriter: () => void;
}

interface DecisionBody {
  reason?: unknown;
}

export function registerDecisionRoutes(app: FastifyInstance, deps: DecisionRouteDeps): void {
  void app.register(async (scope) => {
    scope.setErrorHandler((error) => {
      throw asRequestRefused(error);
    });

    const answer = (decision: Decision) => {
      if (decision.status === 'approved') deps.wakeWriter();
      return {
        invoice_id: decision.invoiceId,
        changed: decision.changed,
        status: decision.status,
        message: decision.message,
      };
    };

    scope.post<{ Params: { id: string }; Body: DecisionBody }>(
      '/api/invoices/:id/approve',
      { config: { access: 'approver' } },
      async (request) => answer(await approveInvoice(deps.pool(), request.params.id, identityOf(request), deps.rules)),
    );

    scope.post<{ Params: { id: string }; Body: DecisionBody }>(
      '/api/invoices/:id/reject',
      { config: { access: 'operator' } },
      async (request) =>
        answer(await rejectInvoice(deps.pool(), request.params.id, identityOf(request), text(request.body, 'reason'))),
    );

    scope.get('/api/dlq', { config: { access: 'viewer' } }, async () => ({
      dead_letters: await listDeadLetters(deps.pool()),
    }));

    scope.post<{ Params: { id: string } }>(
      '/api/dlq/:id/replay',
      { config: { access: 'operator' } },
      async (request) => {
        const replay = await replayDeadLetter(deps.pool(), request.params.id, actorLabel(identityOf(request)));
        if (replay.replayed) deps.wakeWriter();
        return { invoice_id: replay.invoiceId, replayed: replay.replayed, message: replay.message };
      },
    );
  });
}

/** Missing text is passed on as '' so that the decision itself names what is missing. */
function text(body: DecisionBody | undefined, field: keyof DecisionBody): string {
  const value = body?.[field];
  if (value !== undefined && value !== null && typeof value !== 'string') {
    throw new RequestRefused(400, 'INVALID_FIELD', `"${field}" must be text.`);
  }
  return value ?? '';
}
