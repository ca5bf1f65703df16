import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { embeddedBinaries } from '../../src/db/embeddedBinaries.ts';
import { EMBEDDED_MAJOR } from '../../src/db/embeddedMajor.ts';
import { LoaderError } from '../../src/errors.ts';
import { tempDir } from '../support/tempDir.ts';

test('the installed embedded server is the major whose pg_dump users can install (15)', async (t) => {
  const { postgres } = await embeddedBinaries();
  const version = execFileSync(postgres, ['--version'], { encoding: 'utf8' });
  t.is(EMBEDDED_MAJOR, 15);
  t.regex(version, new RegExp(`\\(PostgreSQL\\) ${EMBEDDED_MAJOR}\\.`));
});

test('a data folder of another major (an install from before, PostgreSQL 18) is refused and left as it was', async (t) => {
  const dir = join(tempDir(t), 'postgres');
  mkdirSync(dir);
  writeFileSync(join(dir, 'PG_VERSION'), '18\n');
  writeFileSync(join(dir, 'postgresql.conf'), '# the old cluster\n');
  const error = await t.throwsAsync(
    startEmbeddedPostgres({ dir, port: 0, user: 'postgres', password: '', database: 'invoice_loader' }),
  );
  t.true(error instanceof LoaderError);
  t.is((error as LoaderError).code, 'EMBEDDED_DB_MAJOR');
  t.regex(error!.message, /created by PostgreSQL 18, but the embedded server is PostgreSQL 15; nothing was changed/);
  t.regex(error!.message, /docs\/recovery\.md/);
  t.deepEqual(readdirSync(dir).sort(), ['PG_VERSION', 'postgresql.conf']);
  t.is(readFileSync(join(dir, 'PG_VERSION'), 'utf8'), '18\n');
});
