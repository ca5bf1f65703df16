import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { LoaderError } from '../../src/errors.ts';
import {
  assertToolsCanDump,
  findPgTools,
  installAdvice,
  majorOf,
  windowsInstallBinDirs,
} from '../../src/backup/pgTools.ts';
import { tempDir } from '../support/tempDir.ts';

/** A folder with stand-in pg_dump and pg_restore that only report `version`. */
function fakeBinDir(t: Parameters<typeof tempDir>[0], version: string): string {
  const dir = tempDir(t);
  for (const name of ['pg_dump', 'pg_restore']) {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\necho "${name} (PostgreSQL) ${version}"\n`);
    chmodSync(path, 0o755);
  }
  return dir;
}

const posixOnly = process.platform === 'win32' ? test.skip : test;

test('the tools on PATH are found with their major version', async (t) => {
  const tools = await findPgTools('');
  t.regex(tools.pgDump, /pg_dump(\.exe)?$/);
  t.regex(tools.pgRestore, /pg_restore(\.exe)?$/);
  t.true(tools.version >= 10);
  t.regex(tools.versionText, /\(PostgreSQL\)/);
});

posixOnly('a configured folder is used, and its version read', async (t) => {
  const dir = fakeBinDir(t, '18.1 (Debian 18.1-1.pgdg120+1)');
  const tools = await findPgTools(dir);
  t.is(tools.pgDump, join(dir, 'pg_dump'));
  t.is(tools.pgRestore, join(dir, 'pg_restore'));
  t.is(tools.version, 18);
});

test('a configured folder without the tools is PG_DUMP_MISSING, naming the setting and what to install', async (t) => {
  const dir = tempDir(t);
  const error = await t.throwsAsync(findPgTools(dir, { serverMajor: 18 }), { instanceOf: LoaderError });
  t.is(error.code, 'PG_DUMP_MISSING');
  t.true(error.message.includes(dir));
  t.true(error.message.includes('backup.pgBinDir'));
  t.true(error.message.includes(process.platform === 'win32' ? 'Command Line Tools' : 'postgresql-client-18'));
});

posixOnly('a folder with only pg_dump is not enough: both tools come from one folder', async (t) => {
  const dir = fakeBinDir(t, '15.2');
  const lone = tempDir(t);
  writeFileSync(join(lone, 'pg_dump'), '#!/bin/sh\necho "pg_dump (PostgreSQL) 15.2"\n');
  chmodSync(join(lone, 'pg_dump'), 0o755);
  t.is((await findPgTools(dir)).version, 15);
  t.like(await t.throwsAsync(findPgTools(lone)), { code: 'PG_DUMP_MISSING' });
});

test('tools older than the server are PG_DUMP_TOO_OLD with the install advice; same or newer pass', async (t) => {
  const tools = await findPgTools('');
  const error = t.throws(() => assertToolsCanDump(tools, 18), { instanceOf: LoaderError });
  t.is(error.code, 'PG_DUMP_TOO_OLD');
  t.true(error.message.includes('PostgreSQL 18 server'));
  t.true(error.message.includes(process.platform === 'win32' ? 'Command Line Tools' : 'postgresql-client-18'));
  t.notThrows(() => assertToolsCanDump(tools, tools.version));
  t.notThrows(() => assertToolsCanDump({ ...tools, version: 18 }, 15));
});

test('the advice names the Debian package or the Windows installer', (t) => {
  t.regex(installAdvice(18, 'linux'), /apt install postgresql-client-18/);
  t.regex(installAdvice(18, 'win32'), /Command Line Tools" of the PostgreSQL 18 installer/);
  t.regex(installAdvice(undefined, 'linux'), /postgresql-client-<server major version>/);
  for (const platform of ['linux', 'win32'] as const) t.regex(installAdvice(17, platform), /backup\.pgBinDir/);
});

test('on Windows the PostgreSQL install folders are searched newest version first', async (t) => {
  const root = tempDir(t);
  for (const name of ['9.6', '13', '18', 'pgAdmin 4']) mkdirSync(join(root, 'PostgreSQL', name), { recursive: true });
  t.deepEqual(await windowsInstallBinDirs([root, join(root, 'absent')]), [
    join(root, 'PostgreSQL', '18', 'bin'),
    join(root, 'PostgreSQL', '13', 'bin'),
    join(root, 'PostgreSQL', '9.6', 'bin'),
  ]);
});

test('major versions are read from what --version prints', (t) => {
  t.is(majorOf('pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)'), 15);
  t.is(majorOf('pg_dump (PostgreSQL) 18beta1'), 18);
  t.is(majorOf('pg_dump (PostgreSQL) 9.6.24'), 9.6);
  t.is(majorOf('something else'), undefined);
});
