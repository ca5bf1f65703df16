import test from 'ava';
import type { ExecutionContext } from 'ava';
import { setTimeout as delay } from 'node:timers/promises';
import {
  NexError,
  createGatewayClient,
  type BreakerState,
  type GatewayClient,
  type GatewaySettings,
} from '../../src/nex/gatewayClient.ts';
import { parseRetryAfter } from '../../src/nex/gatewayErrors.ts';
import { freePort } from '../../src/runtime/freePort.ts';
import {
  sampleInvoicePayload,
  startNexSimulator,
  type NexSimulator,
  type NexSimulatorOptions,
} from '../support/nexSimulator.ts';

const KEY = 'client-key-s3cr3t-0123456789';
const IDEMPOTENCY_KEY = '36211451:FV2026-0042';

/** A breaker that never opens unless a test asks for one: a loaded machine must not trip it by accident. */
function settings(url: string, overrides: Partial<GatewaySettings> = {}): GatewaySettings {
  return {
    url,
    apiKey: KEY,
    timeoutMs: 15_000,
    breaker: { errorThresholdPercentage: 50, volumeThreshold: 1000, rollingCountMs: 60_000, resetTimeoutMs: 60_000 },
    ...overrides,
  };
}

/** Opens after two failures. */
const tightBreaker = {
  errorThresholdPercentage: 50,
  volumeThreshold: 2,
  rollingCountMs: 60_000,
  resetTimeoutMs: 60_000,
};

/**
 * Breaker tests use resetTimeoutMs 1000 rather than 200: between a failure that opens it and the
 * next assertion a loaded machine may pause longer than 200 ms, and the breaker would already be half-open.
 */
const quickBreaker = (volumeThreshold: number) => ({
  errorThresholdPercentage: 50,
  volumeThreshold,
  rollingCountMs: 60_000,
  resetTimeoutMs: 1000,
});

async function withGateway(
  options: Partial<NexSimulatorOptions>,
  body: (client: GatewayClient, sim: NexSimulator) => Promise<void>,
  clientSettings: Partial<GatewaySettings> = {},
): Promise<void> {
  const sim = await startNexSimulator({ apiKey: KEY, ...options });
  const client = createGatewayClient(settings(sim.url, clientSettings));
  try {
    await body(client, sim);
  } finally {
    client.shutdown();
    await sim.close();
  }
}

async function nexError(t: ExecutionContext, promise: Promise<unknown>): Promise<NexError> {
  const error = await t.throwsAsync(promise, { instanceOf: NexError });
  t.false(error!.message.includes(KEY), 'the API key must never appear in a message');
  return error!;
}

async function waitFor(what: string, probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(20);
  }
}

test('reads: health, barcode, match, partners and documents', async (t) => {
  await withGateway({}, async (client) => {
    t.like(await client.health(), { status: 'healthy', service: 'nex-gateway-simulator' });
    t.deepEqual(await client.barcode('8586000000017'), {
      gs_code: 1001,
      bar_code: '8586000000017',
      product_name: 'Mlieko polotučné 1,5% 1l',
      product_supplier_code: 'MK-101',
    });
    const match = await client.matchProduct({
      original_name: 'Mlieko polotucne 1,5% 1L',
      original_ean: null,
      min_confidence: 0.6,
    });
    t.like(match, { is_match: true, method: 'name', confidence_level: 'high', product: { gs_code: 1001 } });
    t.true(Array.isArray(match.alternatives));
    t.deepEqual(await client.searchPartners('36211451'), [
      { pab_code: 101, name: 'Mliekareň Kolárovo a.s.', ico: '36211451', dic: '2020177082', ic_dph: 'SK2020177082' },
    ]);
    t.deepEqual(await client.findDocuments({ ext_num: 'FV2026-0042', partner_ico: '36211451' }), []);
  });
});

