import test from 'ava';
import { setTimeout as delay } from 'node:timers/promises';
import {
  diceSimilarity,
  sampleInvoicePayload,
  startNexSimulator,
  type NexSimulator,
  type NexSimulatorOptions,
} from '../support/nexSimulator.ts';

const KEY = 'sim-key-0123456789';

async function withSimulator(
  options: Partial<NexSimulatorOptions>,
  body: (sim: NexSimulator) => Promise<void>,
): Promise<void> {
  const sim = await startNexSimulator({ apiKey: KEY, ...options });
  try {
    await body(sim);
  } finally {
    await sim.close();
  }
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function call(
  sim: NexSimulator,
  method: 'GET' | 'POST',
  path: string,
  options: { body?: unknown; key?: string | null; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  const key = options.key === undefined ? KEY : options.key;
  if (key !== null) headers['x-api-key'] = key;
  const response = await fetch(sim.url + path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {}, headers: response.headers };
}

const postInvoice = (
  sim: NexSimulator,
  payload: unknown = sampleInvoicePayload(),
  headers: Record<string, string> = {},
) => call(sim, 'POST', '/api/v1/invoices/import', { body: payload, headers });

/** Polls until `probe` is true; generous, so a loaded machine cannot fail it. */
async function waitFor(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(25);
  }
}

test('health answers with the key and 401 (not 422) without it or with a wrong one', async (t) => {
  await withSimulator({}, async (sim) => {
    const ok = await call(sim, 'GET', '/api/v1/health');
    t.is(ok.status, 200);
    t.is(ok.body.status, 'healthy');
    t.truthy(ok.body.service);
    t.truthy(ok.body.version);
    t.is((await call(sim, 'GET', '/api/v1/health', { key: null })).status, 401);
    t.is((await call(sim, 'GET', '/api/v1/health', { key: 'wrong' })).status, 401);
    t.is(sim.requestCount('health', 'unauthorized'), 2);
    t.is(sim.requestCount('health', 'ok'), 1);
  });
});

test('barcodes: a known EAN gives the product card, an unknown one 404', async (t) => {
  await withSimulator({}, async (sim) => {
    const found = await call(sim, 'GET', '/api/v1/barcodes/8586000000031');
    t.is(found.status, 200);
    t.deepEqual(found.body, {
      gs_code: 1003,
      bar_code: '8586000000031',
      product_name: 'Jogurt biely 150g',
      product_supplier_code: 'MK-105',
    });
    t.is((await call(sim, 'GET', '/api/v1/barcodes/0000000000000')).status, 404);
  });
});

test('products/match: by EAN, by a diacritics-folded name, weakly, and not at all', async (t) => {
  await withSimulator({}, async (sim) => {
    const match = (original_name: string, original_ean: string | null, min_confidence = 0.6) =>
      call(sim, 'POST', '/api/v1/products/match', { body: { original_name, original_ean, min_confidence } });

    const byEan = await match('whatever the supplier calls it', '8586000000048');
    t.like(byEan.body, { is_match: true, confidence: 1, confidence_level: 'high', method: 'ean' });
    t.like(byEan.body.product, { gs_code: 1004, name: 'Maslo 82% 250g' });

    const folded = await match('MLIEKO POLOTUCNE 1,5 % 1L', null);
    t.like(folded.body, { is_match: true, confidence_level: 'high', method: 'name' });
    t.like(folded.body.product, { gs_code: 1001 });
    t.true(Array.isArray(folded.body.alternatives));

    const near = await match('Jogurt smotanový biely 150 g', null);
    t.like(near.body, { is_match: true, method: 'name' });
    t.like(near.body.product, { gs_code: 1003 });
    const confidence = near.body.confidence as number;
    t.true(confidence >= 0.6 && confidence < 1, `confidence ${confidence}`);
    t.not(near.body.confidence_level, 'high');

    const strict = await match('Jogurt smotanový biely 150 g', null, 0.99);
    t.like(strict.body, { is_match: false, product: null });
    t.like((strict.body.alternatives as unknown[])[0], { gs_code: 1003 });

    const none = await match('Skrutka M8x40 pozinkovaná', null);
    t.like(none.body, { is_match: false, product: null, confidence_level: 'low' });
  });
});

test('Dice similarity folds case and diacritics and stays between 0 and 1', (t) => {
  t.is(diceSimilarity('Káva zrnková', 'KAVA ZRNKOVA'), 1);
  t.is(diceSimilarity('abc', 'xyz'), 0);
  const partial = diceSimilarity('Chlieb tmavý', 'Chlieb svetlý');
  t.true(partial > 0.3 && partial < 1);
});

test('partners/search finds by IČO and by a folded name', async (t) => {
  await withSimulator({}, async (sim) => {
    const byIco = await call(sim, 'GET', '/api/v1/partners/search?q=31411665');
    t.is(byIco.body.total_items, 1);
    t.like((byIco.body.data as unknown[])[0], { pab_code: 102, name: 'Pekáreň Komárno s.r.o.', ico: '31411665' });
    const byName = await call(sim, 'GET', `/api/v1/partners/search?q=${encodeURIComponent('mliekaren')}`);
    t.like((byName.body.data as unknown[])[0], { ico: '36211451', ic_dph: 'SK2020177082' });
    t.is((await call(sim, 'GET', '/api/v1/partners/search?q=99999999')).body.total_items, 0);
  });
});

test('import stores sequential DD numbers; documents finds them by ext_num and partner IČO', async (t) => {
  await withSimulator({}, async (sim) => {
    const first = await postInvoice(sim);
    t.is(first.status, 201);
    t.like(first.body, { status: 'success', products_created: 0, warnings: [], errors: [] });
    t.regex(first.body.document_number as string, /^DD\d{2}00100001$/);
    t.is(first.body.delivery_number, first.body.document_number);

    // Amounts as JSON numbers are accepted too (another client might send them).
    const second = await postInvoice(sim, { ...sampleInvoicePayload({ invoice_number: 'FV-2' }), total_amount: 12.5 });
    t.regex(second.body.document_number as string, /^DD\d{2}00100002$/);

    t.is(sim.documents.length, 2);
    t.is(sim.documents[0]!.payload.invoice_number, 'FV2026-0042');
    t.is(sim.documents[1]!.total, '12.5');

    const found = await call(sim, 'GET', '/api/v1/documents?ext_num=FV2026-0042&partner_ico=36211451');
    t.is((found.body.data as unknown[]).length, 1);
    t.like((found.body.data as unknown[])[0], {
      doc_number: first.body.document_number,
      ext_num: 'FV2026-0042',
      partner_ico: '36211451',
      total: '3.60',
    });
    const other = await call(sim, 'GET', '/api/v1/documents?ext_num=FV2026-0042&partner_ico=31411665');
    t.deepEqual(other.body.data, []);
    t.is((await call(sim, 'GET', '/api/v1/documents')).status, 400);
  });
});

test('import: an unknown gs_code makes a partial import; an unknown product without one is created', async (t) => {
  await withSimulator({}, async (sim) => {
    const [item] = sampleInvoicePayload().items;
    const answer = await postInvoice(
      sim,
      sampleInvoicePayload({
        items: [
          { ...item!, gs_code: 9999 },
          { ...item!, line_number: 2, item_name: 'Syr eidam 45% 100g', ean: '8580000009999', gs_code: null },
        ],
      }),
    );
    t.is(answer.status, 201);
    t.like(answer.body, { status: 'partial', products_created: 1 });
    t.regex((answer.body.warnings as string[])[0]!, /gs_code/);
    t.is((await call(sim, 'GET', '/api/v1/barcodes/8580000009999')).status, 200);
  });
});

test('validation: missing invoice_number, supplier.ico and items give 400 with field errors and store nothing', async (t) => {
  await withSimulator({}, async (sim) => {
    const payload = { ...sampleInvoicePayload(), invoice_number: '', items: [] } as Record<string, unknown>;
    payload.supplier = { name: 'Nobody' };
    const answer = await postInvoice(sim, payload);
    t.is(answer.status, 400);
    const detail = answer.body.detail as { message: string; errors: Array<{ field: string }> };
    t.is(detail.message, 'Validation failed');
    t.deepEqual(detail.errors.map((e) => e.field).sort(), ['invoice_number', 'items', 'supplier.ico']);

    const badAmount = await postInvoice(sim, { ...sampleInvoicePayload(), total_amount: '12,50' });
    t.is(badAmount.status, 400);
    t.like((badAmount.body.detail as { errors: unknown[] }).errors[0], { field: 'total_amount', value: '12,50' });
    t.is(sim.documents.length, 0);
    t.is(sim.requestCount('import', 'validation_error'), 2);
  });
});

test('idempotency off (like real NEX): the same key twice stores a duplicate', async (t) => {
  await withSimulator({}, async (sim) => {
    const key = { 'idempotency-key': '36211451:FV2026-0042' };
    t.is((await postInvoice(sim, sampleInvoicePayload(), key)).status, 201);
    t.is((await postInvoice(sim, sampleInvoicePayload(), key)).status, 201);
    t.is(sim.documents.length, 2);
    t.is(sim.documents[1]!.idempotencyKey, '36211451:FV2026-0042');
  });
});

test('idempotency on: a repeated key answers 409 with the earlier document number', async (t) => {
  await withSimulator({ honourIdempotencyKey: true }, async (sim) => {
    const key = { 'idempotency-key': '36211451:FV2026-0042' };
    const first = await postInvoice(sim, sampleInvoicePayload(), key);
    const again = await postInvoice(sim, sampleInvoicePayload(), key);
    t.is(again.status, 409);
    t.is((again.body.detail as { document_number: string }).document_number, first.body.document_number as string);
    t.is(sim.documents.length, 1);
    t.is((await postInvoice(sim, sampleInvoicePayload(), { 'idempotency-key': '36211451:OTHER' })).status, 201);
  });
});

test('5xx fault: imports fail and are not stored; reads are spared unless applyToReads', async (t) => {
  await withSimulator({ faults: { error5xxRate: 1 } }, async (sim) => {
    const answer = await postInvoice(sim);
    t.true([500, 502, 503].includes(answer.status), `status ${answer.status}`);
    t.is(sim.documents.length, 0);
    t.is((await call(sim, 'GET', '/api/v1/health')).status, 200);
    sim.setFaults({ applyToReads: true });
    t.true((await call(sim, 'GET', '/api/v1/health')).status >= 500);
    sim.clearFaults();
    t.is((await postInvoice(sim)).status, 201);
    t.is(sim.requestCount('import', 'server_error'), 1);
  });
});

test('429 fault answers with Retry-After', async (t) => {
  await withSimulator({ faults: { rate429: { rate: 1, retryAfterS: 7 } } }, async (sim) => {
    const answer = await postInvoice(sim);
    t.is(answer.status, 429);
    t.is(answer.headers.get('retry-after'), '7');
    t.is(sim.documents.length, 0);
  });
});

test('timeout fault: no answer, nothing stored, the client gives up', async (t) => {
  await withSimulator({ faults: { timeoutRate: 1 } }, async (sim) => {
    const error = await t.throwsAsync(() =>
      call(sim, 'POST', '/api/v1/invoices/import', { body: sampleInvoicePayload(), timeoutMs: 300 }),
    );
    t.is(error?.name, 'TimeoutError');
    t.is(sim.documents.length, 0);
    t.is(sim.requestCount('import', 'timeout'), 1);
  });
});

test('timeout fault: close() frees a held request', async (t) => {
  const sim = await startNexSimulator({ apiKey: KEY, faults: { timeoutRate: 1 } });
  t.teardown(() => sim.close()); // a held request keeps the test process alive if the test fails before close()
  const pending = postInvoice(sim).then(
    () => 'answered',
    () => 'failed',
  );
  await waitFor('the request to be held', () => sim.requestCount('import', 'timeout') === 1);
  await sim.close();
  t.is(await pending, 'failed');
});

test('reset-after-store fault: the socket dies but the document IS stored', async (t) => {
  await withSimulator({ faults: { resetAfterStoreRate: 1 } }, async (sim) => {
    await t.throwsAsync(() => postInvoice(sim), { message: /fetch failed/ });
    t.is(sim.documents.length, 1);
    t.is(sim.requestCount('import', 'reset_after_store'), 1);
  });
});

test('validation fault: 400 with reasons for a valid payload; failed-status fault: 200 failed, not stored', async (t) => {
  await withSimulator({ faults: { validationErrorRate: 1 } }, async (sim) => {
    const answer = await postInvoice(sim);
    t.is(answer.status, 400);
    t.true(((answer.body.detail as { errors: unknown[] }).errors ?? []).length > 0);
    sim.setFaults({ validationErrorRate: 0, failedStatusRate: 1 });
    const failed = await postInvoice(sim);
    t.is(failed.status, 200);
    t.is(failed.body.status, 'failed');
    t.true((failed.body.errors as unknown[]).length > 0);
    t.is(sim.documents.length, 0);
  });
});

test('latency fault delays answers by at least its minimum', async (t) => {
  await withSimulator({ faults: { latencyMs: [150, 200] } }, async (sim) => {
    const started = performance.now();
    t.is((await postInvoice(sim)).status, 201);
    t.true(performance.now() - started >= 140);
  });
});

test('outage: 503 while on, a window ends by itself, refusal closes the port until cleared', async (t) => {
  await withSimulator({ faults: { outage: true } }, async (sim) => {
    t.is((await postInvoice(sim)).status, 503);
    t.is(sim.requestCount('import', 'outage'), 1);

    sim.setFaults({ outage: { forMs: 1_500 } }); // long enough for the next request to land in it on a loaded machine
    t.is((await postInvoice(sim)).status, 503);
    await waitFor('the outage window to end', async () => (await postInvoice(sim)).status === 201);

    sim.setFaults({ outage: { refuse: true } });
    await waitFor('the port to refuse', async () => {
      try {
        await call(sim, 'GET', '/api/v1/health');
        return false;
      } catch (error) {
        return ((error as Error).cause as { code?: string })?.code === 'ECONNREFUSED';
      }
    });
    sim.clearFaults();
    await waitFor('the port to listen again', async () => {
      try {
        return (await call(sim, 'GET', '/api/v1/health')).status === 200;
      } catch {
        return false;
      }
    });
    t.pass();
  });
});

test('the same seed gives the same faults; another seed others', async (t) => {
  const outcomes = async (seed: number) => {
    const statuses: number[] = [];
    await withSimulator(
      { seed, faults: { error5xxRate: 0.5, rate429: { rate: 0.2, retryAfterS: 1 } } },
      async (sim) => {
        for (let i = 0; i < 24; i++) {
          statuses.push((await postInvoice(sim)).status);
          // Reads do not roll the dice, so they cannot shift the import's fault sequence.
          await call(sim, 'GET', '/api/v1/health');
        }
      },
    );
    return statuses.join(',');
  };
  const first = await outcomes(42);
  t.is(await outcomes(42), first);
  t.not(await outcomes(43), first);
  t.regex(first, /201/);
  t.regex(first, /50\d/);
});

test('requests counts every endpoint and outcome', async (t) => {
  await withSimulator({}, async (sim) => {
    await call(sim, 'GET', '/api/v1/health');
    await call(sim, 'GET', '/api/v1/barcodes/123');
    await call(sim, 'GET', '/api/v1/nothing-here');
    await postInvoice(sim);
    t.deepEqual(sim.requests.health, { ok: 1 });
    t.deepEqual(sim.requests.barcode, { not_found: 1 });
    t.deepEqual(sim.requests.other, { not_found: 1 });
    t.deepEqual(sim.requests.import, { stored: 1 });
    t.is(sim.requestCount('import'), 1);
  });
});
