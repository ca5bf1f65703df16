import test from 'ava';
import pg from 'pg';
import { createSessionLock, lockKey, type SessionLock } from '../../src/db/advisoryLock.ts';
import { createTestDatabase } from '../support/database.ts';
import { until } from '../support/until.ts';

/**
 * The singleton lock against a real PostgreSQL: one session holds it, a second one is told
 * no, and the lock is free again as soon as the holding session ends — released, or cut by
 * the server — which the holder hears.
 */
const locks: SessionLock[] = [];
test.after.always(async () => {
  await Promise.all(locks.map((lock) => lock.release()));
});

function lockOn(url: string, name = 'backup', instance = 'a') {
  const lock = createSessionLock({
    name,
    connectionUrl: () => url,
    connectTimeoutMs: 5_000,
    checkMs: 200,
    applicationName: `invoice-loader ${instance} singleton ${name}`,
  });
  locks.push(lock);
  return lock;
}

test('the key of a name is stable and differs between names', (t) => {
  t.is(lockKey('backup'), lockKey('backup'));
  t.not(lockKey('backup'), lockKey('alertMail'));
  t.regex(lockKey('mailbox:invoices@mail.example.sk:993/INBOX'), /^-?\d+$/);
});

test('one session holds the lock; another is refused until the holder releases it', async (t) => {
  const url = await createTestDatabase(t);
  const first = lockOn(url, 'backup', 'a');
  const second = lockOn(url, 'backup', 'b');
  const other = lockOn(url, 'alertMail', 'b');
  t.true(await first.tryAcquire());
  t.false(await second.tryAcquire(), 'held by the first');
  t.false(await second.tryAcquire(), 'asked again on the same session: still no');
  t.true(await other.tryAcquire(), 'another name is another lock');
  await first.release();
  t.true(await until('the lock free again', async () => ((await second.tryAcquire()) ? true : undefined)));
});

test('a holder whose session the server ends hears it, and the lock is free for the others', async (t) => {
  const url = await createTestDatabase(t);
  const holder = lockOn(url, 'mailbox:x', 'a');
  const standby = lockOn(url, 'mailbox:x', 'b');
  t.true(await holder.tryAcquire());
  const lost = new Promise<Error>((resolve) => holder.watch(resolve));
  t.false(await standby.tryAcquire());

  // What an operator sees: which instance's session holds the lock.
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  t.teardown(() => admin.end());
  const { rows } = await admin.query<{ application_name: string; pid: number }>(
    `SELECT a.application_name, a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()`,
  );
  t.deepEqual(
    rows.map((r) => r.application_name),
    ['invoice-loader a singleton mailbox:x'],
  );
  await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
  const error = await lost;
  t.is((error as Error & { code?: string }).code, 'SINGLETON_LOCK_LOST');
  // The server frees the lock as the terminated backend exits, a moment after the client hears of it.
  t.true(await until('the lock freed with the session', async () => ((await standby.tryAcquire()) ? true : undefined)));
});
