import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type pg from 'pg';
import { receiveDocument, saveExtraction } from '../../src/db/invoiceStore.ts';
import { extractDocument } from '../../src/extract/extractDocument.ts';
import { shippedTemplateDir } from '../../src/extract/shippedTemplates.ts';
import { learnFromInvoice } from '../../src/extract/templates/learnFromInvoice.ts';
import { loadTemplates } from '../../src/extract/templates/loadTemplates.ts';
import type { NormalizedInvoice } from '../../src/invoice/normalizedInvoice.ts';
import { startConsoleApp } from '../auth/consoleApp.ts';
import { migratedDatabase } from '../support/migratedDatabase.ts';
import { runCli } from '../support/tempDir.ts';
import { unknownLayoutPdf, type LayoutSample } from '../support/unknownLayout.ts';

/**
 * Issue 16.7 end to end: two generated invoices of one layout no template knows, from one
 * supplier. The first is extracted, corrected through PATCH /api/invoices/:id and learned; the
 * second then extracts with every field and line right, with no correction.
 */
type Sample = LayoutSample;

const SAMPLES: [Sample, Sample] = [
  {
    number: 'RB-2026-0417',
    date: '2026-11-03',
    printedDate: '03.11.2026',
    net: '75.60',
    vat: '15.12',
    gross: '90.72',
    items: [
      { code: 'HK-100', name: 'Buchenholz Leiste 2m', qty: '12', unit: 'Stk', price: '4.50', net: '54.00' },
      { code: 'HK-220', name: 'Schleifpapier P120', qty: '3', unit: 'Pkg', price: '7.20', net: '21.60' },
    ],
  },
  {
    number: 'RB-2026-0502',
    date: '2026-11-21',
    printedDate: '21.11.2026',
    net: '1269.40',
    vat: '253.88',
    gross: '1523.28',
    items: [
      { code: 'HK-310', name: 'Eichenbrett 18 mm', qty: '35', unit: 'Stk', price: '31.90', net: '1116.50' },
      { code: 'HK-100', name: 'Buchenholz Leiste 2m', qty: '20', unit: 'Stk', price: '6.65', net: '133.00' },
      { code: 'HK-405', name: 'Holzleim 1 kg', qty: '2', unit: 'Fl', price: '9.95', net: '19.90' },
    ],
  },
];

const layout = unknownLayoutPdf;

const linesOf = (s: Sample) =>
  s.items.map((item, i) => ({
    line_number: i + 1,
    item_code: item.code,
    ean: null,
    description: item.name,
    quantity: item.qty,
    unit: item.unit,
    discount_percent: null,
    unit_price: item.price,
    unit_price_with_vat: null,
    vat_rate: '20',
    line_net: item.net,
    line_gross: null,
  }));

async function extract(pdf: Buffer, templateDirs: string[]): Promise<NormalizedInvoice> {
  const outcome = await extractDocument(pdf, 'application/pdf', {
    mode: 'auto',
    templates: loadTemplates(templateDirs),
  });
  if (outcome.kind !== 'extracted') throw new Error(outcome.reason);
  return outcome.invoice;
}

async function stageNeedsReview(pool: pg.Pool, pdf: Buffer, invoice: NormalizedInvoice): Promise<string> {
  const { invoiceId } = await receiveDocument(
    pool,
    { bytes: pdf, filename: 'beleg.pdf', channel: 'import', mediaType: 'application/pdf' },
    'test',
  );
  await saveExtraction(pool, invoiceId, invoice);
  await pool.query(
    `WITH moved AS (UPDATE invoices SET status = 'needs_review', validation_status = 'invalid' WHERE id = $1 RETURNING id)
     INSERT INTO invoice_events (invoice_id, seq, from_status, to_status, reason, actor)
     SELECT $1, (SELECT max(seq) + 1 FROM invoice_events WHERE invoice_id = $1), 'received', 'needs_review', 'extracted by the test', 'test'
     FROM moved`,
    [invoiceId],
  );
  return invoiceId;
}

const fieldsOf = (invoice: NormalizedInvoice) => ({
  invoice_number: invoice.invoice_number,
  issue_date: invoice.issue_date,
  total_net: invoice.total_net,
  total_vat: invoice.total_vat,
  total_gross: invoice.total_gross,
  supplier_vat_id: invoice.supplier.vat_id,
  lines: invoice.lines.map((l) => [
    l.item_code,
    l.description,
    l.quantity,
    l.unit,
    l.unit_price,
    l.vat_rate,
    l.line_net,
  ]),
});

