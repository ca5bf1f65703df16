import { randomUUID } from 'node:crypto';
import test from 'ava';
import type pg from 'pg';
import { pino } from 'pino';
import { createActor } from 'xstate';
import { invoiceMachine } from '../../machines/invoice.ts';
import { claimAndRunMachine } from '../../machines/claimAndRun.ts';
import { loadConfig } from '../../src/config/load.ts';
import { getInvoice } from '../../src/db/invoiceQueries.ts';
import { receiveDocument } from '../../src/db/invoiceStore.ts';
import type { NormalizedInvoice } from '../../src/invoice/normalizedInvoice.ts';
import { createInvoicesService } from '../../src/pipeline/invoicesService.ts';
import { lifecycleSteps } from '../../src/pipeline/lifecycleSteps.ts';
import { createThroughput } from '../../src/runtime/throughput.ts';
import { validateInvoice } from '../../src/validate/validateInvoice.ts';
import { pdfBytes } from '../support/fixtures.ts';
import { migratedPool } from '../support/migratedDatabase.ts';
import { slovakInvoice, TODAY } from '../validate/slovakInvoice.ts';

/** The invoices actor with its real service, store and lifecycle; the extractor returns `invoice`. */
function startPipeline(t: { teardown: (fn: () => void) => void }, pool: pg.Pool, invoice: NormalizedInvoice) {
  const settings = { ...loadConfig({ env: {} }).config.pipeline, maxAttempts: 5, retryMinMs: 60_000 };
  const service = createInvoicesService({
    pool: () => pool,
    owner: randomUUID(),
    settings,
    logger: pino({ level: 'silent' }),
    throughput: createThroughput(),
    actor: 'test',
  });
  const lifecycle = invoiceMachine.provide({
    actors: lifecycleSteps({
      pool: () => pool,
      extract: async () => ({ kind: 'extracted', invoice }),
      validate: (extracted) => validateInvoice(extracted, { today: TODAY }),
      actor: 'test',
    }),
  });
  const actor = createActor(claimAndRunMachine.provide({ actors: service.actors, actions: service.actions }), {
    input: { concurrency: 2, lifecycle },
  }).start();
  t.teardown(() => actor.stop());
}

async function attemptsMade(pool: pg.Pool, invoiceId: string): Promise<number> {
  const row = await pool.query<{ attempts: number }>('SELECT attempts FROM invoices WHERE id = $1', [invoiceId]);
  return row.rows[0]?.attempts ?? 0;
}

test('text the database refuses (a NUL) quarantines the invoice on its first failure, not after five', async (t) => {
  const pool = await migratedPool(t);
  const { invoiceId } = await receiveDocument(
    pool,
    { bytes: pdfBytes('nul'), filename: 'nul.pdf', mediaType: 'application/pdf', channel: 'http' },
    'test',
  );
  const invoice = slovakInvoice();
  invoice.supplier.name = 'ACME\u0000 s.r.o.';
  startPipeline(t, pool, invoice);

  const deadline = Date.now() + 30_000;
  while ((await attemptsMade(pool, invoiceId)) === 0) {
    if (Date.now() > deadline) return t.fail('the lifecycle never failed');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // The attempt and the quarantine are one transaction: once the attempt is counted, the status is final.
  const stored = (await getInvoice(pool, invoiceId))!;
  t.log(stored.status_reason);
  t.is(stored.status, 'unreadable');
  t.is(await attemptsMade(pool, invoiceId), 1);
  t.regex(stored.status_reason ?? '', /processing failed 1 times; last error: .*retrying cannot help/);
});
