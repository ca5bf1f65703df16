import test from 'ava';
import pino from 'pino';
import { createActor, toPromise } from 'xstate';
import { nexWriterMachine } from '../../machines/nexWriter.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { createGatewayClient, type BreakerState } from '../../src/nex/gatewayClient.ts';
import { createNexWriterService } from '../../src/nex/nexWriterService.ts';
import { migratedPool } from '../support/migratedDatabase.ts';
import { startNexSimulator } from '../support/nexSimulator.ts';
import { numberedInvoice, stageInvoice } from '../support/stagedInvoices.ts';

/**
 * The requirement that defines the NEX writer: under any fault, zero duplicate documents in
 * NEX and no invoice lost. 300 approved invoices go through the writer actor (default
 * concurrency 2) against a gateway that answers 30 % of imports with 5xx, leaves 10 %
 * unanswered and resets 5 % after storing them (each rate is the chance of its own die).
 */
const INVOICES = 300;

test('fault storm: every invoice ends posted or dead_letter, NEX holds exactly one document per posted invoice, and the breaker opened and closed', async (t) => {
  t.timeout(240_000);
  const pool = await migratedPool(t);
  const simulator = await startNexSimulator({
    apiKey: 'storm',
    seed: 2026,
    faults: { error5xxRate: 0.3, timeoutRate: 0.1, resetAfterStoreRate: 0.05, latencyMs: [0, 5] },
  });
  t.teardown(() => simulator.close());
  const settings: Config['nex'] = {
    ...loadConfig({ env: {} }).config.nex,
    mode: 'api',
    url: simulator.url,
    apiKey: 'storm',
    timeoutMs: 250,
    leaseMs: 30_000,
    retry: { maxAttempts: 10, maxRetryTimeMs: 180_000, minMs: 10, maxMs: 200 },
    breaker: { errorThresholdPercentage: 25, volumeThreshold: 10, rollingCountMs: 2_000, resetTimeoutMs: 300 },
  };
  const gateway = createGatewayClient(settings);
  t.teardown(() => gateway.shutdown());
  const transitions: Array<[BreakerState, BreakerState]> = [];
  gateway.onBreakerChange((state, previous) => transitions.push([previous, state]));

  const ids: string[] = [];
  for (let n = 1; n <= INVOICES; n++) ids.push(await stageInvoice(pool, numberedInvoice(n)));

  const service = createNexWriterService({
    pool: () => pool,
    owner: '00000000-0000-4000-8000-000000000001',
    settings,
    gateway,
    logger: pino({ level: 'silent' }),
    actor: 'nexWriter@storm',
  });
  const writer = createActor(
    nexWriterMachine.provide({ actors: service.actors, actions: service.actions, delays: { pollInterval: 50 } }),
    { input: { concurrency: settings.concurrency, lifecycle: service.posting } },
  );
  writer.start();

  const unsettled = async () =>
    Number(
      (
        await pool.query<{ n: string }>(
          "SELECT count(*) AS n FROM invoices WHERE status NOT IN ('posted', 'dead_letter')",
        )
      ).rows[0]!.n,
    );
  while ((await unsettled()) > 0) await new Promise((resolve) => setTimeout(resolve, 200));

  // The storm is over: one more call after the breaker's rest closes it again.
  simulator.clearFaults();
  await new Promise((resolve) => setTimeout(resolve, settings.breaker.resetTimeoutMs + 50));
  await gateway.health();
  writer.send({ type: 'child.stop' });
  await toPromise(writer);

  const outcomes = (
    await pool.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM invoices GROUP BY status')
  ).rows;
  const posted = (
    await pool.query<{ invoice_number: string; nex_document_number: string }>(
      "SELECT invoice_number, nex_document_number FROM invoices WHERE status = 'posted'",
    )
  ).rows;
  const byNumber = new Map<string, number>();
  for (const doc of simulator.documents) byNumber.set(doc.extNum, (byNumber.get(doc.extNum) ?? 0) + 1);
  const duplicates = [...byNumber].filter(([, count]) => count > 1);

  t.log(
    `outcomes ${JSON.stringify(Object.fromEntries(outcomes.map((o) => [o.status, Number(o.n)])))}; ` +
      `imports ${JSON.stringify(simulator.requests.import)}; documents reads ${simulator.requestCount('documents')}; ` +
      `breaker opened ${transitions.filter(([, to]) => to === 'open').length} times, closed ${transitions.filter(([, to]) => to === 'closed').length} times`,
  );
  t.is(
    outcomes.reduce((sum, o) => sum + Number(o.n), 0),
    INVOICES,
    'no invoice lost',
  );
  t.deepEqual(
    outcomes.map((o) => o.status).filter((s) => s !== 'posted' && s !== 'dead_letter'),
    [],
  );
  t.deepEqual(duplicates, [], 'zero duplicate documents in NEX');
  t.is(simulator.documents.length, posted.length, 'exactly one document per posted invoice');
  const documentNumbers = new Map(simulator.documents.map((d) => [d.extNum, d.documentNumber]));
  for (const row of posted) t.is(row.nex_document_number, documentNumbers.get(row.invoice_number) ?? 'missing');
  t.true(
    simulator.requestCount('import', 'reset_after_store') > 0,
    'the storm did store some documents without an answer',
  );
  t.true(simulator.requestCount('import', 'timeout') > 0);
  t.true(
    transitions.some(([, to]) => to === 'open'),
    'the breaker opened during the storm',
  );
  t.deepEqual(transitions.at(-1), ['half_open', 'closed'], 'and closed after it');
  t.is(gateway.breakerState(), 'closed');
});
