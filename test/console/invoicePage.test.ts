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

/** Line 1 matched by name with 87 % and two other products offered; line 2 matched by EAN; line 3 not matched. */
async function stageMatched(app: ConsoleApp, n: number): Promise<string> {
  const id = await stageInvoice(app.pool, numberedInvoice(n), 'needs_review');
  const alternatives = [
    { gs_code: '3101', name: 'Lepidlo <Extra>', confidence: 0.55 },
    { gs_code: '3102', name: 'Lepidlo Basic', confidence: 0.41 },
  ];
  await app.pool.query(
    `UPDATE invoice_lines SET nex_product_id = '3100', matched_by = 'name', match_confidence = 0.87, match_alternatives = $2::jsonb
     WHERE invoice_id = $1 AND line_number = 1`,
    [id, JSON.stringify(alternatives)],
  );
  await app.pool.query(
    `UPDATE invoice_lines SET nex_product_id = '4200', matched_by = 'ean', match_confidence = 1
     WHERE invoice_id = $1 AND line_number = 2`,
    [id],
  );
  await app.pool.query(
    "INSERT INTO supplier_items (supplier_ico, item_code, gs_code, product_name, learned_from) VALUES ('1', 'x', '3100', 'Lepidlo Profi', 'name')",
  );
  return id;
}

test('each line shows its NEX product, confidence and how it was found; an operator picks among the offered products', async (t) => {
  const app = await startConsoleApp(t);
  const id = await stageMatched(app, 5);
  const page = await pageFor(app, id, app.tokens.operator);

  const cells = [...page.matchAll(/<td class="match">([\s\S]*?)<\/td>/g)].map((match) => match[1]!);
  t.is(cells.length, 4, 'three lines and the empty cell of the template for a new line');
  t.is(cells[3], '');
  t.regex(
    cells[0]!,
    /<span class="product">3100 Lepidlo Profi<\/span><br><small class="how">podľa názvu · istota 87 %<\/small>/,
  );
  t.regex(cells[1]!, /<span class="product">4200<\/span><br><small class="how">podľa EAN · istota 100 %<\/small>/);
  t.regex(cells[2]!, /nepriradený/);
  t.false(cells[1]!.includes('<select'), 'nothing offered, nothing to pick');

  t.true(page.includes('<label for="match-1" class="pick">Produkt NEX, riadok 1</label>'));
  const select = /<select id="match-1" data-match-line="1">([\s\S]*?)<\/select>/.exec(page)?.[1];
  t.truthy(select, 'the select of line 1');
  const options = [...select!.matchAll(/<option value="([^"]*)"( selected)?>([^<]*)<\/option>/g)].map((m) => [
    m[1],
    !!m[2],
    m[3],
  ]);
  t.deepEqual(options, [
    ['', false, '— žiadny —'],
    ['3100', true, '3100 Lepidlo Profi (87 %)'],
    ['3101', false, '3101 Lepidlo &lt;Extra&gt; (55 %)'],
    ['3102', false, '3102 Lepidlo Basic (41 %)'],
  ]);
  t.true(page.includes('data-do="match" data-line="1"'));

  const viewer = await pageFor(app, id, app.tokens.viewer);
  t.regex(viewer, /3100 Lepidlo Profi/);
  t.false(viewer.includes('<select id="match-'), 'a viewer sees the product but cannot pick');
  t.false(viewer.includes('data-do="match"'));
});

test('the history names a picked product by its line; the XML original is shown indented and escaped', async (t) => {
  const app = await startConsoleApp(t);
  const id = await stageMatched(app, 6);
  const picked = await fetch(app.url(`/api/invoices/${id}/lines/1/match`), {
    method: 'POST',
    headers: { authorization: `Bearer ${app.tokens.operator}`, 'content-type': 'application/json' },
    body: JSON.stringify({ gs_code: 3102 }),
  });
  t.is(picked.status, 200);
  const page = await pageFor(app, id, app.tokens.operator);
  t.regex(page, /<li>Produkt NEX, riadok 1: <del>3100<\/del> → <ins>3102<\/ins><\/li>/);
  t.regex(page, /<span class="product">3102 Lepidlo Basic<\/span><br><small class="how">vybral človek<\/small>/);

  const xml = /<pre class="xml"[^>]*>([\s\S]*?)<\/pre>/.exec(page)?.[1];
  t.truthy(xml, 'the original is shown as XML');
  const lines = xml!.split('\n');
  t.true(lines.length > 50, `one element per line, not one line (${lines.length})`);
  t.regex(xml!, /^&lt;\?xml/, 'escaped, never markup');
  t.false(xml!.includes('<Invoice'));
  t.regex(xml!, /\n {2}&lt;cbc:ID&gt;FV2026-00006&lt;\/cbc:ID&gt;\n/, 'an element with its text on one line, indented');
  t.regex(xml!, /\n {4}&lt;cac:Party&gt;\n {6}/, 'nested elements indented deeper');
});
