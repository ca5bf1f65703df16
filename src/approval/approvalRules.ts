import type { Config } from '../config/schema.ts';
import { abs, compare, parseDecimal, type ExactDecimal } from '../validate/decimal.ts';

/**
 * The approval rules (config `approval`), as pure functions of the invoice's gross amount.
 * Thresholds apply to the amount's size, so a large credit note needs the same care as a
 * large invoice.
 */
export type ApprovalRules = Config['approval'];

export type MatchingStatus = 'matched' | 'partial' | 'unavailable' | 'not_applicable';

/** How many different people must approve an invoice of this gross amount. */
export function approvalsRequired(gross: string | null, rules: ApprovalRules): 1 | 2 {
  const amount = grossOf(gross);
  return amount && compare(amount, threshold(rules.doubleApprovalAbove)) > 0 ? 2 : 1;
}

/**
 * Whether the rules approve a validated invoice on their own, and if not, the sentence that
 * tells an operator why it waits for a person.
 */
export function autoApproval(
  invoice: { gross: string | null; currency: string | null; matching: MatchingStatus },
  rules: ApprovalRules,
): { approve: true; reason: string } | { approve: false; reason: string } {
  const amount = grossOf(invoice.gross);
  const shown = `${invoice.gross ?? '?'}${invoice.currency ? ` ${invoice.currency}` : ''}`;
  if (!amount) return { approve: false, reason: 'waits for approval: the invoice has no gross amount' };
  if (invoice.matching === 'partial' || invoice.matching === 'unavailable') {
    const why =
      invoice.matching === 'partial' ? 'not every line matched a NEX product' : 'product matching was not possible';
    return { approve: false, reason: `waits for approval: ${why}` };
  }
  if (compare(amount, threshold(rules.autoApproveBelow)) >= 0) {
    const people = approvalsRequired(invoice.gross, rules) === 2 ? 'two different people' : 'one person';
    return {
      approve: false,
      reason: `waits for approval by ${people}: gross ${shown} is not below ${rules.autoApproveBelow} (approval.autoApproveBelow)`,
    };
  }
  return { approve: true, reason: `approved by the rules: valid, gross ${shown} below ${rules.autoApproveBelow}` };
}

function grossOf(gross: string | null): ExactDecimal | null {
  const amount = gross === null ? null : parseDecimal(gross);
  return amount && abs(amount);
}

function threshold(text: string): ExactDecimal {
  // The config schema accepts only plain decimals, so this cannot fail for a loaded config.
  return parseDecimal(text)!;
}
