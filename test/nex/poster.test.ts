import test, { type ExecutionContext } from 'ava';
import pino from 'pino';
import { loadConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { replayDeadLetter } from '../../src/db/deadLetters.ts';
import { createGatewayClient } from '../../src/nex/gatewayClient.ts';
import { createPoster } from '../../src/nex/poster.ts';
import { emptyLine } from '../../src/invoice/normalizedInvoice.ts';
import { migratedPool } from '../support/migratedDatabase.ts';
import { startNexSimulator, type NexSimulator, type NexSimulatorOptions } from '../support/nexSimulator.ts';
import { eventsOf, numberedInvoice, stageInvoice, statusOf } from '../support/stagedInvoices.ts';

/**
 * One invoice posted to the gateway simulator, once per error class of the contract: what the
 * invoice ends as, what its history says, and how many documents the gateway holds.
 */
const API_KEY = 'test-key';

function nexSettings(url: string, overrides: Partial<Config['nex']> = {}): Config['nex'] {
  return {
    ...loadConfig({ env: {} }).config.nex,
    mode: 'api',
    url,
    apiKey: API_KEY,
    timeoutMs: 400,
    retry: { maxAttempts: 6, maxRetryTimeMs: 120_000, minMs: 20, maxMs: 100 },
    // A breaker that stays out of the way: these tests are about one invoice's retries.
    breaker: { errorThresholdPercentage: 100, volumeThreshold: 1000, rollingCountMs: 10_000, resetTimeoutMs: 200 },
    ...overrides,
  };
}

async function setup(
  t: ExecutionContext,
  sim: Partial<NexSimulatorOptions> = {},
  settings: Partial<Config['nex']> = {},
) {
  const pool = await migratedPool(t);
  const simulator = await startNexSimulator({ apiKey: API_KEY, ...sim });
  t.teardown(() => simulator.close());
  const gateway = createGatewayClient(nexSettings(simulator.url, settings));
  t.teardown(() => gateway.shutdown());
  const poster = createPoster({
    pool: () => pool,
    settings: nexSettings(simulator.url, settings),
    gateway,
    actor: 'test-writer',
    logger: pino({ level: 'silent' }),
  });
  const post = (id: string) => poster.post(id, new AbortController().signal);
  return { pool, simulator, gateway, post };
}

/** Clears the simulator's faults once `outcome` has been seen, so the next attempt gets through. */
function clearAfter(simulator: NexSimulator, outcome: string): void {
  const timer = setInterval(() => {
    if (simulator.requestCount('import', outcome) > 0) {
      simulator.clearFaults();
      clearInterval(timer);
    }
  }, 5);
}

test('an approved invoice is posted once, with the NEX document number recorded and decimal strings sent', async (t) => {
  const { pool, simulator, post } = await setup(t);
  const id = await stageInvoice(pool, numberedInvoice(1));
  t.is(await post(id), 'posted');
  t.is(simulator.documents.length, 1);
  const stored = simulator.documents[0]!;
  t.is(stored.extNum, 'FV2026-00001');
  t.is(stored.idempotencyKey, '36555720:FV2026-00001');
  t.is(stored.payload.total_amount, '183.43');
  t.is((stored.payload.items as Array<{ unit_price: string }>)[0]!.unit_price, '39.900');
  const row = await statusOf(pool, id);
  t.like(row, { status: 'posted', nex_document_number: stored.documentNumber, posted_via: 'api', nex_attempts: 1 });
  t.regex(stored.documentNumber, /^DD\d{2}001\d{5}$/);
  t.like((await eventsOf(pool, id)).slice(-2), [
    { to_status: 'posting', reason: 'posting to NEX (attempt 1)' },
    { to_status: 'posted', reason: `posted to NEX as ${stored.documentNumber}` },
  ]);
});

test('400: no retry, the invoice goes to needs_review with the gateway reasons', async (t) => {
  const { pool, simulator, post } = await setup(t, { faults: { validationErrorRate: 1 } });
  const id = await stageInvoice(pool, numberedInvoice(2));
  t.is(await post(id), 'needs_review');
  t.is(simulator.requestCount('import'), 1, 'a permanent refusal is not retried');
  const row = await statusOf(pool, id);
  t.regex(String(row.status_reason), /^NEX refused the invoice: .+/);
  const last = (await eventsOf(pool, id)).at(-1)!;
  t.true(((last.details as { gateway_errors: unknown[] }).gateway_errors ?? []).length > 0);
});

test('409: the gateway already holds it, so it counts as posted with the number the gateway gives', async (t) => {
  const { pool, simulator, gateway, post } = await setup(t, { honourIdempotencyKey: true });
  const invoice = numberedInvoice(3);
  const id = await stageInvoice(pool, invoice);
  // Someone imported it before (another tool, an old run): same Idempotency-Key.
  const { importPayload, idempotencyKey } = await import('../../src/nex/importPayload.ts');
  const earlier = await gateway.importInvoice(importPayload(invoice, new Map()), idempotencyKey(invoice));
  t.is(earlier.kind, 'stored');
  t.is(await post(id), 'posted');
  t.is(simulator.documents.length, 1);
  t.like(await statusOf(pool, id), {
    posted_via: 'already_imported',
    nex_document_number: simulator.documents[0]!.documentNumber,
  });
});

test('429 with Retry-After: the writer waits at least that long, then posts', async (t) => {
  const { pool, simulator, post } = await setup(t, { faults: { rate429: { rate: 1, retryAfterS: 1 } } });
  clearAfter(simulator, 'rate_limited');
  const id = await stageInvoice(pool, numberedInvoice(4));
  const started = Date.now();
  t.is(await post(id), 'posted');
  t.true(Date.now() - started >= 1000, 'Retry-After: 1 is honoured although minMs is 20');
  const retry = (await eventsOf(pool, id)).find((e) => e.to_status === 'retry')!;
  t.true((retry.details as { delay_ms: number }).delay_ms >= 1000);
  t.is(simulator.documents.length, 1);
});

test('5xx is retried with backoff; the history shows every attempt', async (t) => {
  const { pool, simulator, post } = await setup(t, { faults: { error5xxRate: 1 } });
  const id = await stageInvoice(pool, numberedInvoice(5));
  const timer = setInterval(() => {
    if (simulator.requestCount('import', 'server_error') >= 2) simulator.clearFaults();
  }, 5);
  t.teardown(() => clearInterval(timer));
  t.is(await post(id), 'posted');
  const events = await eventsOf(pool, id);
  t.is(events.filter((e) => e.to_status === 'retry').length, 2);
  t.is(events.filter((e) => e.to_status === 'posting').length, 3);
  t.is(simulator.documents.length, 1);
});

test('a timeout is ambiguous: NEX is asked before the resend, and the invoice is posted once', async (t) => {
  const { pool, simulator, post } = await setup(t, { faults: { timeoutRate: 1 } });
  clearAfter(simulator, 'timeout');
  const id = await stageInvoice(pool, numberedInvoice(6));
  t.is(await post(id), 'posted');
  t.true(simulator.requestCount('documents') >= 1, 'reconciled before sending again');
  t.is(simulator.documents.length, 1);
  t.like(await statusOf(pool, id), { posted_via: 'api' });
});

test('a reset after the gateway stored it: reconciliation finds the document and nothing is sent twice', async (t) => {
  const { pool, simulator, post } = await setup(t, { faults: { resetAfterStoreRate: 1 } });
  const id = await stageInvoice(pool, numberedInvoice(7));
  t.is(await post(id), 'posted');
  t.is(simulator.documents.length, 1);
  t.is(simulator.requestCount('import'), 1);
  const row = await statusOf(pool, id);
  t.like(row, { posted_via: 'reconciliation', nex_document_number: simulator.documents[0]!.documentNumber });
  t.regex(String(row.status_reason), /NEX already held the document as DD.*not sent again/);
});

test('retries spent: dead_letter with the last error; a replay asks NEX first and then posts', async (t) => {
  const { pool, simulator, post } = await setup(
    t,
    { faults: { error5xxRate: 1 } },
    { retry: { maxAttempts: 3, maxRetryTimeMs: 120_000, minMs: 20, maxMs: 50 } },
  );
  const id = await stageInvoice(pool, numberedInvoice(8));
  t.is(await post(id), 'dead_letter');
  const dead = await statusOf(pool, id);
  t.regex(String(dead.status_reason), /gave up posting to NEX after 3 attempt\(s\) \(nex\.retry\): .*50\d/);
  const last = (await eventsOf(pool, id)).at(-1)!;
  t.like(last.details, { attempts: 3 });
  simulator.clearFaults();
  const replay = await replayDeadLetter(pool, id, 'Jana (cli)');
  t.true(replay.replayed);
  t.regex(replay.message, /asked first/);
  const documentsBefore = simulator.requestCount('documents');
  t.is(await post(id), 'posted');
  t.true(simulator.requestCount('documents') > documentsBefore, 'the replay reconciled before sending');
  t.is(simulator.documents.length, 1);
  t.false((await replayDeadLetter(pool, id, 'Jana (cli)')).replayed, 'a posted invoice is not replayed');
});

test('an invoice missing what the contract requires goes to review without a request', async (t) => {
  const { pool, simulator, post } = await setup(t);
  const invoice = numberedInvoice(9);
  invoice.lines = [{ ...emptyLine(1), description: 'Tovar', quantity: '1', vat_rate: '23', line_net: '10.00' }];
  const id = await stageInvoice(pool, invoice);
  t.is(await post(id), 'needs_review');
  t.regex(
    String((await statusOf(pool, id)).status_reason),
    /cannot be posted to NEX: it has no lines\[1\]\.unit_price/,
  );
  t.is(simulator.requestCount('import'), 0);
});
