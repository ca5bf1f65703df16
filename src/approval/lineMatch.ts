import type pg from 'pg';
import { actorLabel, type Identity } from '../auth/identity.ts';
import { roleAllows } from '../auth/roles.ts';
import { inTransaction, transition } from '../db/invoiceStore.ts';
import {
  learnOperatorChoice,
  lockLineForMatch,
  matchingStatusOf,
  productNames,
  saveLineMatch,
  type ProductChoice,
} from '../db/lineMatchStore.ts';
import { LoaderError } from '../errors.ts';
import type { InvoiceStatus } from '../invoice/status.ts';
import type { MatchingStatus } from './approvalRules.ts';
import { correctionInvalid } from './correctionRequest.ts';

/**
 * A person picks a line's NEX product among what matching offered (the line's stored
 * alternatives or its current product), or none. The choice is what NEX gets for that line
 * (src/db/nexStore.ts reads nex_product_id); it is recorded as a `corrected` event whose change
 * is `lines.<n>.nex_product` (src/approval/correctors.ts's format; not a money field, so the
 * person who picked may still approve), and the invoice's matching status follows.
 * Only a product matching offered can be picked: a gs_code typed from nowhere could book the
 * goods as anything in the catalog.
 */
export interface LineMatchOutcome {
  invoiceId: string;
  line: number;
  changed: boolean;
  status: InvoiceStatus;
  gsCode: number | null;
  matchingStatus: MatchingStatus | null;
  message: string;
}

const CORRECTABLE: readonly InvoiceStatus[] = ['needs_review', 'validated'];

export async function pickLineMatch(
  pool: pg.Pool,
  invoiceId: string,
  lineNumber: number,
  by: Identity,
  gsCode: number | null,
): Promise<LineMatchOutcome> {
  if (!roleAllows(by.role, 'operator')) {
    throw new LoaderError('ROLE_MISSING', `${by.name} is ${by.role}; to pick a line's product takes role operator.`);
  }
  return inTransaction(pool, async (client) => {
    const found = await lockLineForMatch(client, invoiceId, lineNumber);
    if (!found) throw new LoaderError('INVOICE_NOT_FOUND', `There is no invoice ${invoiceId}.`);
    if (!CORRECTABLE.includes(found.invoiceStatus)) {
      throw new LoaderError(
        'INVOICE_NOT_CORRECTABLE',
        `Invoice ${invoiceId} is ${found.invoiceStatus}; a line's product is picked only while the invoice needs review or awaits approval.`,
      );
    }
    const { line } = found;
    if (!line) throw correctionInvalid(`lines.${lineNumber}`, `invoice ${invoiceId} has no line ${lineNumber}.`);
    const before = line.nex_product_id;
    const after = gsCode === null ? null : String(gsCode);
    const offered = line.match_alternatives.map((choice) => choice.gs_code);
    if (after !== null && after !== before && !offered.includes(after)) {
      throw correctionInvalid(
        `lines.${lineNumber}.nex_product`,
        `line ${lineNumber} was not offered product ${after}; pick one of ${[before, ...offered].filter(Boolean).join(', ') || 'none'}, or none.`,
      );
    }
    const unchanged = { invoiceId, line: lineNumber, status: found.invoiceStatus, gsCode };
    if (after === before) {
      return {
        ...unchanged,
        changed: false,
        matchingStatus: null,
        message: `Line ${lineNumber} of invoice ${invoiceId} already has ${after ?? 'no product'}; nothing changed.`,
      };
    }
    // The product given up stays offered, so the choice can be taken back.
    const alternatives =
      before && !offered.includes(before)
        ? [await givenUp(client, line, before), ...line.match_alternatives]
        : line.match_alternatives;
    await saveLineMatch(client, invoiceId, lineNumber, { gsCode: after, alternatives });
    await learnOperatorChoice(client, {
      supplierIco: found.supplierIco,
      itemCode: line.item_code,
      before,
      after: alternatives.find((choice) => choice.gs_code === after) ?? null,
    });
    const matchingStatus = await matchingStatusOf(client, invoiceId);
    const field = `lines.${lineNumber}.nex_product`;
    const change = { before: before === null ? null : Number(before), after: gsCode };
    await transition(client, {
      invoiceId,
      from: found.invoiceStatus,
      to: found.invoiceStatus,
      reason: `product of line ${lineNumber} picked by ${by.name}: ${before ?? 'none'} → ${after ?? 'none'}`,
      actor: actorLabel(by),
      details: { kind: 'corrected', by: by.name, changes: { [field]: change } },
      patch: { matching_status: matchingStatus },
    });
    return {
      ...unchanged,
      changed: true,
      matchingStatus,
      message: `Line ${lineNumber} of invoice ${invoiceId} is now ${after ? `NEX product ${after}` : 'without a NEX product'} (picked by ${by.name}); matching is ${matchingStatus}.`,
    };
  });
}

/** The product a line had, as an alternative: its name if matching or a supplier item knows it. */
async function givenUp(
  client: pg.PoolClient,
  line: { match_confidence: number | null },
  gsCode: string,
): Promise<ProductChoice> {
  const name = (await productNames(client, [gsCode])).get(gsCode) ?? null;
  return { gs_code: gsCode, name, confidence: line.match_confidence };
}
