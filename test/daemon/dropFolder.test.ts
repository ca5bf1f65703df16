import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import pg from 'pg';
import { sha256 } from '../../src/db/invoiceStore.ts';
import { freePort } from '../../src/runtime/freePort.ts';
import { createTestDatabase } from '../support/database.ts';
import { startDaemonProcess, type DaemonProcess } from '../support/daemonProcess.ts';
import { pdfBytes } from '../support/fixtures.ts';
import { tcpProxy } from '../support/tcpProxy.ts';
import { until } from '../support/until.ts';

const FAST = { intake: { dropFolder: { pollMs: 100, stableMs: 400 } }, pipeline: { pollMs: 200 } };

async function setup(t: Parameters<typeof startDaemonProcess>[0], config: Record<string, unknown> = FAST) {
  const url = await createTestDatabase(t);
  const daemon = await startDaemonProcess(t, { databaseUrl: url, config });
  await daemon.waitForStatus('/health/ready', 200);
  const pool = new pg.Pool({ connectionString: url });
  t.teardown(() => pool.end());
  return { daemon, pool, inbox: join(daemon.dir, 'inbox') };
}

const processedFiles = (daemon: DaemonProcess) => {
  const root = join(daemon.dir, 'inbox', 'processed');
  return existsSync(root) ? readdirSync(root).flatMap((day) => readdirSync(join(root, day))) : [];
};

test('a file still being written is taken only once it is complete', async (t) => {
  // A stability window far above the pause between writes (150 ms), so that a loaded CI
  // machine stalling this test's writes for a moment cannot make the file look finished.
  const { daemon, pool, inbox } = await setup(t, {
    intake: { dropFolder: { pollMs: 100, stableMs: 2_000 } },
    pipeline: { pollMs: 200 },
  });
  const whole = pdfBytes('growing', 4000);
  const path = join(inbox, 'growing.pdf');
  writeFileSync(path, whole.subarray(0, 1000));
  // Keep writing in small pieces for longer than stableMs: the file never looks finished.
  for (let offset = 1000; offset < whole.length; offset += 250) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    appendFileSync(path, whole.subarray(offset, Math.min(offset + 250, whole.length)));
  }
  const row = await until(
    'the invoice',
    async () =>
      (await pool.query('SELECT d.sha256, i.status FROM invoices i JOIN documents d ON d.id = i.document_id')).rows[0],
  );
  t.is(row.sha256, sha256(whole), 'the stored bytes are the complete file');
  t.is((await pool.query('SELECT count(*)::int AS n FROM invoices')).rows[0].n, 1, 'no invoice for a partial file');
  await until('the move', async () => (processedFiles(daemon).includes('growing.pdf') ? true : undefined));
  t.false(existsSync(path));
});

test('duplicates, empty files and files of other types are all moved out of the inbox, each with its outcome', async (t) => {
  const { daemon, pool, inbox } = await setup(t);
  writeFileSync(join(inbox, 'original.pdf'), pdfBytes('dup'));
  await until(
    'the original',
    async () => (await pool.query("SELECT 1 FROM invoices WHERE filename = 'original.pdf'")).rows[0],
  );
  writeFileSync(join(inbox, 'copy.pdf'), pdfBytes('dup'));
  writeFileSync(join(inbox, 'empty.pdf'), '');
  writeFileSync(join(inbox, 'letter.docx'), 'not an invoice');

  const rows = await until('every outcome', async () => {
    const found = (
      await pool.query(
        "SELECT filename, status, status_reason, duplicate_of FROM invoices WHERE status IN ('duplicate', 'unreadable', 'needs_review') ORDER BY filename",
      )
    ).rows;
    return found.length === 3 ? found : undefined;
  });
  const original = (await pool.query("SELECT id FROM invoices WHERE filename = 'original.pdf'")).rows[0].id;
  t.like(rows[0], { filename: 'copy.pdf', status: 'duplicate', duplicate_of: original });
  t.like(rows[1], { filename: 'empty.pdf', status: 'unreadable', status_reason: 'the file is empty' });
  t.like(rows[2], { filename: 'original.pdf', status: 'needs_review' });
  await until('the moves', async () => (processedFiles(daemon).length === 3 ? true : undefined));
  t.deepEqual(processedFiles(daemon).sort(), ['copy.pdf', 'empty.pdf', 'original.pdf']);
  t.deepEqual(readdirSync(join(inbox, 'rejected')).sort(), ['letter.docx', 'letter.docx.reason.txt']);
  t.regex(readFileSync(join(inbox, 'rejected', 'letter.docx.reason.txt'), 'utf8'), /not an invoice document type/);
  t.deepEqual(readdirSync(inbox).sort(), ['processed', 'rejected'], 'nothing is left in the inbox');
});

