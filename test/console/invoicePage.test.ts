import test from 'ava';
import { commitExtraction } from '../../src/db/invoiceStore.ts';
import { startConsoleApp, type ConsoleApp } from '../auth/consoleApp.ts';
import { numberedInvoice, stageInvoice, statusOf } from '../support/stagedInvoices.ts';

/** The invoice page as the server renders it for each role; the browser test drives it. */
async function pageFor(app: ConsoleApp, id: string, token: string): Promise<string> {
  const response = await fetch(app.url(`/invoices/${id}`), { headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`GET /invoices/${id} answered ${response.status}`);
  return response.text();
}

const controls = (page: string) => [...page.matchAll(/<(input|select)\b[^>]*>/g)].map((match) => match[0]);

test('an operator gets every header field as a labelled input with its problem beside it, Save, Reject and Reprocess', async (t) => {
  const app = await startConsoleApp(t);
  const id = await stageInvoice(
    app.pool,
    numberedInvoice(1, { supplier: { ...numberedInvoice(1).supplier, name: '<img src=x onerror=alert(1)>' } }),
    'needs_review',
  );
  await app.pool.query('UPDATE invoices SET validation_problems = $2 WHERE id = $1', [
    id,
    JSON.stringify([
      { code: 'ICO_CHECKSUM', field: 'supplier.ico', message: 'IČO 36555720 fails its check digit', severity: 'error' },
      { code: 'LINE_NET', field: 'lines[1].line_net', message: 'line 2 does not add up', severity: 'error' },
    ]),
  ]);
  const page = await pageFor(app, id, app.tokens.operator);

  const header = controls(page).filter((control) => control.includes('data-field='));
  t.is(header.length, 33, 'every header field but the VAT breakdown (a table of its own)');
  for (const control of header) {
    const inputId = /id="([^"]+)"/.exec(control)![1];
    t.true(page.includes(`<label for="${inputId}">`), `${inputId} has a label`);
    t.false(control.includes('readonly'), `${inputId} is editable`);
  }
  t.regex(page, /<input id="f-supplier_ico"[^>]*aria-invalid="true" aria-describedby="p-supplier_ico"/);
  t.regex(page, /<span class="problem" id="p-supplier_ico">IČO 36555720 fails its check digit<\/span>/);
  t.regex(page, /data-key="line_net"[^>]*value="37.35" aria-invalid="true" aria-describedby="p-line-1-line_net"/);
  t.true(page.includes('value="&lt;img src=x onerror=alert(1)&gt;"'), 'values are escaped');
  t.false(page.includes('<img src=x'));
  for (const action of ['save', 'reject', 'reprocess', 'add-row']) t.true(page.includes(`data-do="${action}"`), action);
  t.false(page.includes('data-do="approve"'), 'an operator cannot approve');
  t.true(page.includes('<label for="reject-reason">'));
  t.regex(page, /<input data-key="quantity" data-label="Množstvo" aria-label="Množstvo, riadok 2"/, 'cells are named');
});

test('an approver sees Approve on a validated invoice; a viewer reads it without controls that change it', async (t) => {
  const app = await startConsoleApp(t);
  const id = await stageInvoice(app.pool, numberedInvoice(2), 'validated');
  const approver = await pageFor(app, id, app.tokens.approver);
  t.true(approver.includes('data-do="approve"'));
  t.false(approver.includes('data-do="reprocess"'), 'a validated invoice is not reprocessed');

  const viewer = await pageFor(app, id, app.tokens.viewer);
  for (const action of ['save', 'approve', 'reject', 'reprocess', 'add-row', 'delete-row']) {
    t.false(viewer.includes(`data-do="${action}"`), action);
  }
  t.true(
    controls(viewer)
      .filter((c) => c.includes('data-field=') && !c.startsWith('<select'))
      .every((c) => c.includes('readonly')),
  );
  t.true(viewer.includes('/document" download>'), 'everyone may download the original');

  const approved = await stageInvoice(app.pool, numberedInvoice(3), 'approved');
  const late = await pageFor(app, approved, app.tokens.admin);
  t.false(late.includes('data-do="save"'), 'an approved invoice is no longer corrected');
});

test('extracting again drops the corrections of the earlier extraction', async (t) => {
  const app = await startConsoleApp(t);
  const invoice = numberedInvoice(4);
  const id = await stageInvoice(app.pool, { ...invoice, total_gross: '1.00' }, 'needs_review');
  const corrected = await fetch(app.url(`/api/invoices/${id}`), {
    method: 'PATCH',
    headers: { authorization: `Bearer ${app.tokens.operator}`, 'content-type': 'application/json' },
    body: JSON.stringify({ header: { total_gross: '183.43' } }),
  });
  t.is(corrected.status, 200);
  await app.pool.query("UPDATE invoices SET status = 'extracting' WHERE id = $1", [id]);
  await commitExtraction(app.pool, id, { ...invoice, total_gross: '2.00' }, 'extracting', 'extracted', 'again', 'test');
  t.like(await statusOf(app.pool, id), { operator_edits: {}, total_gross: '2.00' });
});
