import { createToken } from '../../src/auth/apiTokens.ts';
import { addPerson } from '../../src/auth/people.ts';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { extractDocument } from '../../src/extract/extractDocument.ts';
import { migratedDatabase } from '../support/migratedDatabase.ts';
import { DaemonProcess, startDaemonProcess } from '../support/daemonProcess.ts';
import { buildUbl } from '../support/einvoices.ts';
import { startNexSimulator } from '../support/nexSimulator.ts';
import { largeInvoice, numberedInvoice, stageInvoice, statusOf } from '../support/stagedInvoices.ts';
import { until } from '../support/until.ts';

/**
 * The NEX writer in the real daemon: the embedded default's outbox mode end to end, an
 * approval over HTTP, and the gateway path surviving SIGKILLs with posts in flight.
 */
const FAST = {
  intake: { dropFolder: { pollMs: 100, stableMs: 300 } },
  pipeline: { pollMs: 200 },
  nex: { pollMs: 200 },
};

test('outbox mode: a dropped invoice ends as ISDOC + sidecar in the outbox; a large one waits for an approval; reject and the dead-letter queue over HTTP', async (t) => {
  // Staged before the daemon starts, so its lifecycle does not race the staging.
  const { url, pool } = await migratedDatabase(t);
  const unwanted = await stageInvoice(pool, numberedInvoice(3), 'validated');
  const dead = await stageInvoice(pool, numberedInvoice(4), 'dead_letter');
  const daemon = await startDaemonProcess(t, { databaseUrl: url, config: FAST });
  await daemon.waitForStatus('/health/ready', 200);
  const outbox = join(daemon.dir, 'outbox');

  const small = numberedInvoice(1);
  const dropped = Date.now();
  writeFileSync(join(daemon.dir, 'inbox', 'small.xml'), buildUbl(small));
  const isdocName = await until('the ISDOC file', () =>
    existsSync(outbox) ? readdirSync(outbox).find((f) => f.endsWith('.isdoc')) : undefined,
  );
  t.log(`dropped → ISDOC in the outbox: ${((Date.now() - dropped) / 1000).toFixed(1)} s`);
  const files = readdirSync(outbox).sort();
  t.deepEqual(files, [isdocName, isdocName.replace(/\.isdoc$/, '.json')], 'the ISDOC and its sidecar, no temp files');
  const row = (
    await pool.query(
      "SELECT id, status, posted_via, outbox_file, matching_status FROM invoices WHERE filename = 'small.xml'",
    )
  ).rows[0];
  t.like(row, { status: 'posted', posted_via: 'outbox', outbox_file: isdocName, matching_status: 'not_applicable' });
  t.is(isdocName, `36555720_FV2026-00001_${row.id}.isdoc`);
  const read = await extractDocument(readFileSync(join(outbox, isdocName)), 'application/xml', {
    mode: 'auto',
    templates: [],
  });
  t.is(read.kind, 'extracted');
  if (read.kind === 'extracted') {
    t.like(read.invoice, { invoice_number: 'FV2026-00001', total_gross: '183.43', total_vat: '28.81' });
    t.is(read.invoice.lines.length, 3);
  }
  const sidecar = JSON.parse(readFileSync(join(outbox, isdocName.replace(/\.isdoc$/, '.json')), 'utf8'));
  t.like(sidecar, { invoice_id: row.id, channel: 'drop_folder', filename: 'small.xml' });
  const events = (
    await pool.query('SELECT to_status, actor FROM invoice_events WHERE invoice_id = $1 ORDER BY seq', [row.id])
  ).rows;
  t.deepEqual(
    events.map((e) => e.to_status),
    ['received', 'extracting', 'extracted', 'validating', 'validated', 'approved', 'posted'],
  );
  t.regex(events[5].actor, /^rules@/);

  // Above approval.autoApproveBelow the invoice waits; an approval over HTTP sends it on.
  writeFileSync(join(daemon.dir, 'inbox', 'large.xml'), buildUbl(largeInvoice(2)));
  const large = await until('the large invoice to wait', async () => {
    const found = (await pool.query("SELECT id, status, status_reason FROM invoices WHERE filename = 'large.xml'"))
      .rows[0];
    return found?.status === 'validated' ? found : undefined;
  });
  t.regex(large.status_reason, /waits for approval by one person: gross 2048\.36 EUR is not below 1000/);
  const refused = await daemon.request(`/api/invoices/${large.id}/approve`, {
    method: 'POST',
    body: JSON.stringify({ approver: 'Jana' }),
    headers: { 'content-type': 'application/json' },
  });
  t.is(refused.status, 403, 'http.token is an integration token (operator): it never approves, whatever name it sends');
  await addPerson(pool, { name: 'jana', role: 'approver' });
  const { token: janaToken } = await createToken(pool, { label: 'jana-script', person: 'jana' });
  const approved = await daemon.request(`/api/invoices/${large.id}/approve`, {
    method: 'POST',
    token: janaToken,
    body: '{}',
    headers: { 'content-type': 'application/json' },
  });
  t.is(approved.status, 200);
  t.like(await approved.json(), { status: 'approved', changed: true });
  await until('the approved invoice in the outbox', () =>
    readdirSync(outbox).find((f) => f.includes(large.id) && f.endsWith('.isdoc')),
  );
  // The file is written before the posted commit: wait for the status, not only the file.
  await until('the approved invoice posted', async () =>
    (await statusOf(pool, large.id)).status === 'posted' ? true : undefined,
  );
  const again = await daemon.request(`/api/invoices/${large.id}/approve`, {
    method: 'POST',
    token: janaToken,
    body: '{}',
    headers: { 'content-type': 'application/json' },
  });
  t.like(await again.json(), { changed: false, status: 'posted' });
  t.is(readdirSync(outbox).length, 4);

  // Reject over HTTP, and the dead-letter queue: listed, replayed, then written to the outbox.
  const post = (path: string, body: unknown) =>
    daemon.request(path, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
  const rejected = await post(`/api/invoices/${unwanted}/reject`, { approver: 'Jana', reason: 'not ours' });
  t.like(await rejected.json(), { status: 'rejected', changed: true });
  const posted = await post(`/api/invoices/${row.id}/reject`, { approver: 'Jana', reason: 'late' });
  t.is(posted.status, 409, 'a posted invoice cannot be rejected');
  t.like(await posted.json(), { error: { code: 'INVOICE_NOT_DECIDABLE' } });
  const letters = (await (await daemon.request('/api/dlq')).json()) as { dead_letters: Array<{ id: string }> };
  t.deepEqual(
    letters.dead_letters.map((l) => l.id),
    [dead],
  );
  t.like(await (await post(`/api/dlq/${dead}/replay`, { approver: 'Jana' })).json(), { replayed: true });
  await until('the replayed invoice in the outbox', () =>
    readdirSync(outbox).find((f) => f.includes(dead) && f.endsWith('.isdoc')),
  );
  t.is((await post('/api/dlq/not-a-uuid/replay', {})).status, 404);
});

test('SIGKILL while posts are in flight: after restarts every invoice is posted exactly once', async (t) => {
  t.timeout(180_000);
  const INVOICES = 40;
  const simulator = await startNexSimulator({ apiKey: 'kill-test', seed: 7, faults: { latencyMs: [100, 250] } });
  t.teardown(() => simulator.close());
  // Staged before the daemon starts, so its lifecycle does not race the staging.
  const { url, pool } = await migratedDatabase(t);
  for (let n = 1; n <= INVOICES; n++) await stageInvoice(pool, numberedInvoice(n));
  const config = {
    ...FAST,
    nex: {
      mode: 'api',
      url: simulator.url,
      apiKey: 'kill-test',
      pollMs: 100,
      // A post held by a killed daemon is taken over (and reconciled) after this.
      leaseMs: 1_500,
      timeoutMs: 2_000,
      retry: { maxAttempts: 20, maxRetryTimeMs: 120_000, minMs: 50, maxMs: 500 },
    },
  };
  const first = await startDaemonProcess(t, { databaseUrl: url, config });
  await first.waitForStatus('/health/ready', 200);
  const daemons: DaemonProcess[] = [first];
  t.teardown(() => {
    for (const d of daemons) if (d.running) d.signal('SIGKILL');
  });

  let current = first;
  for (const progress of [5, 15, 25]) {
    // Kill while a request is out: the gateway has answered fewer imports than it received.
    await until(`${progress} imports`, () => (simulator.requestCount('import') >= progress ? true : undefined), {
      timeoutMs: 60_000,
    });
    current.signal('SIGKILL');
    await current.waitForExit();
    current = new DaemonProcess(first.dir, first.configFile, first.port, {});
    daemons.push(current);
    await current.waitForStatus('/health/ready', 200, 60_000);
  }
  await until(
    'every invoice posted',
    async () =>
      (await pool.query("SELECT count(*)::int AS n FROM invoices WHERE status = 'posted'")).rows[0].n === INVOICES
        ? true
        : undefined,
    { timeoutMs: 120_000 },
  );
  const perNumber = new Map<string, number>();
  for (const doc of simulator.documents) perNumber.set(doc.extNum, (perNumber.get(doc.extNum) ?? 0) + 1);
  const reconciled = (await pool.query("SELECT count(*)::int AS n FROM invoices WHERE posted_via = 'reconciliation'"))
    .rows[0].n;
  t.log(
    `${simulator.requestCount('import')} imports received, ${simulator.documents.length} documents, ` +
      `${reconciled} posts found by reconciliation after a kill, ${simulator.requestCount('documents')} lookups`,
  );
  t.is(simulator.documents.length, INVOICES, 'one document per invoice');
  t.deepEqual(
    [...perNumber].filter(([, count]) => count > 1),
    [],
    'zero duplicates',
  );
  t.is((await pool.query('SELECT count(*)::int AS n FROM invoices')).rows[0].n, INVOICES, 'none lost');

  // The gateway's breaker is visible in the actor tree, health and metrics.
  const tree = JSON.stringify(await (await current.request('/api/actors')).json());
  t.regex(tree, /"id":"nexWriter"[^}]*"notes":\{"breaker":"closed"\}/);
  const health = (await (await current.request('/health')).json()) as { checks: Record<string, unknown[]> };
  t.like(health.checks['breakers:state']?.[0], { componentId: 'nex', status: 'pass', observedValue: 'closed' });
  t.regex(await (await current.request('/metrics')).text(), /invoice_loader_breaker_state\{breaker="nex"\} 0/);
});
