import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { startDaemonProcess } from '../support/daemonProcess.ts';
import { buildUbl } from '../support/einvoices.ts';
import { pdfBytes } from '../support/fixtures.ts';
import { migratedDatabase } from '../support/migratedDatabase.ts';
import { numberedInvoice } from '../support/stagedInvoices.ts';
import { until } from '../support/until.ts';

/**
 * What an operator and Prometheus see of invoices in the real daemon: log lines that say why an
 * invoice stopped and where it came from, people's decisions and postings at info, and
 * /metrics counters by transition and channel with stage-duration histograms that move.
 */
const FAST = {
  intake: { dropFolder: { pollMs: 100, stableMs: 300 } },
  pipeline: { pollMs: 200 },
  nex: { pollMs: 200 },
};

/** The sum of the samples of `name` that carry `labels` (others may differ), in Prometheus text; 0 when none. */
function sample(metrics: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  let sum = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length + 1, line.indexOf('}'));
    if (wanted.every((pair) => labelText.split(',').includes(pair))) sum += Number(line.split(' ').at(-1));
  }
  return sum;
}

test('needs_review and unreadable log their reason and origin; decisions and postings are logged; /metrics counts transitions and stage durations', async (t) => {
  const { url, pool } = await migratedDatabase(t);
  const daemon = await startDaemonProcess(t, { databaseUrl: url, config: FAST });
  await daemon.waitForStatus('/health/ready', 200, 90_000);
  const scrape = async () => (await daemon.request('/metrics', { token: null })).text();
  const before = await scrape();
  t.is(sample(before, 'invoice_loader_invoice_transitions_total', { to: 'posted' }), 0);

  const inbox = join(daemon.dir, 'inbox');
  writeFileSync(join(inbox, 'valid.xml'), buildUbl(numberedInvoice(1))); // approved by the rules, then posted
  writeFileSync(join(inbox, 'review.pdf'), pdfBytes('review')); // readable, but no invoice fields
  writeFileSync(join(inbox, 'empty.pdf'), ''); // unreadable
  const post = (path: string, body: unknown) =>
    daemon.request(path, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
  const uploaded = await post('/invoice', {
    file_b64: pdfBytes('mailed').toString('base64'),
    filename: 'mailed.pdf',
    from: 'fakturacia@dodavatel.sk',
    subject: 'Faktúra 2026/123',
  });
  t.is(uploaded.status, 201, await uploaded.clone().text());

  const unreadable = await daemon.waitForLog((e) => e.status === 'unreadable' && e.filename === 'empty.pdf', 60_000);
  t.like(unreadable, { level: 40, channel: 'drop_folder', reason: 'the file is empty' });
  t.regex(String(unreadable.msg), /unreadable \(empty\.pdf via drop folder\): the file is empty/);
  const review = await daemon.waitForLog((e) => e.status === 'needs_review' && e.filename === 'review.pdf', 60_000);
  t.like(review, { level: 30, channel: 'drop_folder' });
  t.true(typeof review.reason === 'string' && (review.reason as string).length > 0);
  const mailed = await daemon.waitForLog((e) => e.status === 'needs_review' && e.filename === 'mailed.pdf', 60_000);
  t.like(mailed, { channel: 'http', mail_subject: 'Faktúra 2026/123', mail_from: 'fakturacia@dodavatel.sk' });
  const approved = await daemon.waitForLog((e) => e.status === 'approved' && e.filename === 'valid.xml', 60_000);
  t.is(approved.level, 30);
  const posted = await daemon.waitForLog((e) => e.via === 'outbox' && e.filename === 'valid.xml', 60_000);
  t.like(posted, { level: 30 });
  t.regex(String(posted.outbox_file), /^36555720_FV2026-00001_.*\.isdoc$/);

  // People over HTTP: a rejection and a reprocess, each logged and counted.
  const reviewId = String(review.invoice);
  const rejected = await post(`/api/invoices/${reviewId}/reject`, { approver: 'Jana', reason: 'not an invoice' });
  t.is(rejected.status, 200, await rejected.clone().text());
  const rejection = await daemon.waitForLog((e) => e.status === 'rejected' && e.invoice === reviewId);
  t.like(rejection, { level: 30, from: 'needs_review', filename: 'review.pdf', channel: 'drop_folder' });
  const reprocessed = await post(`/api/invoices/${String(unreadable.invoice)}/reprocess`, { approver: 'Jana' });
  t.like(await reprocessed.json(), { changed: true, status: 'received' });
  await until(
    'the reprocessed invoice back in unreadable',
    async () =>
      (
        await pool.query(
          "SELECT 1 FROM invoice_events WHERE invoice_id = $1 AND to_status = 'unreadable' AND seq > 4",
          [unreadable.invoice],
        )
      ).rows[0],
  );

  const metrics = await until('the counters', async () => {
    const text = await scrape();
    return sample(text, 'invoice_loader_invoice_transitions_total', { from: 'unreadable', to: 'received' }) === 1 &&
      sample(text, 'invoice_loader_invoice_transitions_total', { from: 'extracting', to: 'unreadable' }) === 2
      ? text
      : undefined;
  });
  const transitions = (labels: Record<string, string>) =>
    sample(metrics, 'invoice_loader_invoice_transitions_total', labels);
  t.is(transitions({ from: 'extracting', to: 'extracted', channel: 'drop_folder' }), 2);
  t.is(transitions({ from: 'extracting', to: 'extracted', channel: 'http' }), 1);
  t.is(transitions({ from: 'validating', to: 'needs_review', channel: 'drop_folder' }), 1);
  t.is(transitions({ from: 'validating', to: 'needs_review', channel: 'http' }), 1);
  t.is(transitions({ from: 'validated', to: 'approved', channel: 'drop_folder' }), 1);
  t.is(transitions({ from: 'approved', to: 'posted', channel: 'drop_folder' }), 1);
  t.is(transitions({ from: 'needs_review', to: 'rejected', channel: 'drop_folder' }), 1);
  t.is(transitions({ from: 'unreadable', to: 'received', channel: 'drop_folder' }), 1);
  const count = (stage: string) => sample(metrics, 'invoice_loader_stage_duration_seconds_count', { stage });
  t.is(count('extraction'), 5, 'four documents, one of them read twice');
  t.is(count('validation'), 3);
  t.is(count('posting'), 1);
  t.regex(
    metrics,
    /invoice_loader_stage_duration_seconds_bucket\{le="0\.5",stage="extraction",outcome="extracted"\} \d/,
  );
});
