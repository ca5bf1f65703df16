import test from 'ava';
import { loadForPosting } from '../../src/db/nexStore.ts';
import { startConsoleApp, signIn, type ConsoleApp } from '../auth/consoleApp.ts';
import { eventsOf, numberedInvoice, stageInvoice, statusOf } from '../support/stagedInvoices.ts';

/**
 * POST /api/invoices/:id/lines/:line/match over the real app and database: a person picks a
 * line's NEX product among the ones matching offered, and what NEX gets, the history and the
 * matching status follow.
 */
interface Answer {
  status: number;
  body: { changed?: boolean; matching_status?: string | null; error?: { code: string; message: string } };
}

async function pick(app: ConsoleApp, id: string, line: number, body: unknown, headers: Record<string, string>) {
  const response = await fetch(app.url(`/api/invoices/${id}/lines/${line}/match`), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] } satisfies Answer;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * The sample invoice (3 lines) as matching left it: lines 1 and 3 matched by EAN, line 2 not
 * matched, with two products offered by the name match.
 */
async function partlyMatched(app: ConsoleApp, n: number, status: 'needs_review' | 'validated' | 'approved') {
  const id = await stageInvoice(app.pool, numberedInvoice(n), status);
  await app.pool.query(
    `UPDATE invoice_lines SET nex_product_id = '100' || line_number, matched_by = 'ean', match_confidence = 1
     WHERE invoice_id = $1 AND line_number <> 2`,
    [id],
  );
  await app.pool.query(
    `UPDATE invoice_lines SET match_alternatives = $2::jsonb WHERE invoice_id = $1 AND line_number = 2`,
    [
      id,
      JSON.stringify([
        { gs_code: '2001', name: 'Farba biela 10 l', confidence: 0.62 },
        { gs_code: '2002', name: 'Farba biela 5 l', confidence: 0.48 },
      ]),
    ],
  );
  await app.pool.query("UPDATE invoices SET matching_status = 'partial' WHERE id = $1", [id]);
  return id;
}

const lineOf = async (app: ConsoleApp, id: string, line: number) =>
  (
    await app.pool.query(
      `SELECT nex_product_id, matched_by, match_confidence, match_alternatives FROM invoice_lines
       WHERE invoice_id = $1 AND line_number = $2`,
      [id, line],
    )
  ).rows[0];

test('picking an offered product stores it for NEX, records who picked it and makes the invoice matched', async (t) => {
  const app = await startConsoleApp(t);
  const id = await partlyMatched(app, 1, 'validated');
  const olga = await signIn(app, 'olga');
  const session = { cookie: olga.cookie, 'x-csrf-token': olga.csrf };

  t.is((await pick(app, id, 2, { gs_code: 2001 }, { cookie: olga.cookie })).status, 403, 'a cookie without CSRF');
  const answer = await pick(app, id, 2, { gs_code: 2001 }, session);
  t.is(answer.status, 200, JSON.stringify(answer.body));
  t.like(answer.body, { changed: true, matching_status: 'matched' });

  t.like(await lineOf(app, id, 2), { nex_product_id: '2001', matched_by: 'manual', match_confidence: null });
  const row = await statusOf(app.pool, id);
  t.is(row.status, 'validated', 'picking a product decides nothing else');
  t.is(row.matching_status, 'matched');
  const posted = await loadForPosting(app.pool, id);
  t.deepEqual([...posted.products.entries()].sort(), [
    [1, '1001'],
    [2, '2001'],
    [3, '1003'],
  ]);

  const event = (await eventsOf(app.pool, id)).at(-1)!;
  t.like(event, { from_status: 'validated', to_status: 'validated', actor: 'olga' });
  t.deepEqual(event.details, {
    kind: 'corrected',
    by: 'olga',
    changes: { 'lines.2.nex_product': { before: null, after: 2001 } },
  });
  const learned = await app.pool.query(
    'SELECT supplier_ico, item_code, gs_code, product_name, learned_from FROM supplier_items',
  );
  t.deepEqual(learned.rows, [
    {
      supplier_ico: '36555720',
      item_code: 'P10233',
      gs_code: '2001',
      product_name: 'Farba biela 10 l',
      learned_from: 'manual',
    },
  ]);

  const same = await pick(app, id, 2, { gs_code: 2001 }, bearer(app.tokens.operator));
  t.like(same.body, { changed: false });
  t.is((await eventsOf(app.pool, id)).length, 3, 'the same product again records nothing');
});

