import type pg from 'pg';
import type { Config } from '../config/schema.ts';
import { transition } from '../db/invoiceStore.ts';
import type { NormalizedInvoice } from '../invoice/normalizedInvoice.ts';
import type { GatewayClient } from '../nex/gatewayClient.ts';
import { matchLines, saveMatches, type MatchingOutcome } from '../nex/matching.ts';
import { autoApproval, type MatchingStatus } from './approvalRules.ts';

/**
 * What happens to a valid invoice before it waits for people: its lines are matched to NEX
 * products (api mode; the outbox has no catalog to match against, NEX's own import does it),
 * and the approval rules decide whether it needs a person at all. Matching runs before the
 * validation step commits; its results and the rules' approval are committed with it.
 */
export interface ApprovalDecision {
  matching: MatchingOutcome | null;
  matchingStatus: MatchingStatus;
  approve: boolean;
  reason: string;
}

export function createApprovalGate(deps: {
  gateway: GatewayClient | undefined;
  nex: Pick<Config['nex'], 'matching'>;
  rules: Config['approval'];
  actor: string;
}) {
  return {
    async decide(pool: pg.Pool, invoice: NormalizedInvoice): Promise<ApprovalDecision> {
      const matching = deps.gateway
        ? await matchLines(deps.gateway, pool, invoice.supplier.ico, invoice.lines, deps.nex.matching.minConfidence)
        : null;
      const matchingStatus = matching?.status ?? 'not_applicable';
      const verdict = autoApproval(
        { gross: invoice.total_gross, currency: invoice.currency, matching: matchingStatus },
        deps.rules,
      );
      const because = matching?.error ? ` (${matching.error})` : '';
      return { matching, matchingStatus, approve: verdict.approve, reason: `${verdict.reason}${because}` };
    },

    /** Whether record() has anything to write besides the `validated` transition (which carries matching_status). */
    recordsMore(decision: ApprovalDecision): boolean {
      return decision.matching !== null || decision.approve;
    },

    /** Inside the validation step's transaction, after the `validated` transition. */
    async record(client: pg.PoolClient, invoiceId: string, decision: ApprovalDecision): Promise<void> {
      if (decision.matching) await saveMatches(client, invoiceId, decision.matching);
      if (decision.approve) {
        // The lifecycle ends here, so this commit gives the invoice's lease back (to the NEX writer).
        await transition(client, {
          invoiceId,
          from: 'validated',
          to: 'approved',
          reason: decision.reason,
          actor: deps.actor,
          details: { rule: 'approval.autoApproveBelow', matching: decision.matchingStatus },
          releaseLease: true,
        });
      }
    },
  };
}

export type ApprovalGate = ReturnType<typeof createApprovalGate>;
