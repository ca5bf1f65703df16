import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { loadConfig } from '../../src/config/load.ts';
import { tempDir } from '../support/tempDir.ts';

/** Issue 17.2: the embedded superuser password is random per install, and old installs are moved off the published one. */
const LEGACY = 'invoice-loader';

async function canLogIn(port: number, password: string): Promise<boolean | string> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return true;
  } catch (error) {
    return (error as { code?: string }).code === '28P01' ? false : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const secret = (file: string) => readFileSync(file, 'utf8').trim();

async function setPassword(url: string, password: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`ALTER ROLE postgres PASSWORD ${admin.escapeLiteral(password)}`);
  await admin.end();
}

test('a default install gets its own password in a 0600 file; an old install is moved off the published one without a lock-out', async (t) => {
  t.timeout(240_000);
  const defaults = loadConfig({ env: {} }).config.database.embedded;
  const dir = join(tempDir(t), 'postgres');
  const file = `${dir}.password`;
  const settings = { ...defaults, dir, port: 0 };

  // An install from before: created with the published password.
  const old = await startEmbeddedPostgres({ ...settings, password: LEGACY });
  t.teardown(() => old.stop());
  t.true(await canLogIn(old.port, LEGACY));
  await old.stop();

  // Its next start with today's defaults: a generated password, set on the server, kept in the file.
  const moved = await startEmbeddedPostgres(settings);
  t.teardown(() => moved.stop());
  const generated = secret(file);
  t.true(generated.length >= 24);
  t.is(statSync(file).mode & 0o777, 0o600, 'readable by the daemon user only');
  t.false(await canLogIn(moved.port, LEGACY), 'the published password no longer opens the server');
  t.true(await canLogIn(moved.port, generated));
  t.true(new URL(moved.url).password === encodeURIComponent(generated));
  await moved.stop();

  // A stray <file>.new next to a working file (a move that never reached ALTER ROLE) is dropped.
  writeFileSync(`${file}.new`, 'stray\n', { mode: 0o600 });
  const again = await startEmbeddedPostgres(settings);
  t.teardown(() => again.stop());
  t.is(secret(file), generated);
  t.false(existsSync(`${file}.new`));
  // Back to an old install, for the crashes below.
  await setPassword(again.url, LEGACY);
  rmSync(file);
  await again.stop();

  // A crash during the move, after writing <file>.new, before ALTER ROLE: the old password still opens it, the move finishes.
  writeFileSync(`${file}.new`, 'pending-but-never-set\n', { mode: 0o600 });
  const resumed = await startEmbeddedPostgres(settings);
  t.teardown(() => resumed.stop());
  t.is(secret(file), 'pending-but-never-set');
  t.true(await canLogIn(resumed.port, 'pending-but-never-set'));
  t.false(await canLogIn(resumed.port, LEGACY));

  // A crash after ALTER ROLE, before the rename: <file>.new holds the password that works.
  await setPassword(resumed.url, 'set-but-not-renamed');
  writeFileSync(`${file}.new`, 'set-but-not-renamed\n', { mode: 0o600 });
  await resumed.stop();
  const finished = await startEmbeddedPostgres(settings);
  t.teardown(() => finished.stop());
  t.is(secret(file), 'set-but-not-renamed');
  t.false(existsSync(`${file}.new`));
  t.true(await canLogIn(finished.port, 'set-but-not-renamed'));
  await finished.stop();
});

test('a new cluster never accepts the published password', async (t) => {
  t.timeout(120_000);
  const defaults = loadConfig({ env: {} }).config.database.embedded;
  const dir = join(tempDir(t), 'postgres');
  const server = await startEmbeddedPostgres({ ...defaults, dir, port: 0 });
  t.teardown(() => server.stop());
  t.false(await canLogIn(server.port, LEGACY));
  t.true(await canLogIn(server.port, secret(`${dir}.password`)));
  t.is(statSync(`${dir}.password`).mode & 0o777, 0o600);
});
