import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { approveInvoice, rejectInvoice, type Decision } from '../approval/decisions.ts';
import { identityOf } from '../auth/httpIdentity.ts';
import { actorLabel } from '../auth/identity.ts';
import type { Role } from './access.ts';
import type { ApprovalGate } from '../approval/afterValidation.ts';
import type { ApprovalRules } from '../approval/approvalRules.ts';
import { listDeadLetters, replayDeadLetter } from '../db/deadLetters.ts';
import { loadOrigin, type InvoiceObserver } from '../pipeline/invoiceObserver.ts';
import { reprocessInvoice } from '../pipeline/reprocess.ts';
import { INVOICE_ID_PARAMS } from './invoiceRoutes.ts';
import { asRequestRefused } from './requestRefused.ts';

/**
 * People's decisions over HTTP: `POST /api/invoices/:id/approve|reject|reprocess` (JSON `{reason}`),
 * the dead-letter queue (`GET /api/dlq`, `POST /api/dlq/:id/replay`). Who decides is the
 * request's identity (session or token), never a name in the body: the `approver` field that
 * older clients still send is accepted and ignored. The answers are the CLI's sentences.
 */
export interface DecisionRouteDeps {
  pool: () => pg.Pool;
  rules: ApprovalRules;
  /** Tells the NEX writer that an invoice is ready to post. */
  wakeWriter: () => void;
  /** Tells the pipeline that an invoice waits to be extracted (a reprocess). */
  wakePipeline?: () => void;
  /** Counts and logs what people decided (approvals and rejections at info, with the invoice's origin). */
  observer?: InvoiceObserver;
  /** Matching and the approval rules, for an invoice that a correction made valid (absent: it waits in validated). */
  approval?: ApprovalGate;
}

interface DecisionBody {
  approver?: string | null;
  reason?: string | null;
}

// A body is optional: the decision itself says which text it misses.
const DECISION_SCHEMA = {
  params: INVOICE_ID_PARAMS,
  body: {
    type: ['object', 'null'],
    properties: { approver: { type: ['string', 'null'] }, reason: { type: ['string', 'null'] } },
  },
};

export function registerDecisionRoutes(app: FastifyInstance, deps: DecisionRouteDeps): void {
  void app.register(async (scope) => {
    scope.setErrorHandler((error) => {
      throw asRequestRefused(error);
    });

    /** A decision or a reprocess that changed something is counted and logged with the invoice's origin. */
    const observe = async (outcome: Decision) => {
      if (!deps.observer || !outcome.changed || !outcome.from) return;
      const origin = await loadOrigin(deps.pool(), outcome.invoiceId);
      deps.observer.transition(outcome.invoiceId, outcome.from, outcome.status, outcome.message, origin);
    };

    const answer = async (decision: Decision) => {
      await observe(decision);
      if (decision.status === 'approved') deps.wakeWriter();
      if (decision.status === 'received' && decision.changed) deps.wakePipeline?.();
      return {
        invoice_id: decision.invoiceId,
        changed: decision.changed,
        status: decision.status,
        message: decision.message,
      };
    };

    const decide = (role: Role) => ({ config: { role }, schema: DECISION_SCHEMA });

    scope.post<{ Params: { id: string }; Body: DecisionBody }>(
      '/api/invoices/:id/approve',
      decide('approver'),
      async (request) => answer(await approveInvoice(deps.pool(), request.params.id, identityOf(request), deps.rules)),
    );

    scope.post<{ Params: { id: string }; Body: DecisionBody }>(
      '/api/invoices/:id/reject',
      decide('operator'),
      async (request) =>
        answer(await rejectInvoice(deps.pool(), request.params.id, identityOf(request), text(request.body, 'reason'))),
    );

    scope.post<{ Params: { id: string }; Body: DecisionBody }>(
      '/api/invoices/:id/reprocess',
      decide('operator'),
      async (request) =>
        answer(await reprocessInvoice(deps.pool(), request.params.id, actorLabel(identityOf(request)))),
    );

    scope.get('/api/dlq', { config: { role: 'viewer' } }, async () => ({
      dead_letters: await listDeadLetters(deps.pool()),
    }));

    scope.post<{ Params: { id: string }; Body: DecisionBody }>(
      '/api/dlq/:id/replay',
      decide('operator'),
      async (request) => {
        const replay = await replayDeadLetter(deps.pool(), request.params.id, actorLabel(identityOf(request)));
        if (replay.replayed) deps.wakeWriter();
        return { invoice_id: replay.invoiceId, replayed: replay.replayed, message: replay.message };
      },
    );
  });
}

/** Missing text is passed on as '' so that the decision itself names what is missing. */
function text(body: DecisionBody | null | undefined, field: keyof DecisionBody): string {
  return body?.[field] ?? '';
}
