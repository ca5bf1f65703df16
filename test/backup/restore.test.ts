import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import test from 'ava';
import pg from 'pg';
import { backupInfo, restoreBackup } from '../../src/backup/restore.ts';
import { runBackup } from '../../src/backup/runBackup.ts';
import { LoaderError } from '../../src/errors.ts';
import { createScratchDatabase } from '../support/database.ts';
import { pdfBytes } from '../support/fixtures.ts';
import { tempDir } from '../support/tempDir.ts';
import { addInvoice, invoiceDatabase, invoicesWithBytes, pgTools } from './backupFixtures.ts';
import { shippedMigrations } from '../../src/db/migrate.ts';

async function query(url: string, sql: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql, values);
  } finally {
    await client.end();
  }
}

/** Loses an invoice the way an operator's mistake would: its events, the invoice and its document. */
async function deleteInvoice(url: string, invoiceId: string): Promise<void> {
  await query(
    url,
    `BEGIN;
     ALTER TABLE invoice_events DISABLE TRIGGER invoice_events_no_change;
     DELETE FROM invoice_events WHERE invoice_id = '${invoiceId}';
     WITH gone AS (DELETE FROM invoices WHERE id = '${invoiceId}' RETURNING document_id)
       DELETE FROM documents WHERE id IN (SELECT document_id FROM gone);
     ALTER TABLE invoice_events ENABLE TRIGGER invoice_events_no_change;
     COMMIT;`,
  );
}

async function markDaemon(url: string, lastSeen: string, stopped: boolean): Promise<string> {
  const id = randomUUID();
  await query(
    url,
    `INSERT INTO daemon_instances (id, hostname, pid, version, last_seen_at, stopped_at)
     VALUES ($1, 'invoice-server', 4242, '0.1.0', now() - $2::interval, CASE WHEN $3 THEN now() END)`,
    [id, lastSeen, stopped],
  );
  return id;
}

test('restore --drop brings back the database as it was backed up: rows, original bytes and the schema', async (t) => {
  const { url, pool } = await invoiceDatabase(t, 4);
  const tools = await pgTools();
  const before = await invoicesWithBytes(url);
  const { file, manifest } = await runBackup({ url, dir: tempDir(t), type: 'manual', tools });
  t.deepEqual(await backupInfo(file), manifest);

  // After the backup: an invoice is lost, a document's bytes are damaged, a new invoice arrives.
  await deleteInvoice(url, before[1]!.id);
  await query(url, `UPDATE documents SET content = '\\x00' WHERE sha256 = $1`, [before[2]!.sha256]);
  await addInvoice(pool, pdfBytes('after the backup'), 'later.pdf');
  t.notDeepEqual(await invoicesWithBytes(url), before);

  const restored = await restoreBackup(file, { url, drop: true, tools });
  t.true(restored.durationMs > 0);
  t.deepEqual(
    restored.tables.map((table) => [table.table, table.expected, table.restored]),
    Object.entries(manifest.row_counts).map(([table, count]) => [table, count, count]),
  );
  t.deepEqual(await invoicesWithBytes(url), before);
  // The schema came back whole, triggers included: the history is append-only again.
  await t.throwsAsync(query(url, 'DELETE FROM invoice_events'), { message: /append-only/ });
  t.is((await query(url, 'SELECT count(*)::int AS n FROM pgmigrations')).rows[0].n, shippedMigrations().length);
});

test('restore refuses while a daemon is running against the target, and changes nothing', async (t) => {
  const { url, pool } = await invoiceDatabase(t, 2);
  const tools = await pgTools();
  const { file } = await runBackup({ url, dir: tempDir(t), type: 'manual', tools });
  await addInvoice(pool, pdfBytes('kept'), 'kept.pdf');
  const running = await markDaemon(url, '5 seconds', false);
  const current = await invoicesWithBytes(url);

  const error = await t.throwsAsync(restoreBackup(file, { url, drop: true, tools }), { instanceOf: LoaderError });
  t.is(error.code, 'RESTORE_DAEMON_RUNNING');
  t.regex(error.message, /host invoice-server, pid 4242.*stop it/);
  t.deepEqual(await invoicesWithBytes(url), current, 'nothing was dropped');

  // A daemon that stopped, or one that crashed long ago (not seen for minutes), does not block.
  await query(url, 'UPDATE daemon_instances SET stopped_at = now() WHERE id = $1', [running]);
  await markDaemon(url, '5 minutes', false);
  await restoreBackup(file, { url, drop: true, tools });
  t.is((await query(url, 'SELECT count(*)::int AS n FROM invoices')).rows[0].n, 2);
});

test('restore without --drop refuses a database that holds tables, and fills an empty one', async (t) => {
  const { url } = await invoiceDatabase(t, 2);
  const tools = await pgTools();
  const { file, manifest } = await runBackup({ url, dir: tempDir(t), type: 'manual', tools });

  const error = await t.throwsAsync(restoreBackup(file, { url, drop: false, tools }), { instanceOf: LoaderError });
  t.is(error.code, 'RESTORE_TARGET_NOT_EMPTY');
  t.regex(error.message, /--drop/);

  const empty = await createScratchDatabase('restore_target');
  t.teardown(empty.drop);
  const restored = await restoreBackup(file, { url: empty.url, drop: false, tools });
  t.true(restored.tables.every((table) => table.restored === table.expected));
  t.deepEqual(await invoicesWithBytes(empty.url), await invoicesWithBytes(url));
  t.is(manifest.row_counts['public.invoices'], 2);
});

test('restore refuses a damaged backup before touching the target', async (t) => {
  const { url } = await invoiceDatabase(t, 2);
  const tools = await pgTools();
  const { file } = await runBackup({ url, dir: tempDir(t), type: 'manual', tools });
  const bytes = readFileSync(file);
  bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
  writeFileSync(file, bytes);
  const current = await invoicesWithBytes(url);
  const error = await t.throwsAsync(restoreBackup(file, { url, drop: true, tools }), { instanceOf: LoaderError });
  t.is(error.code, 'RESTORE_BACKUP_INVALID');
  t.regex(error.message, /damaged or was changed/);
  t.deepEqual(await invoicesWithBytes(url), current);
});
