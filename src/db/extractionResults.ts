import { LoaderError } from '../errors.ts';
import type { NormalizedInvoice } from '../invoice/normalizedInvoice.ts';
import type { InvoiceOrigin } from '../invoice/origin.ts';
import type { InvoiceStatus } from '../invoice/status.ts';
import { supplierKey } from '../invoice/supplierKey.ts';
import { runTransition, transitionSql, type Queryable, type TransitionExtra } from './transitions.ts';

/**
 * What extraction works from and what it found: the stored document, the extracted header
 * fields and lines (committed with the step's transition), and the original of a supplier and
 * number pair.
 */
/** The stored document of an invoice, with where it came from (for log lines and metrics). */
export async function loadDocument(
  pool: Queryable,
  invoiceId: string,
): Promise<{ bytes: Buffer; mediaType: string; filename: string; origin: InvoiceOrigin }> {
  const found = await pool.query<{ content: Buffer; media_type: string } & InvoiceOrigin>(
    `SELECT d.content, d.media_type, i.filename, i.channel, i.sender, i.subject, i.message_id
     FROM invoices i JOIN documents d ON d.id = i.document_id WHERE i.id = $1`,
    [invoiceId],
  );
  const row = found.rows[0];
  if (!row) throw new LoaderError('INVOICE_NOT_FOUND', `There is no invoice ${invoiceId}.`);
  const { content, media_type, ...origin } = row;
  return { bytes: content, mediaType: media_type, filename: row.filename, origin };
}

/** The original of a supplier + number pair (supplier by src/invoice/supplierKey.ts), if another invoice already has it. */
export async function findOriginalByNumber(
  client: Queryable,
  invoiceId: string,
  supplierKey: string,
  invoiceNumber: string,
): Promise<string | undefined> {
  const found = await client.query<{ id: string }>(
    `SELECT id FROM invoices WHERE supplier_key = $1 AND invoice_number = $2 AND id <> $3
       AND status NOT IN ('duplicate', 'rejected', 'superseded') ORDER BY received_at LIMIT 1`,
    [supplierKey, invoiceNumber, invoiceId],
  );
  return found.rows[0]?.id;
}

/** The invoice columns that hold what extraction found, each with its value. */
const EXTRACTION_COLUMNS: ReadonlyArray<[string, (invoice: NormalizedInvoice) => unknown]> = [
  ['document_type', (i) => i.document_type],
  ['invoice_number', (i) => i.invoice_number],
  ['issue_date', (i) => i.issue_date],
  ['tax_point_date', (i) => i.tax_point_date],
  ['due_date', (i) => i.due_date],
  ['currency', (i) => i.currency],
  ['variable_symbol', (i) => i.variable_symbol],
  ['constant_symbol', (i) => i.constant_symbol],
  ['order_reference', (i) => i.order_reference],
  ['supplier_name', (i) => i.supplier.name],
  ['supplier_ico', (i) => i.supplier.ico],
  ['supplier_dic', (i) => i.supplier.dic],
  ['supplier_ic_dph', (i) => i.supplier.ic_dph],
  ['supplier_vat_id', (i) => i.supplier.vat_id],
  ['supplier_street', (i) => i.supplier.street],
  ['supplier_city', (i) => i.supplier.city],
  ['supplier_zip', (i) => i.supplier.zip],
  ['supplier_country', (i) => i.supplier.country],
  ['supplier_iban', (i) => i.supplier.iban],
  ['supplier_bic', (i) => i.supplier.bic],
  ['supplier_key', (i) => supplierKey(i.supplier)],
  ['customer_name', (i) => i.customer.name],
  ['customer_ico', (i) => i.customer.ico],
  ['customer_dic', (i) => i.customer.dic],
  ['customer_ic_dph', (i) => i.customer.ic_dph],
  ['customer_vat_id', (i) => i.customer.vat_id],
  ['customer_street', (i) => i.customer.street],
  ['customer_city', (i) => i.customer.city],
  ['customer_zip', (i) => i.customer.zip],
  ['customer_country', (i) => i.customer.country],
  ['vat_breakdown', (i) => JSON.stringify(i.vat_breakdown)],
  ['total_net', (i) => i.total_net],
  ['total_vat', (i) => i.total_vat],
  ['total_gross', (i) => i.total_gross],
  ['amount_due', (i) => i.amount_due],
  ['notes', (i) => JSON.stringify(i.notes)],
  ['source_format', (i) => i.source.format],
  ['source_template', (i) => i.source.template],
  ['source_fields', (i) => JSON.stringify(i.source.fields)],
  ['extracted', (i) => JSON.stringify(i)],
  // Extracting again starts over from the document: corrections of the earlier extraction no longer apply.
  ['operator_edits', () => '{}'],
];
const extractionAssignments = (first: number) =>
  EXTRACTION_COLUMNS.map(([column], k) => `${column} = $${first + k}`).join(', ');
