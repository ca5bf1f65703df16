import test from 'ava';
import type pg from 'pg';
import { createActor, toPromise } from 'xstate';
import { invoiceMachine } from '../../machines/invoice.ts';
import { receiveDocument, transition } from '../../src/db/invoiceStore.ts';
import { getInvoice } from '../../src/db/invoiceQueries.ts';
import type { ExtractionOutcome } from '../../src/extract/extractDocument.ts';
import type { NormalizedInvoice } from '../../src/invoice/normalizedInvoice.ts';
import { lifecycleSteps } from '../../src/pipeline/lifecycleSteps.ts';
import { error, warning } from '../../src/validate/problem.ts';
import { reviewReason } from '../../src/validate/reviewReason.ts';
import { validateInvoice } from '../../src/validate/validateInvoice.ts';
import { pdfBytes } from '../support/fixtures.ts';
import { migratedPool } from '../support/migratedDatabase.ts';
import { slovakInvoice, TODAY } from '../validate/slovakInvoice.ts';

/** The real lifecycle, steps and store, with an extractor that returns a given invoice. */
function lifecycle(pool: pg.Pool, extracted: (bytes: Buffer) => ExtractionOutcome) {
  return invoiceMachine.provide({
    actors: lifecycleSteps({
      pool: () => pool,
      extract: async (bytes) => extracted(bytes),
      validate: (invoice: NormalizedInvoice) => validateInvoice(invoice, { today: TODAY }),
      actor: 'test',
    }),
  });
}

async function run(
  pool: pg.Pool,
  machine: ReturnType<typeof lifecycle>,
  invoiceId: string,
  status: 'received' | 'extracting' = 'received',
) {
  return toPromise(createActor(machine, { input: { invoiceId, status } }).start());
}

const extractedAs = (invoice: NormalizedInvoice) => (): ExtractionOutcome => ({ kind: 'extracted', invoice });

test('a correct invoice is extracted, validated and waits for approval, its values stored exactly', async (t) => {
  const pool = await migratedPool(t);
  const { invoiceId } = await receiveDocument(
    pool,
    { bytes: pdfBytes('ok'), filename: 'ok.pdf', mediaType: 'application/pdf', channel: 'http' },
    'test',
  );
  const output = await run(pool, lifecycle(pool, extractedAs(slovakInvoice())), invoiceId);
  t.deepEqual(output, { invoiceId, status: 'validated' });
  const stored = (await getInvoice(pool, invoiceId))!;
  t.like(stored, {
    status: 'validated',
    invoice_number: 'FV2026001234',
    supplier_ico: '36555720',
    issue_date: '2026-07-24',
    total_gross: '183.43',
  });
  t.deepEqual(stored.validation, { status: 'valid', problems: [] });
  t.deepEqual(
    stored.lines.map((l) => [l.line_number, l.quantity, l.unit_price, l.line_net, l.vat_rate]),
    [
      [1, '2', '39.900', '79.80', '23'],
      [2, '10', '4.150', '37.35', '23'],
      [3, '3', '12.49', '37.47', '5'],
    ],
  );
  t.deepEqual(
    stored.events.map((e) => e.to_status),
    ['received', 'extracting', 'extracted', 'validating', 'validated'],
  );
});

test('the same supplier and number again is a duplicate of the first, whatever the file', async (t) => {
  const pool = await migratedPool(t);
  const machine = lifecycle(pool, extractedAs(slovakInvoice()));
  const first = await receiveDocument(
    pool,
    { bytes: pdfBytes('scan-1'), filename: 'scan.pdf', mediaType: 'application/pdf', channel: 'email' },
    'test',
  );
  const second = await receiveDocument(
    pool,
    { bytes: pdfBytes('scan-2'), filename: 'rescan.pdf', mediaType: 'application/pdf', channel: 'drop_folder' },
    'test',
  );
  await run(pool, machine, first.invoiceId);
  t.deepEqual(await run(pool, machine, second.invoiceId), { invoiceId: second.invoiceId, status: 'duplicate' });
  const stored = (await getInvoice(pool, second.invoiceId))!;
  t.is(stored.duplicate_of, first.invoiceId);
  t.is(stored.status_reason, `supplier 36555720 already sent invoice FV2026001234 as invoice ${first.invoiceId}`);
  t.is(stored.invoice_number, 'FV2026001234', 'what was extracted is kept on the duplicate too');
});

