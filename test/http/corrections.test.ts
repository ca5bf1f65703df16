import test from 'ava';
import { loadForPosting } from '../../src/db/nexStore.ts';
import { startConsoleApp, signIn, type ConsoleApp } from '../auth/consoleApp.ts';
import { eventsOf, numberedInvoice, stageInvoice, statusOf } from '../support/stagedInvoices.ts';

/**
 * PATCH /api/invoices/:id over the real app and database: what a correction stores (the
 * operator's values beside the extraction), the event it records, the validation it runs
 * in the same commit, and who may send it.
 */
interface Answer {
  status: number;
  body: {
    status?: string;
    changed?: boolean;
    fields?: string[];
    problems?: Array<{ code: string }>;
    error?: { code: string; message: string };
  };
}

async function patch(app: ConsoleApp, id: string, body: unknown, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(app.url(`/api/invoices/${id}`), {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A needs_review invoice whose gross was misread: every other sum is right. */
const misreadTotal = (app: ConsoleApp, n: number) =>
  stageInvoice(app.pool, numberedInvoice(n, { total_gross: '183.34', amount_due: '183.43' }), 'needs_review');

test('correcting a misread total makes a needs_review invoice validated, with the extraction kept', async (t) => {
  const app = await startConsoleApp(t);
  const id = await misreadTotal(app, 1);
  const answer = await patch(
    app,
    id,
    { header: { total_gross: '183.43' }, reason: 'podľa PDF' },
    bearer(app.tokens.operator),
  );
  t.is(answer.status, 200, JSON.stringify(answer.body));
  t.like(answer.body, { status: 'validated', changed: true, fields: ['total_gross'] });

  const row = await statusOf(app.pool, id);
  t.is(row.status, 'validated');
  t.is(row.validation_status, 'valid');
  t.is(row.total_gross, '183.43');
  t.is((row.extracted as { total_gross: string }).total_gross, '183.34', 'the extracted value stays stored');
  t.deepEqual(row.operator_edits, { header: { total_gross: '183.43' } });
  t.is((row.source_fields as Record<string, string>).total_gross, 'operator');

  const events = await eventsOf(app.pool, id);
  const corrected = events.at(-2)!;
  t.like(corrected, { from_status: 'needs_review', to_status: 'needs_review', actor: 'olga (token olga-token)' });
  t.deepEqual(corrected.details, {
    kind: 'corrected',
    by: 'olga',
    changes: { total_gross: { before: '183.34', after: '183.43' } },
    reason: 'podľa PDF',
  });
  t.like(events.at(-1), { from_status: 'needs_review', to_status: 'validated', reason: 'valid after correction' });

  const shown = (await (
    await fetch(app.url(`/api/invoices/${id}`), { headers: bearer(app.tokens.viewer) })
  ).json()) as {
    invoice: { total_gross: string; source: { fields: Record<string, string> } };
    extracted: { total_gross: string };
  };
  t.is(shown.invoice.total_gross, '183.43');
  t.is(shown.invoice.source.fields.total_gross, 'operator');
  t.is(shown.extracted.total_gross, '183.34');
  t.is((await loadForPosting(app.pool, id)).invoice.total_gross, '183.43', 'NEX gets the corrected invoice');

  const again = await patch(app, id, { header: { total_gross: '183.430' } }, bearer(app.tokens.operator));
  t.like(again.body, { changed: false, status: 'validated' }, 'the same amount written otherwise is no change');
});

test('deleting a line leaves the invoice in needs_review with its problems; adding it back validates it', async (t) => {
  const app = await startConsoleApp(t);
  const invoice = numberedInvoice(2);
  const id = await stageInvoice(app.pool, invoice, 'needs_review');
  const operator = bearer(app.tokens.operator);

  const shortened = await patch(app, id, { lines: invoice.lines.slice(0, 2) }, operator);
  t.is(shortened.status, 200, JSON.stringify(shortened.body));
  t.like(shortened.body, { status: 'needs_review', fields: ['lines'] });
  t.true(shortened.body.problems!.length > 0);
  const row = await statusOf(app.pool, id);
  t.is(row.validation_status, 'invalid');
  t.true((row.validation_problems as unknown[]).length > 0);
  const count = async () =>
    Number((await app.pool.query('SELECT count(*) FROM invoice_lines WHERE invoice_id = $1', [id])).rows[0].count);
  t.is(await count(), 2);

  const third = { ...invoice.lines[2]!, line_number: 99 };
  const restored = await patch(app, id, { lines: [...invoice.lines.slice(0, 2), third] }, operator);
  t.like(restored.body, { status: 'validated', fields: ['lines'] });
  t.is(await count(), 3);
  const added = (
    await app.pool.query(
      'SELECT line_number, line_net::text, operator_edits FROM invoice_lines WHERE invoice_id = $1 AND line_number = 3',
      [id],
    )
  ).rows[0];
  t.deepEqual(added, { line_number: 3, line_net: '37.47', operator_edits: { added: true } });
  const changes = (await eventsOf(app.pool, id))
    .map((event) => event.details as { kind?: string; changes?: { lines?: { before: unknown[]; after: unknown[] } } })
    .filter((details) => details?.kind === 'corrected');
  t.deepEqual(
    changes.map((details) => [details.changes!.lines!.before.length, details.changes!.lines!.after.length]),
    [
      [3, 2],
      [2, 3],
    ],
  );
});

test('the person who corrected the money cannot approve; another approver can', async (t) => {
  const app = await startConsoleApp(t);
  const id = await misreadTotal(app, 3);
  const anna = await signIn(app, 'anna');
  const session = { cookie: anna.cookie, 'x-csrf-token': anna.csrf };
  t.is((await patch(app, id, { header: { total_gross: '183.43' } }, { cookie: anna.cookie })).status, 403, 'no CSRF');
  const corrected = await patch(app, id, { header: { total_gross: '183.43' } }, session);
  t.like(corrected.body, { status: 'validated' });

  const approve = (headers: Record<string, string>) =>
    fetch(app.url(`/api/invoices/${id}/approve`), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: '{}',
    });
  const refused = await approve(session);
  t.is(refused.status, 409);
  const error = ((await refused.json()) as Answer['body']).error!;
  t.is(error.code, 'APPROVER_CORRECTED');
  t.regex(error.message, /anna corrected total_gross/);
  const approved = await approve(bearer(app.tokens.admin));
  t.is(approved.status, 200);
  t.is((await statusOf(app.pool, id)).status, 'approved');
});

test('a correction of a validated invoice withdraws the approvals given to the old values', async (t) => {
  const app = await startConsoleApp(t);
  const id = await stageInvoice(app.pool, numberedInvoice(4), 'validated');
  await app.pool.query("INSERT INTO invoice_approvals (invoice_id, approver) VALUES ($1, 'adam')", [id]);
  const answer = await patch(app, id, { header: { variable_symbol: '77' } }, bearer(app.tokens.operator));
  t.like(answer.body, { status: 'validated', fields: ['variable_symbol'] });
  t.is(
    Number((await app.pool.query('SELECT count(*) FROM invoice_approvals WHERE invoice_id = $1', [id])).rows[0].count),
    0,
  );
  t.like((await eventsOf(app.pool, id)).at(-2)!.details, { approvals_withdrawn: ['adam'] });
});

test('who may correct, and what a correction refuses', async (t) => {
  const app = await startConsoleApp(t);
  const id = await misreadTotal(app, 5);
  const operator = bearer(app.tokens.operator);
  const body = { header: { total_gross: '183.43' } };

  t.is((await patch(app, id, body, {})).status, 401);
  t.is((await patch(app, id, body, bearer(app.tokens.viewer))).status, 403);

  const refusals: Array<[unknown, string]> = [
    [{ header: { total_gross: 183.43 } }, 'header.total_gross: send amounts as decimal text'],
    [{ header: { total_gross: '183,43' } }, 'header.total_gross: "183,43" is not a decimal number'],
    [{ header: { colour: 'red' } }, 'header.colour: is not a field that can be corrected'],
    [{ header: { issue_date: '2026-02-30' } }, 'header.issue_date: "2026-02-30" is not a date'],
    [{ lines: [{ description: 'x', line_net: 1.5 }] }, 'lines[0].line_net: send amounts as decimal text'],
    [{ lines: [{ colour: 'red' }] }, 'lines[0].colour: is not a field of a line'],
    [{ total_gross: '1' }, 'total_gross: is not part of a correction'],
    [{}, 'body: names nothing to correct'],
  ];
  for (const [wrong, sentence] of refusals) {
    const answer = await patch(app, id, wrong, operator);
    t.is(answer.status, 400, JSON.stringify(wrong));
    t.is(answer.body.error?.code, 'CORRECTION_INVALID');
    t.true(answer.body.error!.message.startsWith(sentence), answer.body.error!.message);
  }
  t.is((await statusOf(app.pool, id)).total_gross, '183.34', 'nothing refused was stored');

  const approved = await stageInvoice(app.pool, numberedInvoice(6), 'approved');
  const late = await patch(app, approved, body, operator);
  t.is(late.status, 409);
  t.is(late.body.error?.code, 'INVOICE_NOT_CORRECTABLE');
  t.regex(
    late.body.error!.message,
    /is approved; only an invoice that needs review or awaits approval can be corrected/,
  );
  t.is((await patch(app, '7d1f0c39-5a4e-4f7b-9d55-0f6f3c2b9a11', body, operator)).status, 404);

  // The integration token may correct; its name is what the event records.
  const integration = await patch(app, id, body, bearer(app.tokens.integration));
  t.like(integration.body, { status: 'validated' });
  t.like((await eventsOf(app.pool, id)).at(-2)!, { actor: 'token:n8n', details: { by: 'n8n' } });
});

test('a number the supplier already used on another invoice is refused with 409, and nothing is stored', async (t) => {
  const app = await startConsoleApp(t);
  await stageInvoice(app.pool, numberedInvoice(7), 'validated');
  const id = await stageInvoice(app.pool, numberedInvoice(8), 'needs_review');
  const answer = await patch(app, id, { header: { invoice_number: 'FV2026-00007' } }, bearer(app.tokens.operator));
  t.is(answer.status, 409);
  t.is(answer.body.error?.code, 'CORRECTION_NUMBER_TAKEN');
  t.like(await statusOf(app.pool, id), { invoice_number: 'FV2026-00008', operator_edits: {} });
  t.is((await eventsOf(app.pool, id)).length, 2, 'no corrected event');
});