test('taking a product away keeps it offered, forgets what the supplier code taught and leaves the invoice partial', async (t) => {
  const app = await startConsoleApp(t);
  const id = await partlyMatched(app, 2, 'needs_review');
  const operator = bearer(app.tokens.operator);
  t.like((await pick(app, id, 2, { gs_code: 2002 }, operator)).body, { changed: true, matching_status: 'matched' });

  const none = await pick(app, id, 2, { gs_code: null }, operator);
  t.is(none.status, 200, JSON.stringify(none.body));
  t.like(none.body, { changed: true, matching_status: 'partial' });
  t.like(await lineOf(app, id, 2), { nex_product_id: null, matched_by: null });
  t.is((await statusOf(app.pool, id)).matching_status, 'partial');
  t.is(Number((await app.pool.query('SELECT count(*) FROM supplier_items')).rows[0].count), 0);
  t.deepEqual((await eventsOf(app.pool, id)).at(-1)!.details, {
    kind: 'corrected',
    by: 'olga',
    changes: { 'lines.2.nex_product': { before: 2002, after: null } },
  });

  // Line 1's EAN match given up for nothing stays among its choices, with its confidence.
  t.like((await pick(app, id, 1, { gs_code: null }, operator)).body, { changed: true });
  t.deepEqual((await lineOf(app, id, 1)).match_alternatives, [{ gs_code: '1001', name: null, confidence: 1 }]);
  t.like((await pick(app, id, 1, { gs_code: 1001 }, operator)).body, { changed: true });
  t.like(await lineOf(app, id, 1), { nex_product_id: '1001', matched_by: 'manual' });
});

test('who may pick, and what a pick refuses', async (t) => {
  const app = await startConsoleApp(t);
  const id = await partlyMatched(app, 3, 'needs_review');
  const operator = bearer(app.tokens.operator);

  t.is((await pick(app, id, 2, { gs_code: 2001 }, {})).status, 401);
  const viewer = await pick(app, id, 2, { gs_code: 2001 }, bearer(app.tokens.viewer));
  t.is(viewer.status, 403);

  const refusals: Array<[number, unknown, string]> = [
    [
      2,
      { gs_code: 9999 },
      'lines.2.nex_product: line 2 was not offered product 9999; pick one of 2001, 2002, or none.',
    ],
    [2, { gs_code: '2001' }, 'lines.2.nex_product: gs_code must be a NEX product code'],
    [2, { gs_code: 20.5 }, 'lines.2.nex_product: gs_code must be a NEX product code'],
    [2, {}, 'lines.2.nex_product: gs_code must be a NEX product code'],
    [3, { gs_code: 2001 }, 'lines.3.nex_product: line 3 was not offered product 2001; pick one of 1003, or none.'],
    [7, { gs_code: null }, `lines.7: invoice ${id} has no line 7.`],
  ];
  for (const [line, body, sentence] of refusals) {
    const answer = await pick(app, id, line, body, operator);
    t.is(answer.status, 400, JSON.stringify(body));
    t.is(answer.body.error?.code, 'CORRECTION_INVALID');
    t.true(answer.body.error!.message.startsWith(sentence), answer.body.error!.message);
  }
  t.like(await lineOf(app, id, 2), { nex_product_id: null }, 'nothing refused was stored');
  t.is((await eventsOf(app.pool, id)).length, 2);

  const approved = await partlyMatched(app, 4, 'approved');
  const late = await pick(app, approved, 2, { gs_code: 2001 }, operator);
  t.is(late.status, 409);
  t.is(late.body.error?.code, 'INVOICE_NOT_CORRECTABLE');
  t.is((await pick(app, '7d1f0c39-5a4e-4f7b-9d55-0f6f3c2b9a11', 2, { gs_code: null }, operator)).status, 404);

  // The integration token may pick; its name is what the event records.
  t.like((await pick(app, id, 2, { gs_code: 2002 }, bearer(app.tokens.integration))).body, { changed: true });
  t.like((await eventsOf(app.pool, id)).at(-1), { actor: 'token:n8n' });
  t.like((await eventsOf(app.pool, id)).at(-1)!.details, { by: 'n8n' });
});