test('an invoice with faults goes to review with every reason, and nothing extracted is dropped', async (t) => {
  const pool = await migratedPool(t);
  const faulty = slovakInvoice();
  faulty.supplier.ico = '36555721';
  faulty.total_gross = '999.99';
  const { invoiceId } = await receiveDocument(
    pool,
    { bytes: pdfBytes('bad'), filename: 'bad.pdf', mediaType: 'application/pdf', channel: 'http' },
    'test',
  );
  t.deepEqual(await run(pool, lifecycle(pool, extractedAs(faulty)), invoiceId), { invoiceId, status: 'needs_review' });
  const stored = (await getInvoice(pool, invoiceId))!;
  const codes = (stored.validation.problems as Array<{ code: string }>).map((p) => p.code).sort();
  t.deepEqual(codes, ['ICO_CHECKSUM', 'TOTAL_GROSS_MISMATCH']);
  t.is(stored.total_gross, '999.99');
  t.regex(stored.status_reason ?? '', /IČO|ICO|36555721/);
});

test('the review reason names the errors first, never the extractor notes that once hid them', async (t) => {
  const pool = await migratedPool(t);
  const faulty = slovakInvoice();
  faulty.notes = [
    'read with template generic',
    'line 2 continued on the next line',
    'IBAN found twice',
    'page 2 empty',
  ];
  faulty.total_net = '100.00';
  const { invoiceId } = await receiveDocument(
    pool,
    { bytes: pdfBytes('notes'), filename: 'notes.pdf', mediaType: 'application/pdf', channel: 'http' },
    'test',
  );
  t.deepEqual(await run(pool, lifecycle(pool, extractedAs(faulty)), invoiceId), { invoiceId, status: 'needs_review' });
  const stored = (await getInvoice(pool, invoiceId))!;
  t.true((stored.validation.problems as Array<{ code: string }>).some((p) => p.code === 'TOTAL_NET_MISMATCH'));
  t.regex(stored.status_reason ?? '', /^The VAT bases add up to .*, but the total net amount is 100\.00\./);
  for (const note of faulty.notes) t.false((stored.status_reason ?? '').includes(note), note);
});

test('the review reason lists errors before warnings and says how many there are beyond four', (t) => {
  const problems = [
    warning('W1', 'a', 'first warning'),
    error('E1', 'b', 'first error'),
    warning('W2', 'c', 'second warning'),
    error('E2', 'd', 'second error'),
    error('E3', 'e', 'third error'),
  ];
  t.is(reviewReason(problems), 'first error; second error; third error; first warning; … 5 problems in all');
  t.is(reviewReason(problems.slice(0, 2)), 'first error; first warning');
});

test('an interrupted extraction is run again from the stored status, and the history stays one chain', async (t) => {
  const pool = await migratedPool(t);
  const { invoiceId } = await receiveDocument(
    pool,
    { bytes: pdfBytes('resume'), filename: 'r.pdf', mediaType: 'application/pdf', channel: 'http' },
    'test',
  );
  await transition(pool, {
    invoiceId,
    from: 'received',
    to: 'extracting',
    reason: 'extraction started',
    actor: 'daemon-that-died',
  });
  let extractions = 0;
  const machine = lifecycle(pool, () => {
    extractions++;
    return { kind: 'extracted', invoice: slovakInvoice() };
  });
  t.deepEqual(await run(pool, machine, invoiceId, 'extracting'), { invoiceId, status: 'validated' });
  t.is(extractions, 1);
  const events = (await getInvoice(pool, invoiceId))!.events;
  t.deepEqual(
    events.map((e) => [e.seq, e.from_status, e.to_status]),
    [
      [1, null, 'received'],
      [2, 'received', 'extracting'],
      [3, 'extracting', 'extracted'],
      [4, 'extracted', 'validating'],
      [5, 'validating', 'validated'],
    ],
  );
});

test('an unreadable document is quarantined with its reason', async (t) => {
  const pool = await migratedPool(t);
  const { invoiceId } = await receiveDocument(
    pool,
    { bytes: Buffer.from('x'), filename: 'x.pdf', mediaType: 'application/octet-stream', channel: 'http' },
    'test',
  );
  const machine = lifecycle(pool, () => ({
    kind: 'unreadable',
    reason: 'the PDF is encrypted; ask the supplier for an unprotected copy',
  }));
  t.deepEqual(await run(pool, machine, invoiceId), { invoiceId, status: 'unreadable' });
  t.is(
    (await getInvoice(pool, invoiceId))!.status_reason,
    'the PDF is encrypted; ask the supplier for an unprotected copy',
  );
});
