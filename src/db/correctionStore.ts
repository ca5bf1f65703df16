import type pg from 'pg';
import { errorCode, LoaderError } from '../errors.ts';
import { emptyInvoice, type InvoiceLine, type NormalizedInvoice } from '../invoice/normalizedInvoice.ts';
import { headerValue, withOperatorEdits, type OperatorEdits } from '../invoice/operatorEdits.ts';
import type { InvoiceStatus } from '../invoice/status.ts';
import { supplierKey } from '../invoice/supplierKey.ts';
import { isInvoiceId } from './invoiceQueries.ts';
import { PG } from './pgErrorCodes.ts';

/**
 * The writes of a correction, inside the caller's transaction. The header columns and the
 * invoice_lines rows always hold the invoice as it now stands (the queue, the approval rules
 * and the NEX writer read them); `extracted` is never touched, and `operator_edits` holds the
 * operator's values, so the extraction and the corrections can both be shown.
 */
export interface InvoiceUnderCorrection {
  id: string;
  status: InvoiceStatus;
  extracted: NormalizedInvoice;
  edits: OperatorEdits;
  /** The extraction with the edits so far: what the correction changes. */
  current: NormalizedInvoice;
}

/** Locks the invoice row for the rest of the transaction and reads what a correction starts from. */
export async function lockForCorrection(client: pg.PoolClient, invoiceId: string): Promise<InvoiceUnderCorrection> {
  if (!isInvoiceId(invoiceId)) {
    throw new LoaderError('INVOICE_NOT_FOUND', `There is no invoice ${invoiceId} (an invoice id is a UUID).`);
  }
  const row = (
    await client.query<{
      id: string;
      status: InvoiceStatus;
      extracted: NormalizedInvoice | null;
      operator_edits: OperatorEdits;
    }>('SELECT id, status, extracted, operator_edits FROM invoices WHERE id = $1 FOR UPDATE', [invoiceId])
  ).rows[0];
  if (!row) throw new LoaderError('INVOICE_NOT_FOUND', `There is no invoice ${invoiceId}.`);
  // A document nothing could be read from still gets an invoice typed in by hand.
  const extracted = row.extracted ?? emptyInvoice();
  return {
    id: row.id,
    status: row.status,
    extracted,
    edits: row.operator_edits ?? {},
    current: withOperatorEdits(extracted, row.operator_edits),
  };
}

/** A line as stored after a correction: what the operator changed on it, for the page to mark. */
export interface CorrectedLine {
  line: InvoiceLine;
  edits: { added: true } | { fields: string[] };
}

export async function saveCorrection(
  client: pg.PoolClient,
  invoiceId: string,
  corrected: { invoice: NormalizedInvoice; edits: OperatorEdits; columns: string[]; lines: CorrectedLine[] | null },
): Promise<void> {
  const { invoice, columns } = corrected;
  const values = columns.map((column) => {
    const value = headerValue(invoice, column);
    return Array.isArray(value) ? JSON.stringify(value) : value;
  });
  const assignments = columns.map((column, k) => `${column} = $${5 + k}`);
  try {
    await client.query(
      `UPDATE invoices SET ${[...assignments, ''].join(', ')}
         supplier_key = $2, source_fields = $3::jsonb, operator_edits = $4::jsonb, updated_at = now()
       WHERE id = $1`,
      [
        invoiceId,
        supplierKey(invoice.supplier),
        JSON.stringify(invoice.source.fields),
        JSON.stringify(corrected.edits),
        ...values,
      ],
    );
  } catch (error) {
    if (errorCode(error) === PG.uniqueViolation) {
      throw new LoaderError(
        'CORRECTION_NUMBER_TAKEN',
        `Supplier ${invoice.supplier.ico ?? ''} already has another invoice ${invoice.invoice_number ?? ''}; check the number.`,
        { cause: error },
      );
    }
    throw error;
  }
  if (corrected.lines) await replaceLines(client, invoiceId, invoice.lines.length, corrected.lines);
}

/**
 * Lines beyond the new count go; changed and added lines are written with what changed on them
 * and lose their NEX product (matched again once the invoice is valid); unchanged lines keep theirs.
 */
async function replaceLines(client: pg.PoolClient, invoiceId: string, count: number, changed: CorrectedLine[]) {
  await client.query('DELETE FROM invoice_lines WHERE invoice_id = $1 AND line_number > $2', [invoiceId, count]);
  if (changed.length === 0) return;
  await client.query(
    `INSERT INTO invoice_lines (invoice_id, line_number, item_code, ean, description, quantity, unit, discount_percent,
       unit_price, unit_price_with_vat, vat_rate, line_net, line_gross, operator_edits)
     SELECT $1, l.line_number, l.item_code, l.ean, l.description, l.quantity, l.unit, l.discount_percent, l.unit_price,
       l.unit_price_with_vat, l.vat_rate, l.line_net, l.line_gross, l.edits
     FROM jsonb_to_recordset($2::jsonb) AS l(line_number integer, item_code text, ean text, description text,
       quantity numeric, unit text, discount_percent numeric, unit_price numeric, unit_price_with_vat numeric,
       vat_rate numeric, line_net numeric, line_gross numeric, edits jsonb)
     ON CONFLICT (invoice_id, line_number) DO UPDATE SET item_code = EXCLUDED.item_code, ean = EXCLUDED.ean,
       description = EXCLUDED.description, quantity = EXCLUDED.quantity, unit = EXCLUDED.unit,
       discount_percent = EXCLUDED.discount_percent, unit_price = EXCLUDED.unit_price,
       unit_price_with_vat = EXCLUDED.unit_price_with_vat, vat_rate = EXCLUDED.vat_rate, line_net = EXCLUDED.line_net,
       line_gross = EXCLUDED.line_gross, operator_edits = EXCLUDED.operator_edits, nex_product_id = NULL,
       nex_plu = NULL, matched_by = NULL, match_confidence = NULL, match_alternatives = '[]'`,
    [invoiceId, JSON.stringify(changed.map(({ line, edits }) => ({ ...line, edits })))],
  );
}

/** Approvals given to the values before a correction do not carry over to the new ones. */
export async function withdrawApprovals(client: pg.PoolClient, invoiceId: string): Promise<string[]> {
  const removed = await client.query<{ approver: string }>(
    'DELETE FROM invoice_approvals WHERE invoice_id = $1 RETURNING approver',
    [invoiceId],
  );
  return removed.rows.map((row) => row.approver);
}