const extractionValues = (invoice: NormalizedInvoice) => EXTRACTION_COLUMNS.map(([, value]) => value(invoice));

/** The extracted lines, from one JSON parameter: an invoice may have 200 lines, and a round trip each adds up. */
const LINE_COLUMNS = `line_number, item_code, ean, description, quantity, unit, discount_percent, unit_price,
       unit_price_with_vat, vat_rate, line_net, line_gross`;
const linesFrom = (param: string) => `jsonb_to_recordset(${param}::jsonb) AS l(line_number integer, item_code text,
       ean text, description text, quantity numeric, unit text, discount_percent numeric, unit_price numeric,
       unit_price_with_vat numeric, vat_rate numeric, line_net numeric, line_gross numeric)`;

/** Stores what extraction found: the header in columns, the lines in rows, the whole as extracted. */
export async function saveExtraction(client: Queryable, invoiceId: string, invoice: NormalizedInvoice): Promise<void> {
  await client.query(`UPDATE invoices SET ${extractionAssignments(2)}, updated_at = now() WHERE id = $1`, [
    invoiceId,
    ...extractionValues(invoice),
  ]);
  await client.query('DELETE FROM invoice_lines WHERE invoice_id = $1', [invoiceId]);
  if (invoice.lines.length === 0) return;
  await client.query(
    `INSERT INTO invoice_lines (invoice_id, ${LINE_COLUMNS})
     SELECT $1, ${LINE_COLUMNS.replace(/(\w+)/g, 'l.$1')} FROM ${linesFrom('$2')}`,
    [invoiceId, JSON.stringify(invoice.lines)],
  );
}

/**
 * The end of extraction in ONE statement: the invoice moves from `from` to `to` (extracted, or
 * duplicate) with its event, and what extraction found is stored with it: the header columns,
 * the lines (replacing any stored before), the whole as extracted. Either all of it is
 * committed or none. Fails with INVOICE_STATE_CONFLICT when the invoice is no longer in `from`.
 */
const FIRST_EXTRACTION_PARAM = 9;
const LINES_PARAM = `$${FIRST_EXTRACTION_PARAM + EXTRACTION_COLUMNS.length}`;
const COMMIT_EXTRACTION_SQL = transitionSql(
  `
         ${extractionAssignments(FIRST_EXTRACTION_PARAM)},`,
  `,
     line AS (SELECT * FROM ${linesFrom(LINES_PARAM)}),
     stale AS (DELETE FROM invoice_lines WHERE invoice_id IN (SELECT id FROM moved)
       AND line_number NOT IN (SELECT line_number FROM line)),
     stored AS (INSERT INTO invoice_lines (invoice_id, ${LINE_COLUMNS})
       SELECT moved.id, ${LINE_COLUMNS.replace(/(\w+)/g, 'line.$1')} FROM moved, line
       ON CONFLICT (invoice_id, line_number) DO UPDATE SET
         ${LINE_COLUMNS.split(',')
           .slice(1)
           .map((column) => `${column.trim()} = EXCLUDED.${column.trim()}`)
           .join(', ')},
         nex_product_id = NULL, nex_plu = NULL, matched_by = NULL, match_confidence = NULL,
         match_alternatives = '[]', operator_edits = '{}')`,
);

export async function commitExtraction(
  client: Queryable,
  invoiceId: string,
  invoice: NormalizedInvoice,
  from: InvoiceStatus,
  to: InvoiceStatus,
  reason: string,
  actor: string,
  extra: TransitionExtra = {},
): Promise<void> {
  await runTransition(
    client,
    'invoice-commit-extraction',
    COMMIT_EXTRACTION_SQL,
    invoiceId,
    from,
    to,
    reason,
    actor,
    extra,
    [...extractionValues(invoice), JSON.stringify(invoice.lines)],
  );
}

/** The extracted invoice as stored, for validation. */
export async function loadExtracted(pool: Queryable, invoiceId: string): Promise<NormalizedInvoice | null> {
  const found = await pool.query<{ extracted: NormalizedInvoice | null }>(
    'SELECT extracted FROM invoices WHERE id = $1',
    [invoiceId],
  );
  return found.rows[0]?.extracted ?? null;
}
