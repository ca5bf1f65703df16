import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { extractDocument } from '../../src/extract/extractDocument.ts';
import { outboxName, writeToOutbox } from '../../src/nex/outbox.ts';
import { tempDir } from '../support/tempDir.ts';
import { numberedInvoice } from '../support/stagedInvoices.ts';

const ID = '6f1f2a43-8a52-4c1e-9a4b-0d3c9a1b2c3d';

test('the outbox gets the ISDOC file and its sidecar under a name that depends only on the invoice', async (t) => {
  const dir = join(tempDir(t), 'outbox');
  const entry = { invoiceId: ID, invoice: numberedInvoice(1), sidecar: { approvers: [{ name: 'Jana' }] } };
  const first = await writeToOutbox(dir, entry);
  const firstContent = readFileSync(first.isdocFile, 'utf8');
  const second = await writeToOutbox(dir, entry);
  t.deepEqual(second, first, 'written again after a crash: the same names');
  t.is(
    readFileSync(second.isdocFile, 'utf8'),
    firstContent,
    '… and the same content (the ISDOC UUID is the invoice id)',
  );
  t.deepEqual(readdirSync(dir).sort(), [`36555720_FV2026-00001_${ID}.isdoc`, `36555720_FV2026-00001_${ID}.json`]);
  t.regex(firstContent, new RegExp(`<UUID>${ID}</UUID>`, 'i'));
  const read = await extractDocument(Buffer.from(firstContent), 'application/xml', { mode: 'auto', templates: [] });
  t.is(read.kind, 'extracted');
  t.like(JSON.parse(readFileSync(first.sidecarFile, 'utf8')), { invoice_id: ID, approvers: [{ name: 'Jana' }] });
});

test('a failed write leaves no half or temporary file; the sidecar goes first, so an ISDOC file never lacks its sidecar', async (t) => {
  const dir = join(tempDir(t), 'outbox');
  const entry = { invoiceId: ID, invoice: numberedInvoice(2), sidecar: {} };
  // A folder where the ISDOC file should go makes its rename fail after the sidecar was written.
  mkdirSync(join(dir, `${outboxName(entry)}.isdoc`), { recursive: true });
  await t.throwsAsync(writeToOutbox(dir, entry));
  const left = readdirSync(dir).sort();
  t.deepEqual(left, [`${outboxName(entry)}.isdoc`, `${outboxName(entry)}.json`], 'no .tmp file is left behind');
  t.true(existsSync(join(dir, `${outboxName(entry)}.json`)));
});

test('an invoice ISDOC cannot carry is refused with a reason, and nothing is written', async (t) => {
  const dir = join(tempDir(t), 'outbox');
  const entry = { invoiceId: ID, invoice: { ...numberedInvoice(3), issue_date: null }, sidecar: {} };
  const error = await t.throwsAsync(writeToOutbox(dir, entry));
  t.is((error as { code?: string }).code, 'ISDOC_INCOMPLETE');
  t.deepEqual(existsSync(dir) ? readdirSync(dir) : [], []);
});

test('names keep only characters every file system accepts', (t) => {
  const invoice = { ...numberedInvoice(4), invoice_number: 'FV 2026/07:42*?' };
  t.is(outboxName({ invoiceId: ID, invoice }), `36555720_FV-2026-07-42_${ID}`);
  t.is(
    outboxName({
      invoiceId: ID,
      invoice: {
        ...invoice,
        invoice_number: null,
        supplier: { ...invoice.supplier, ico: null, vat_id: null, ic_dph: null, iban: null },
      },
    }),
    `unknown-supplier_no-number_${ID}`,
  );
});
