import { randomUUID } from 'node:crypto';
import test from 'ava';
import type pg from 'pg';
import {
  claimActive,
  transition,
  receiveDocument,
  recordFailure,
  releaseLeases,
  type IncomingDocument,
} from '../../src/db/invoiceStore.ts';
import { migratedPool } from '../support/migratedDatabase.ts';

const pdf = (tag: string) => Buffer.from(`%PDF-1.4\n% ${tag}\n1 0 obj\n<<>>\nendobj\n%%EOF\n`);
const arrival = (bytes: Buffer, extra: Partial<IncomingDocument> = {}): IncomingDocument => ({
  bytes,
  filename: 'a.pdf',
  mediaType: 'application/pdf',
  channel: 'drop_folder',
  ...extra,
});

async function events(pool: pg.Pool, id: string) {
  return (
    await pool.query(
      'SELECT seq, from_status, to_status, actor FROM invoice_events WHERE invoice_id = $1 ORDER BY seq',
      [id],
    )
  ).rows;
}

test('a document and its received invoice are stored together, with the first event', async (t) => {
  const pool = await migratedPool(t);
  const result = await receiveDocument(
    pool,
    arrival(pdf('one'), { sender: 'dodavatel@example.sk', subject: 'Faktúra', messageId: '<m1@x>' }),
    'test',
  );
  t.like(result, { status: 'received', duplicate: false, duplicateOf: null, replay: false });
  const row = (
    await pool.query(
      'SELECT i.*, d.size_bytes, d.sha256 FROM invoices i JOIN documents d ON d.id = i.document_id WHERE i.id = $1',
      [result.invoiceId],
    )
  ).rows[0];
  t.like(row, {
    status: 'received',
    channel: 'drop_folder',
    filename: 'a.pdf',
    sender: 'dodavatel@example.sk',
    subject: 'Faktúra',
    message_id: '<m1@x>',
  });
  t.is(row.size_bytes, pdf('one').length);
  t.deepEqual(await events(pool, result.invoiceId), [
    { seq: 1, from_status: null, to_status: 'received', actor: 'test' },
  ]);
});

test('the same bytes again are a duplicate linked to the original, with their own history', async (t) => {
  const pool = await migratedPool(t);
  const first = await receiveDocument(pool, arrival(pdf('same')), 'test');
  const second = await receiveDocument(pool, arrival(pdf('same'), { filename: 'copy.pdf' }), 'test');
  t.like(second, { status: 'duplicate', duplicate: true, duplicateOf: first.invoiceId, replay: false });
  t.deepEqual(
    (await events(pool, second.invoiceId)).map((e) => [e.seq, e.from_status, e.to_status]),
    [
      [1, null, 'received'],
      [2, 'received', 'duplicate'],
    ],
  );
  t.is((await pool.query('SELECT count(*)::int AS n FROM documents')).rows[0].n, 1, 'the bytes are stored once');
});

test('the same arrival read again (same intake reference) is a replay: nothing new is stored', async (t) => {
  const pool = await migratedPool(t);
  const first = await receiveDocument(pool, arrival(pdf('r'), { intakeRef: 'a.pdf|40|1000' }), 'test');
  const again = await receiveDocument(pool, arrival(pdf('r'), { intakeRef: 'a.pdf|40|1000' }), 'test');
  t.like(again, { invoiceId: first.invoiceId, replay: true, duplicate: false });
  const dropAgain = await receiveDocument(pool, arrival(pdf('r'), { intakeRef: 'a.pdf|40|2000' }), 'test');
  t.like(
    dropAgain,
    { duplicate: true, duplicateOf: first.invoiceId, replay: false },
    'a new arrival of the same file is a duplicate',
  );
  t.is((await pool.query('SELECT count(*)::int AS n FROM invoices')).rows[0].n, 2);
});

test('two copies arriving at the same moment yield one original and one duplicate', async (t) => {
  const pool = await migratedPool(t);
  const results = await Promise.all(
    [1, 2, 3, 4].map((n) => receiveDocument(pool, arrival(pdf('race'), { filename: `${n}.pdf` }), 'test')),
  );
  t.is(results.filter((r) => !r.duplicate).length, 1);
  const original = results.find((r) => !r.duplicate)!.invoiceId;
  t.true(results.filter((r) => r.duplicate).every((r) => r.duplicateOf === original));
});