/**
 * The drop folder is a scale-out singleton by default (scaleOut.dropFolder: shared): its lock
 * lives on a database session, so an outage ends it and the folder is not read until the lock is
 * taken again. With `perInstance` it keeps scanning and defers each file it cannot store.
 */
for (const dropFolder of ['shared', 'perInstance'] as const) {
  test(`while the database is down a file stays in the inbox, and is taken when it is back (scaleOut.dropFolder: ${dropFolder})`, async (t) => {
    const real = new URL(await createTestDatabase(t));
    const port = await freePort();
    const proxy = tcpProxy(port, real.hostname, Number(real.port || 5432));
    t.teardown(() => proxy.close());
    await proxy.open();
    const daemon = await startDaemonProcess(t, {
      databaseUrl: `postgres://${real.username || 'postgres'}@127.0.0.1:${port}${real.pathname}`,
      config: { ...FAST, scaleOut: { dropFolder } },
    });
    await daemon.waitForStatus('/health/ready', 200);
    // Ready does not wait for a singleton to take its lock (standing by is running): the shared
    // folder's must hold it before the database goes, or there is no lock to lose.
    if (dropFolder === 'shared')
      await daemon.waitForLog((e) => e.code === 'SINGLETON_LEADING' && e.singleton === 'dropFolder');
    await proxy.close();
    await daemon.waitForStatus('/health', 503);

    const inbox = join(daemon.dir, 'inbox');
    const mark = daemon.logs.length;
    writeFileSync(join(inbox, 'waiting.pdf'), pdfBytes('waiting'));
    if (dropFolder === 'perInstance') {
      const deferred = await daemon.waitForLog((e) => e.code === 'INTAKE_DEFERRED');
      t.regex(deferred.msg, /^waiting\.pdf stays in the drop folder for now: The database .* is not available/);
    } else {
      // Its lock went with the database session: the folder is not read while the lock cannot be taken.
      await daemon.waitForLog((e) => e.code === 'SINGLETON_LOCK_LOST' && e.singleton === 'dropFolder');
      await daemon.waitForLog((e) => e.msg === 'cannot try the lock of dropFolder', 20_000, mark);
      await daemon.waitForLog((e) => e.msg === 'cannot try the lock of dropFolder', 20_000, daemon.logs.length);
      t.false(
        daemon.logs.some((e) => e.code === 'INTAKE_DEFERRED'),
        'no scan while the lock is not held',
      );
    }
    t.true(existsSync(join(inbox, 'waiting.pdf')), 'not moved while it could not be stored');

    await proxy.open();
    const pool = new pg.Pool({ connectionString: real.toString() });
    t.teardown(() => pool.end());
    const row = await until(
      'the invoice',
      async () =>
        (await pool.query("SELECT status FROM invoices WHERE filename = 'waiting.pdf' AND status = 'needs_review'"))
          .rows[0],
    );
    t.is(row.status, 'needs_review');
    await until('the move', async () => (existsSync(join(inbox, 'waiting.pdf')) ? undefined : true));
    t.deepEqual(processedFiles(daemon), ['waiting.pdf']);
  });
}

test('a burst of files is taken once each: no scan races another over the same files', async (t) => {
  const { daemon, pool, inbox } = await setup(t, {
    intake: { dropFolder: { pollMs: 20, stableMs: 0 } },
    pipeline: { pollMs: 200 },
  });
  for (let i = 0; i < 60; i++) writeFileSync(join(inbox, `burst-${i}.pdf`), pdfBytes(`burst ${i}`));
  await until('all 60 stored', async () =>
    (await pool.query('SELECT count(*)::int AS n FROM invoices')).rows[0].n === 60 ? true : undefined,
  );
  await until('all moved', async () => (processedFiles(daemon).length === 60 ? true : undefined));
  t.is(daemon.logs.filter((e) => e.code === 'INTAKE_DEFERRED').length, 0, 'no file was moved from under another scan');
  t.is(daemon.logs.filter((e) => e.msg === 'document already received').length, 0, 'no file was read twice');
  t.deepEqual(
    processedFiles(daemon).filter((name) => /-\d+\.pdf$/.test(name) && !/^burst-\d+\.pdf$/.test(name)),
    [],
    'no renamed copies',
  );
});