test('import: stored with its document and delivery numbers, then found by findDocuments', async (t) => {
  await withGateway({}, async (client, sim) => {
    const outcome = await client.importInvoice(sampleInvoicePayload(), IDEMPOTENCY_KEY);
    if (outcome.kind !== 'stored') return t.fail(`expected stored, got ${outcome.kind}`);
    t.like(outcome.result, { status: 'success', products_created: 0, warnings: [], errors: [] });
    t.regex(outcome.result.document_number!, /^DD\d{2}001\d{5}$/);
    t.is(outcome.result.delivery_number, outcome.result.document_number);
    t.is(sim.documents[0]!.idempotencyKey, IDEMPOTENCY_KEY);
    // The amounts went out as the decimal strings they are.
    t.is(sim.documents[0]!.payload.total_amount, '3.60');
    const found = await client.findDocuments({ ext_num: 'FV2026-0042', partner_ico: '36211451' });
    t.like(found, [{ doc_number: outcome.result.document_number!, ext_num: 'FV2026-0042', total: '3.60' }]);
  });
});

test('400: permanent, with the gateway reasons, and the breaker does not count it', async (t) => {
  await withGateway({}, async (client) => {
    const error = await nexError(t, client.importInvoice(sampleInvoicePayload({ items: [] }), IDEMPOTENCY_KEY));
    t.like(error, { code: 'NEX_VALIDATION', kind: 'permanent', status: 400, ambiguous: false, breakerOpen: false });
    t.like(error.gatewayErrors, [{ field: 'items', message: 'at least one item is required' }]);
    t.regex(error.message, /POST \/api\/v1\/invoices\/import/);
    t.regex(error.message, /items: at least one item is required/);
  });
});

test('400 from a simulated refusal keeps every reason', async (t) => {
  await withGateway({ faults: { validationErrorRate: 1 } }, async (client) => {
    const error = await nexError(t, client.importInvoice(sampleInvoicePayload(), IDEMPOTENCY_KEY));
    t.is(error.code, 'NEX_VALIDATION');
    t.deepEqual(
      error.gatewayErrors.map((e) => e.field),
      ['items[0].vat_rate', 'supplier.ico'],
    );
  });
});

test('401: permanent NEX_UNAUTHORIZED telling the operator to check nex.apiKey, without the key', async (t) => {
  await withGateway({}, async (_client, sim) => {
    const wrong = createGatewayClient(settings(sim.url, { apiKey: 'not-the-key' }));
    try {
      const error = await nexError(t, wrong.health());
      t.like(error, { code: 'NEX_UNAUTHORIZED', kind: 'permanent', status: 401 });
      t.regex(error.message, /nex\.apiKey/);
      t.regex(error.message, /GET \/api\/v1\/health/);
      t.false(error.message.includes('not-the-key'));
      const missing = createGatewayClient(settings(sim.url, { apiKey: '' }));
      t.is((await nexError(t, missing.health())).code, 'NEX_UNAUTHORIZED');
      missing.shutdown();
    } finally {
      wrong.shutdown();
    }
  });
});

test('404 on a barcode is null, not an error', async (t) => {
  await withGateway({}, async (client) => {
    t.is(await client.barcode('0000000000000'), null);
  });
});

test('409: already_imported with the earlier document number', async (t) => {
  await withGateway({ honourIdempotencyKey: true }, async (client, sim) => {
    const first = await client.importInvoice(sampleInvoicePayload(), IDEMPOTENCY_KEY);
    const again = await client.importInvoice(sampleInvoicePayload(), IDEMPOTENCY_KEY);
    t.is(first.kind, 'stored');
    t.deepEqual(again, { kind: 'already_imported', documentNumber: sim.documents[0]!.documentNumber });
    t.is(sim.documents.length, 1);
  });
});

test('429: transient with retryAfterMs from Retry-After seconds', async (t) => {
  await withGateway({ faults: { rate429: { rate: 1, retryAfterS: 7 } } }, async (client) => {
    const error = await nexError(t, client.importInvoice(sampleInvoicePayload(), IDEMPOTENCY_KEY));
    t.like(error, { code: 'NEX_RATE_LIMITED', kind: 'transient', status: 429, retryAfterMs: 7000, ambiguous: false });
  });
});

test('Retry-After as seconds or an HTTP-date', (t) => {
  const now = Date.parse('2026-11-22T12:00:00Z');
  t.is(parseRetryAfter('120', now), 120_000);
  t.is(parseRetryAfter('Sun, 22 Nov 2026 12:00:30 GMT', now), 30_000);
  t.is(parseRetryAfter('Sun, 22 Nov 2026 11:00:00 GMT', now), 0);
  t.is(parseRetryAfter('soon', now), undefined);
  t.is(parseRetryAfter(null, now), undefined);
});