test('a transition commits status and event together, and refuses to move from a stale status', async (t) => {
  const pool = await migratedPool(t);
  const { invoiceId } = await receiveDocument(pool, arrival(pdf('t')), 'test');
  await transition(pool, { invoiceId, from: 'received', to: 'extracting', reason: 'go', actor: 'worker-1' });
  const conflict = await t.throwsAsync(
    transition(pool, { invoiceId, from: 'received', to: 'extracting', reason: 'again', actor: 'worker-2' }),
  );
  t.is((conflict as { code?: string }).code, 'INVOICE_STATE_CONFLICT');
  t.deepEqual(
    (await events(pool, invoiceId)).map((e) => [e.seq, e.to_status, e.actor]),
    [
      [1, 'received', 'test'],
      [2, 'extracting', 'worker-1'],
    ],
  );
  await t.throwsAsync(pool.query('DELETE FROM invoice_events WHERE invoice_id = $1', [invoiceId]), {
    message: /append-only/,
  });
});

test('claims are leases: an invoice held by one daemon is not claimed by another until the lease runs out', async (t) => {
  const pool = await migratedPool(t);
  const ids = [];
  for (let n = 0; n < 5; n++) ids.push((await receiveDocument(pool, arrival(pdf(`c${n}`)), 'test')).invoiceId);
  const [a, b] = [randomUUID(), randomUUID()];
  const first = await claimActive(pool, a, 3, 60_000);
  const second = await claimActive(pool, b, 10, 60_000);
  t.is(first.length, 3);
  t.is(second.length, 2);
  t.deepEqual([...first, ...second].map((c) => c.id).sort(), [...ids].sort(), 'every invoice is claimed exactly once');
  t.deepEqual(await claimActive(pool, b, 10, 60_000), []);
  await pool.query("UPDATE invoices SET lease_until = now() - interval '1 second' WHERE lease_owner = $1", [a]);
  t.is((await claimActive(pool, b, 10, 60_000)).length, 3, 'expired leases are taken over');
});

test('a graceful stop gives back all its leases in one statement, and only its own', async (t) => {
  const pool = await migratedPool(t);
  for (let n = 0; n < 5; n++) await receiveDocument(pool, arrival(pdf(`r${n}`)), 'test');
  const [mine, theirs] = [randomUUID(), randomUUID()];
  const held = (await claimActive(pool, mine, 3, 60_000)).map((c) => c.id);
  const other = (await claimActive(pool, theirs, 10, 60_000)).map((c) => c.id);
  await releaseLeases(pool, mine, [...held, ...other]);
  const owners = await pool.query<{ id: string; lease_owner: string | null; lease_until: Date | null }>(
    'SELECT id, lease_owner, lease_until FROM invoices',
  );
  for (const row of owners.rows) {
    if (held.includes(row.id)) t.like(row, { lease_owner: null, lease_until: null });
    else t.is(row.lease_owner, theirs, "another daemon's lease is left alone");
  }
  t.is(owners.rows.length, 5);
});

test('a failing invoice is backed off, then quarantined as unreadable after the last attempt', async (t) => {
  const pool = await migratedPool(t);
  const { invoiceId } = await receiveDocument(pool, arrival(pdf('f')), 'test');
  const options = { maxAttempts: 3, backoffMs: () => 60_000, actor: 'test' };
  t.deepEqual(await recordFailure(pool, invoiceId, 'boom', options), { attempts: 1, quarantined: false });
  const leased = (
    await pool.query("SELECT lease_until > now() + interval '50 seconds' AS later FROM invoices WHERE id = $1", [
      invoiceId,
    ])
  ).rows[0];
  t.true(leased.later, 'not claimable during the backoff');
  await recordFailure(pool, invoiceId, 'boom', options);
  t.deepEqual(await recordFailure(pool, invoiceId, 'still boom', options), { attempts: 3, quarantined: true });
  const row = (await pool.query('SELECT status, status_reason FROM invoices WHERE id = $1', [invoiceId])).rows[0];
  t.deepEqual(row, { status: 'unreadable', status_reason: 'processing failed 3 times; last error: still boom' });
});

test('supplier + invoice number is unique among real invoices only', async (t) => {
  const pool = await migratedPool(t);
  const a = await receiveDocument(pool, arrival(pdf('n1')), 'test');
  const b = await receiveDocument(pool, arrival(pdf('n2')), 'test');
  await pool.query("UPDATE invoices SET supplier_key = '36555720', invoice_number = 'FV1' WHERE id = $1", [
    a.invoiceId,
  ]);
  await t.throwsAsync(
    pool.query("UPDATE invoices SET supplier_key = '36555720', invoice_number = 'FV1' WHERE id = $1", [b.invoiceId]),
    {
      message: /invoices_supplier_number/,
    },
  );
  await pool.query(
    "UPDATE invoices SET status = 'duplicate', duplicate_of = $2, supplier_key = '36555720', invoice_number = 'FV1' WHERE id = $1",
    [b.invoiceId, a.invoiceId],
  );
  t.pass();
});
