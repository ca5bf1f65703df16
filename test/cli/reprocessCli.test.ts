import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { stringify } from 'yaml';
import { migratedDatabase } from '../support/migratedDatabase.ts';
import { eventsOf, numberedInvoice, stageInvoice, statusOf } from '../support/stagedInvoices.ts';
import { runCli, tempDir } from '../support/tempDir.ts';

/** The way out of needs_review and unreadable from the command line: reprocess, or reject. */
test('invoices reprocess sends a stopped invoice back to extraction; reject takes an unreadable one', async (t) => {
  const { url, pool } = await migratedDatabase(t);
  const config = join(tempDir(t), 'config.yaml');
  writeFileSync(config, stringify({ database: { url }, logging: { console: 'off' } }));
  const run = (...args: string[]) => runCli([...args, '--config', config]);

  const review = await stageInvoice(pool, numberedInvoice(1), 'needs_review');
  const reprocessed = await run('invoices', 'reprocess', review, '--as', 'Jana');
  t.is(reprocessed.status, 0, reprocessed.stderr);
  t.regex(reprocessed.stdout, /\(was needs_review\) will be extracted and validated again/);
  t.is((await statusOf(pool, review)).status, 'received');
  t.like((await eventsOf(pool, review)).at(-1), {
    from_status: 'needs_review',
    to_status: 'received',
    actor: 'Jana (cli)',
  });

  const posted = await stageInvoice(pool, numberedInvoice(2), 'posted');
  const refused = await run('invoices', 'reprocess', posted);
  t.is(refused.status, 1);
  t.regex(refused.stderr, /is posted; only an invoice in needs_review or unreadable can be processed again/);

  const unreadable = await stageInvoice(pool, numberedInvoice(3), 'unreadable');
  const rejected = await run('reject', unreadable, '--as', 'Jana', '--reason', 'a delivery note, not an invoice');
  t.is(rejected.status, 0, rejected.stderr);
  t.is((await statusOf(pool, unreadable)).status, 'rejected');
});