test('templates learn: the first invoice corrected through the API and learned, the second read right with no correction', async (t) => {
  const app = await startConsoleApp(t);
  const dir = mkdtempSync(join(tmpdir(), 'learned-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const [first, second] = SAMPLES;
  const firstPdf = await layout(first);
  const read = await extract(firstPdf, [shippedTemplateDir]);
  const want = (s: Sample) => ({
    invoice_number: s.number,
    issue_date: s.date,
    total_net: s.net,
    total_vat: s.vat,
    total_gross: s.gross,
    supplier_vat_id: 'ATU12345678',
    lines: linesOf(s).map((l) => [
      l.item_code,
      l.description,
      l.quantity,
      l.unit,
      l.unit_price,
      l.vat_rate,
      l.line_net,
    ]),
  });
  t.notDeepEqual(fieldsOf(read), want(first), 'the generic reading needs correcting: that is what there is to learn');

  const id = await stageNeedsReview(app.pool, firstPdf, read);
  const header = Object.fromEntries(
    (['invoice_number', 'issue_date', 'total_net', 'total_vat', 'total_gross'] as const)
      .filter((field) => read[field] !== want(first)[field])
      .map((field) => [field, want(first)[field]]),
  );
  const patched = await fetch(app.url(`/api/invoices/${id}`), {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${app.tokens.operator}` },
    body: JSON.stringify({ header, lines: linesOf(first), reason: 'podľa PDF' }),
  });
  t.is(patched.status, 200, await patched.clone().text());

  const learned = await learnFromInvoice(app.pool, id, { dir, templateDirs: [shippedTemplateDir] });
  t.deepEqual(learned.skipped, []);
  t.deepEqual(learned.stillDifferent, [], 'read back, the template reads the corrected invoice as corrected');
  const yaml = readFileSync(learned.file, 'utf8');
  t.regex(yaml, /^# Learned by `invoice-loader templates learn /m);
  t.regex(yaml, /match:\n {2}all:\n {4}- ATU12345678/);

  const next = await extract(await layout(second), [shippedTemplateDir, dir]);
  t.is(next.source.template, learned.id);
  t.deepEqual(fieldsOf(next), want(second));

  await t.throwsAsync(learnFromInvoice(app.pool, id, { dir, templateDirs: [shippedTemplateDir] }), {
    message: /exists already .* --replace/,
  });
});

test('CLI: invoices correct, then templates learn writes the template, says what it read back, and never overwrites by surprise', async (t) => {
  const { url, pool } = await migratedDatabase(t);
  const dir = mkdtempSync(join(tmpdir(), 'learned-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const [first] = SAMPLES;
  const pdf = await layout(first);
  const id = await stageNeedsReview(pool, pdf, await extract(pdf, [shippedTemplateDir]));
  const env = { INVOICE_LOADER_DATABASE__URL: url };

  const nothing = await runCli(['templates', 'learn', id, '--dir', dir], env);
  t.is(nothing.status, 1);
  t.regex(nothing.stderr, /has no corrections to learn from/);

  const linesFile = join(dir, 'lines.json');
  writeFileSync(linesFile, JSON.stringify(linesOf(first)));
  const correct = await runCli(
    [
      'invoices',
      'correct',
      id,
      '--set',
      `total_vat=${first.vat}`,
      '--set',
      `total_gross=${first.gross}`,
      '--lines-file',
      linesFile,
    ],
    env,
  );
  t.is(correct.status, 0, correct.stderr);

  const noDir = await runCli(['templates', 'learn', id], env);
  t.is(noDir.status, 1);
  t.regex(noDir.stderr, /Set extraction\.templateDirs .* or give --dir/);

  const learned = await runCli(['templates', 'learn', id, '--dir', dir], env);
  t.is(learned.status, 0, learned.stderr);
  t.regex(learned.stdout, /^Learned template learned-atu12345678: .*learned-atu12345678\.yaml$/m);
  t.regex(learned.stdout, /learned {3}total_gross: after "Zu zahlen"/);
  t.regex(
    learned.stdout,
    /Read back: the template reads this invoice with every corrected field and line as corrected\./,
  );
  t.regex(learned.stdout, /is not in extraction\.templateDirs, so the daemon does not read it yet/);

  const again = await runCli(['templates', 'learn', id, '--dir', dir], env);
  t.is(again.status, 1);
  t.regex(again.stderr, /exists already/);
  t.is((await runCli(['templates', 'learn', id, '--dir', dir, '--replace'], env)).status, 0);
});

test('the console: an operator learns the template from the corrected invoice by its button', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'learned-console-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const app = await startConsoleApp(t, {}, {}, {}, { templates: { dirs: [dir] } });
  const [first] = SAMPLES;
  const pdf = await layout(first);
  const id = await stageNeedsReview(app.pool, pdf, await extract(pdf, [shippedTemplateDir]));
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const page = async (token: string, query = '') =>
    (await fetch(app.url(`/invoices/${id}${query}`), { headers: as(token) })).text();
  t.notRegex(await page(app.tokens.operator), /Naučiť šablónu dodávateľa/, 'nothing to learn before a correction');

  const patched = await fetch(app.url(`/api/invoices/${id}`), {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', ...as(app.tokens.operator) },
    body: JSON.stringify({ header: { total_vat: first.vat, total_gross: first.gross }, lines: linesOf(first) }),
  });
  t.is(patched.status, 200);
  t.regex(await page(app.tokens.operator), /<button type="submit">Naučiť šablónu dodávateľa<\/button>/);
  t.notRegex(await page(app.tokens.viewer), /Naučiť šablónu/, 'a viewer has no button');

  const learned = await fetch(app.url(`/invoices/${id}/learn-template`), {
    method: 'POST',
    headers: as(app.tokens.operator),
    redirect: 'manual',
  });
  t.is(learned.status, 303);
  const location = learned.headers.get('location')!;
  t.regex(decodeURIComponent(location), /learned=learned-atu12345678/);
  t.true(readFileSync(join(dir, 'learned-atu12345678.yaml'), 'utf8').includes('Zu[ \\t]+zahlen'));
  t.regex(
    await page(app.tokens.operator, location.slice(location.indexOf('?'))),
    /Šablóna uložená: learned-atu12345678/,
  );
  t.truthy(app.logs.find((entry) => entry.msg === `template learned-atu12345678 learned from invoice ${id}`));
});
