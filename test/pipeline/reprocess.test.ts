import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import type pg from 'pg';
import { createActor, toPromise } from 'xstate';
import { invoiceMachine } from '../../machines/invoice.ts';
import { rejectInvoice } from '../../src/approval/decisions.ts';
import { receiveDocument } from '../../src/db/invoiceStore.ts';
import type { ExtractionOutcome } from '../../src/extract/extractDocument.ts';
import { shippedTemplateDir } from '../../src/extract/shippedTemplates.ts';
import { reloadingTemplates } from '../../src/extract/templates/reloadingTemplates.ts';
import type { NormalizedInvoice } from '../../src/invoice/normalizedInvoice.ts';
import { lifecycleSteps } from '../../src/pipeline/lifecycleSteps.ts';
import { reprocessInvoice } from '../../src/pipeline/reprocess.ts';
import { validateInvoice } from '../../src/validate/validateInvoice.ts';
import { pdfBytes } from '../support/fixtures.ts';
import { migratedPool } from '../support/migratedDatabase.ts';
import { eventsOf, numberedInvoice, stageInvoice, statusOf } from '../support/stagedInvoices.ts';
import { tempDir } from '../support/tempDir.ts';
import { slovakInvoice, TODAY } from '../validate/slovakInvoice.ts';
import { personIdentity } from '../support/identities.ts';

function runLifecycle(pool: pg.Pool, invoiceId: string, extracted: () => ExtractionOutcome) {
  const machine = invoiceMachine.provide({
    actors: lifecycleSteps({
      pool: () => pool,
      extract: async () => extracted(),
      validate: (invoice: NormalizedInvoice) => validateInvoice(invoice, { today: TODAY }),
      actor: 'test',
    }),
  });
  return toPromise(createActor(machine, { input: { invoiceId, status: 'received' } }).start());
}

test('a needs_review invoice is read again on request and goes on, with its whole history kept', async (t) => {
  const pool = await migratedPool(t);
  const { invoiceId } = await receiveDocument(
    pool,
    { bytes: pdfBytes('reread'), filename: 'reread.pdf', mediaType: 'application/pdf', channel: 'drop_folder' },
    'test',
  );
  // Read with yesterday's template: the wrong column taken as the net total.
  const misread = { ...slovakInvoice(), total_net: '1.00' };
  t.like(await runLifecycle(pool, invoiceId, () => ({ kind: 'extracted', invoice: misread })), {
    status: 'needs_review',
  });
  await pool.query('UPDATE invoices SET attempts = 2 WHERE id = $1', [invoiceId]);

  const outcome = await reprocessInvoice(pool, invoiceId, 'Jana (cli)');
  t.like(outcome, { changed: true, status: 'received' });
  t.regex(outcome.message, /\(was needs_review\) will be extracted and validated again/);
  t.like(await statusOf(pool, invoiceId), { status: 'received', attempts: 0, lease_owner: null });

  // Today's template reads it right.
  t.like(await runLifecycle(pool, invoiceId, () => ({ kind: 'extracted', invoice: slovakInvoice() })), {
    status: 'validated',
  });
  const events = await eventsOf(pool, invoiceId);
  t.deepEqual(
    events.map((e) => e.to_status),
    [
      'received',
      'extracting',
      'extracted',
      'validating',
      'needs_review',
      'received',
      'extracting',
      'extracted',
      'validating',
      'validated',
    ],
  );
  t.like(events[5], { from_status: 'needs_review', actor: 'Jana (cli)', details: { reprocess: true } });
  t.like(await statusOf(pool, invoiceId), { total_net: '154.62', validation_status: 'valid' });
});

test('an unreadable invoice can be reprocessed or rejected; other statuses are refused or left alone', async (t) => {
  const pool = await migratedPool(t);
  const { invoiceId } = await receiveDocument(
    pool,
    { bytes: pdfBytes('broken'), filename: 'broken.pdf', mediaType: 'application/pdf', channel: 'http' },
    'test',
  );
  t.like(await runLifecycle(pool, invoiceId, () => ({ kind: 'unreadable', reason: 'no text' })), {
    status: 'unreadable',
  });
  t.like(await reprocessInvoice(pool, invoiceId, 'Jana (http)'), { changed: true, status: 'received' });
  t.like(await reprocessInvoice(pool, invoiceId, 'Jana (http)'), { changed: false, status: 'received' });
  t.like(await runLifecycle(pool, invoiceId, () => ({ kind: 'unreadable', reason: 'still no text' })), {
    status: 'unreadable',
  });
  const rejected = await rejectInvoice(
    pool,
    invoiceId,
    personIdentity('jana', 'operator'),
    'a scan of a delivery note',
  );
  t.like(rejected, { changed: true, status: 'rejected' });

  const posted = await stageInvoice(pool, numberedInvoice(7), 'posted');
  const refused = await t.throwsAsync(reprocessInvoice(pool, posted, 'Jana (cli)'));
  t.is((refused as { code?: string }).code, 'INVOICE_NOT_REPROCESSABLE');
  t.regex(refused!.message, /is posted; only an invoice in needs_review or unreadable can be processed again/);
  const unknown = await t.throwsAsync(reprocessInvoice(pool, 'nope', 'Jana (cli)'));
  t.is((unknown as { code?: string }).code, 'INVOICE_NOT_FOUND');
});

test('approvals of the earlier reading are dropped: the document read again is decided again', async (t) => {
  const pool = await migratedPool(t);
  const id = await stageInvoice(pool, numberedInvoice(8), 'needs_review');
  await pool.query("INSERT INTO invoice_approvals (invoice_id, approver) VALUES ($1, 'Jana')", [id]);
  await pool.query('UPDATE invoices SET nex_attempts = 3, nex_sent = true WHERE id = $1', [id]);
  await reprocessInvoice(pool, id, 'Peter (cli)');
  t.is((await pool.query('SELECT 1 FROM invoice_approvals WHERE invoice_id = $1', [id])).rowCount, 0);
  t.like(await statusOf(pool, id), { nex_attempts: 0, nex_sent: true }, 'NEX is still asked first if it may hold it');
});

const STAVMAT = (name: string) => `id: stavmat\nname: ${name}\nextends: generic\nmatch:\n  all: ['31411801']\n`;

test('templates are read again when their files change; a broken change keeps the previous set and warns once', (t) => {
  const dir = tempDir(t);
  const templates = reloadingTemplates([shippedTemplateDir, dir]);
  const names = () => templates.current().templates.map((template) => template.id);
  t.false(names().includes('stavmat'));

  writeFileSync(join(dir, 'stavmat.yaml'), STAVMAT('STAVMAT Trnava, a.s.'));
  t.true(names().includes('stavmat'), 'a new file is used without a restart');

  writeFileSync(join(dir, 'stavmat.yaml'), 'id: stavmat\nmatch: [\n');
  const broken = templates.current();
  t.true(
    broken.templates.some((template) => template.id === 'stavmat'),
    'the previous set stays in use',
  );
  t.regex(broken.warning ?? '', /could not be loaded, the previous ones stay in use: .*stavmat\.yaml/s);
  t.is(templates.current().warning, undefined, 'the same broken files are reported once');

  writeFileSync(join(dir, 'stavmat.yaml'), STAVMAT('STAVMAT Trnava, akciová spoločnosť'));
  const fixed = templates.current();
  t.is(fixed.warning, undefined);
  t.is(fixed.templates.find((template) => template.id === 'stavmat')?.name, 'STAVMAT Trnava, akciová spoločnosť');
});
