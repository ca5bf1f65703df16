import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { stringify } from 'yaml';
import { approveInvoice } from '../../src/approval/decisions.ts';
import { personIdentity } from '../support/identities.ts';
import { migratedDatabase } from '../support/migratedDatabase.ts';
import { numberedInvoice, stageInvoice, statusOf } from '../support/stagedInvoices.ts';
import { runCli, tempDir } from '../support/tempDir.ts';

/** approve, reject and the dead-letter queue as an operator runs them, against a real database. */
test('approve, reject, dlq list and replay from the command line', async (t) => {
  const { url, pool } = await migratedDatabase(t);
  const config = join(tempDir(t), 'config.yaml');
  writeFileSync(config, stringify({ database: { url }, logging: { console: 'off' } }));
  const approvalRules = { autoApproveBelow: '1000', doubleApprovalAbove: '10000' };
  const run = (...args: string[]) => runCli([...args, '--config', config]);

  const large = await stageInvoice(pool, numberedInvoice(1, { total_gross: '15000.00' }), 'validated');
  const first = await run('approve', large, '--as', 'Jana');
  t.is(first.status, 0, first.stderr);
  t.regex(first.stdout, /approval 1 of 2 recorded for cli:\S+; it needs one more person/);
  // The CLI acts as its OS user: --as is a label, so a second name is not a second person.
  const same = await run('approve', large, '--as', 'Peter');
  t.is(same.status, 1);
  t.regex(same.stderr, /cli:\S+ has already approved invoice .*; the second approval must come from someone else/);
  const peter = personIdentity('peter');
  t.regex((await approveInvoice(pool, large, peter, approvalRules)).message, /approved by cli:\S+ and peter/);
  t.regex((await run('approve', large)).stdout, /already approved; nothing to approve/);
  t.is((await statusOf(pool, large)).status, 'approved');
  const shown = await run('invoices', 'show', large);
  t.regex(shown.stdout, /approved by\s+cli:\S+ \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\), peter/);
  t.like(JSON.parse((await run('invoices', 'show', large, '--json')).stdout).nex, { attempts: 0, posted_via: null });

  const wrong = await stageInvoice(pool, numberedInvoice(2), 'needs_review');
  t.is((await run('reject', wrong, '--as', 'Jana')).status, 1, '--reason is required');
  const rejected = await run('reject', wrong, '--as', 'Jana', '--reason', 'not our order');
  t.is(rejected.status, 0, rejected.stderr);
  t.regex((await statusOf(pool, wrong)).status_reason as string, /^rejected by cli:\S+: not our order$/);

  t.regex((await run('dlq', 'list')).stdout, /The dead-letter queue is empty/);
  const dead = await stageInvoice(pool, numberedInvoice(3), 'dead_letter');
  await pool.query(
    "UPDATE invoices SET nex_attempts = 8, nex_sent = true, nex_last_error = 'NEX gateway 503' WHERE id = $1",
    [dead],
  );
  const listed = await run('dlq', 'list', '--json');
  t.like(JSON.parse(listed.stdout)[0], {
    id: dead,
    invoice_number: 'FV2026-00003',
    attempts: 8,
    last_error: 'NEX gateway 503',
  });
  t.regex((await run('dlq', 'list')).stdout, /FV2026-00003.*NEX gateway 503/);
  t.is((await run('dlq', 'replay')).status, 1, 'an id or --all is required');
  const replayed = await run('dlq', 'replay', '--all', '--as', 'Jana');
  t.is(replayed.status, 0, replayed.stderr);
  t.regex(replayed.stdout, /replayed: it will be posted again; NEX is asked first/);
  t.like(await statusOf(pool, dead), { status: 'approved', nex_attempts: 0, nex_sent: true });
  t.regex((await run('dlq', 'replay', dead)).stdout, /is approved, not a dead letter; nothing to replay/);
});