test('5xx: transient and not ambiguous; nothing was stored', async (t) => {
  await withGateway({ faults: { error5xxRate: 1 } }, async (client, sim) => {
    const error = await nexError(t, client.importInvoice(sampleInvoicePayload(), IDEMPOTENCY_KEY));
    t.like(error, { code: 'NEX_SERVER_ERROR', kind: 'transient', ambiguous: false });
    t.true([500, 502, 503].includes(error.status!));
    t.is(sim.documents.length, 0);
  });
});

test('a 200 saying status "failed" is permanent with its errors', async (t) => {
  await withGateway({ faults: { failedStatusRate: 1 } }, async (client) => {
    const error = await nexError(t, client.importInvoice(sampleInvoicePayload(), IDEMPOTENCY_KEY));
    t.like(error, { code: 'NEX_IMPORT_FAILED', kind: 'permanent', status: 200 });
    t.is(error.gatewayErrors.length, 1);
  });
});

test('timeout: the import is ambiguous (and nothing was stored this time); a read is not', async (t) => {
  await withGateway(
    { faults: { timeoutRate: 1 } },
    async (client, sim) => {
      const error = await nexError(t, client.importInvoice(sampleInvoicePayload(), IDEMPOTENCY_KEY));
      t.like(error, { code: 'NEX_TIMEOUT', kind: 'transient', ambiguous: true, breakerOpen: false });
      t.regex(error.message, /reconcile/);
      t.is(sim.documents.length, 0);
      sim.setFaults({ applyToReads: true });
      const read = await nexError(t, client.findDocuments({ ext_num: 'FV2026-0042', partner_ico: '36211451' }));
      t.like(read, { code: 'NEX_TIMEOUT', ambiguous: false });
    },
    { timeoutMs: 300 },
  );
});

test('reset after store: ambiguous, and the document IS stored, so reconciling finds it', async (t) => {
  await withGateway({ faults: { resetAfterStoreRate: 1 } }, async (client, sim) => {
    const error = await nexError(t, client.importInvoice(sampleInvoicePayload(), IDEMPOTENCY_KEY));
    t.like(error, { code: 'NEX_CONNECTION_LOST', kind: 'transient', ambiguous: true });
    t.is(sim.documents.length, 1);
    const found = await client.findDocuments({ ext_num: 'FV2026-0042', partner_ico: '36211451' });
    t.is(found[0]?.doc_number, sim.documents[0]!.documentNumber);
  });
});

test('a refused connection was never sent: transient, not ambiguous', async (t) => {
  const port = await freePort();
  const client = createGatewayClient(settings(`http://127.0.0.1:${port}`));
  try {
    const error = await nexError(t, client.importInvoice(sampleInvoicePayload(), IDEMPOTENCY_KEY));
    t.like(error, { code: 'NEX_UNREACHABLE', kind: 'transient', ambiguous: false });
    t.regex(error.message, /ECONNREFUSED/);
  } finally {
    client.shutdown();
  }
});

test('an empty or invalid nex.url is reported at once', (t) => {
  t.throws(() => createGatewayClient(settings('')), { message: /nex\.url/ });
  t.throws(() => createGatewayClient(settings('not a url')), { message: /nex\.url/ });
});

test('breaker: opens after failures, fails fast, half-opens after resetTimeout and closes after a success', async (t) => {
  await withGateway(
    { faults: { error5xxRate: 1 } },
    async (client, sim) => {
      const changes: Array<[BreakerState, BreakerState]> = [];
      client.onBreakerChange((state, previous) => changes.push([state, previous]));

      for (let i = 0; i < 3; i++) {
        t.is(
          (await nexError(t, client.importInvoice(sampleInvoicePayload(), IDEMPOTENCY_KEY))).code,
          'NEX_SERVER_ERROR',
        );
      }
      t.is(client.breakerState(), 'open');
      t.deepEqual(changes, [['open', 'closed']]);

      // While open, calls fail fast and never reach the gateway.
      const sent = sim.requestCount('import') + sim.requestCount('health');
      const fast = await nexError(t, client.importInvoice(sampleInvoicePayload(), IDEMPOTENCY_KEY));
      t.like(fast, { code: 'NEX_BREAKER_OPEN', kind: 'transient', breakerOpen: true, ambiguous: false });
      t.is((await nexError(t, client.health())).code, 'NEX_BREAKER_OPEN');
      t.is(sim.requestCount('import') + sim.requestCount('health'), sent);

      sim.clearFaults();
      await waitFor('the breaker to half-open', () => client.breakerState() === 'half_open');
      const outcome = await client.importInvoice(sampleInvoicePayload(), IDEMPOTENCY_KEY);
      t.is(outcome.kind, 'stored');
      t.is(client.breakerState(), 'closed');
      t.deepEqual(changes, [
        ['open', 'closed'],
        ['half_open', 'open'],
        ['closed', 'half_open'],
      ]);
    },
    { breaker: quickBreaker(3) },
  );
});

