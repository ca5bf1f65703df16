import type pg from 'pg';
import { receiveDocument, saveExtraction } from '../../src/db/invoiceStore.ts';
import type { NormalizedInvoice } from '../../src/invoice/normalizedInvoice.ts';
import type { InvoiceStatus } from '../../src/invoice/status.ts';
import { buildUbl, slovakSampleInvoice } from './einvoices.ts';

/**
 * Invoices staged straight into a status (approved, validated …) for the tests of what comes
 * after validation: the document is stored as UBL, the extraction saved as the pipeline saves
 * it, and the status set with its event, as if the lifecycle had got there.
 */
export async function stageInvoice(
  pool: pg.Pool,
  invoice: NormalizedInvoice,
  status: InvoiceStatus = 'approved',
): Promise<string> {
  const received = await receiveDocument(
    pool,
    {
      bytes: Buffer.from(buildUbl(invoice)),
      filename: `${invoice.invoice_number}.xml`,
      channel: 'import',
      mediaType: 'application/xml',
    },
    'test',
  );
  const id = received.invoiceId;
  await saveExtraction(pool, id, invoice);
  await pool.query(
    `WITH moved AS (UPDATE invoices SET status = $2, validation_status = 'valid' WHERE id = $1 RETURNING id)
     INSERT INTO invoice_events (invoice_id, seq, from_status, to_status, reason, actor)
     SELECT $1, (SELECT max(seq) + 1 FROM invoice_events WHERE invoice_id = $1), 'received', $2, 'staged by the test', 'test'
     FROM moved`,
    [id, status],
  );
  return id;
}

/**
 * The sample invoice with 40 instead of 2 buckets of the first item: gross 2048.36, so above
 * approval.autoApproveBelow, with every sum still right (23 %: 1633.35 + 375.67; 5 %: 37.47 + 1.87).
 */
export function largeInvoice(n: number): NormalizedInvoice {
  const invoice = numberedInvoice(n);
  invoice.lines[0] = { ...invoice.lines[0]!, quantity: '40', line_net: '1596.00' };
  return {
    ...invoice,
    vat_breakdown: [
      { rate: '23', base: '1633.35', tax: '375.67' },
      { rate: '5', base: '37.47', tax: '1.87' },
    ],
    total_net: '1670.82',
    total_vat: '377.54',
    total_gross: '2048.36',
    amount_due: '2048.36',
  };
}

/** The sample Slovak invoice with its own number (and a chosen gross), so many can be staged at once. */
export function numberedInvoice(n: number, overrides: Partial<NormalizedInvoice> = {}): NormalizedInvoice {
  return { ...slovakSampleInvoice(), invoice_number: `FV2026-${String(n).padStart(5, '0')}`, ...overrides };
}

export async function statusOf(pool: pg.Pool, id: string): Promise<{ status: InvoiceStatus; [key: string]: unknown }> {
  return (await pool.query('SELECT * FROM invoices WHERE id = $1', [id])).rows[0];
}

export async function eventsOf(
  pool: pg.Pool,
  id: string,
): Promise<Array<{ from_status: string | null; to_status: string; reason: string; actor: string; details: unknown }>> {
  return (
    await pool.query(
      'SELECT from_status, to_status, reason, actor, details FROM invoice_events WHERE invoice_id = $1 ORDER BY seq',
      [id],
    )
  ).rows;
}