test('breaker: an outage of imports alone opens it, though each failed import is followed by a look-up that succeeds', async (t) => {
  await withGateway(
    { faults: { error5xxRate: 1 } }, // faults hit imports only (applyToReads is off)
    async (client) => {
      for (let i = 0; i < 4; i++) {
        await nexError(t, client.importInvoice(sampleInvoicePayload(), IDEMPOTENCY_KEY));
        if (client.breakerState() === 'open') break;
        t.deepEqual(await client.findDocuments({ ext_num: 'FV2026-0042', partner_ico: '36211451' }), []);
      }
      // Counted, the look-ups would make it 50 %, below this 60 % threshold, and it would stay closed.
      t.is(client.breakerState(), 'open');
      const fast = await nexError(t, client.findDocuments({ ext_num: 'FV2026-0042', partner_ico: '36211451' }));
      t.is(fast.code, 'NEX_BREAKER_OPEN', 'while open the look-up fails fast too');
    },
    { breaker: { errorThresholdPercentage: 60, volumeThreshold: 4, rollingCountMs: 60_000, resetTimeoutMs: 60_000 } },
  );
});

test('breaker: a failed trial call while half-open opens it again', async (t) => {
  await withGateway(
    { faults: { error5xxRate: 1, applyToReads: true } },
    async (client) => {
      for (let i = 0; i < 2; i++) await nexError(t, client.health());
      t.is(client.breakerState(), 'open');
      await waitFor('the breaker to half-open', () => client.breakerState() === 'half_open');
      t.is((await nexError(t, client.health())).code, 'NEX_SERVER_ERROR');
      t.is(client.breakerState(), 'open');
    },
    { breaker: quickBreaker(2) },
  );
});

test('breaker: permanent answers (400, 401, 404, 409) do not open it', async (t) => {
  await withGateway(
    { honourIdempotencyKey: true },
    async (client, sim) => {
      const changes: BreakerState[] = [];
      const stop = client.onBreakerChange((state) => changes.push(state));
      await client.importInvoice(sampleInvoicePayload(), IDEMPOTENCY_KEY);
      for (let i = 0; i < 3; i++) {
        t.is(await client.barcode('0000000000000'), null);
        await nexError(t, client.importInvoice(sampleInvoicePayload({ items: [] }), 'x:y'));
        t.is((await client.importInvoice(sampleInvoicePayload(), IDEMPOTENCY_KEY)).kind, 'already_imported');
      }
      const wrongKey = createGatewayClient(settings(sim.url, { apiKey: 'wrong', breaker: tightBreaker }));
      for (let i = 0; i < 3; i++) await nexError(t, wrongKey.health());
      t.is(wrongKey.breakerState(), 'closed');
      wrongKey.shutdown();
      t.is(client.breakerState(), 'closed');
      t.deepEqual(changes, []);
      stop();
    },
    { breaker: tightBreaker },
  );
});

test('a refused connection counts as a breaker failure; unsubscribed listeners hear nothing', async (t) => {
  const port = await freePort();
  const client = createGatewayClient(settings(`http://127.0.0.1:${port}`, { breaker: tightBreaker }));
  const heard: BreakerState[] = [];
  const stop = client.onBreakerChange((state) => heard.push(state));
  stop();
  try {
    for (let i = 0; i < 2; i++) await nexError(t, client.health());
    t.is(client.breakerState(), 'open');
    t.deepEqual(heard, []);
  } finally {
    client.shutdown();
  }
});

test('after shutdown calls fail without reaching the gateway', async (t) => {
  await withGateway({}, async (client, sim) => {
    client.shutdown();
    const error = await nexError(t, client.health());
    t.like(error, { code: 'NEX_CLIENT_SHUT_DOWN', kind: 'transient' });
    t.is(sim.requestCount('health'), 0);
  });
});
