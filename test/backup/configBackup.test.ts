import test, { type ExecutionContext } from 'ava';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createConfigBackup,
  generateKeyFile,
  readConfigBackup,
  restoreConfigBackup,
  type KeySource,
} from '../../src/backup/configBackup.ts';
import { LoaderError } from '../../src/errors.ts';
import { runCli, tempDir } from '../support/tempDir.ts';

const SECRET = 'pg-password-Zq8v1Lk3';
const PASSPHRASE: KeySource = { passphrase: 'correct horse battery staple' };
const CONFIG_TEXT = `http:\n  port: 7000\ndatabase:\n  url: postgres://loader:\${ENV:PGPASSWORD}@db/invoices\n`;
const ENV_TEXT = `PGPASSWORD=${SECRET}\n`;

// Layout offsets (see configBackup.ts): KDF log2(N) at 7, salt at 10, IV at 26, ciphertext from 42, tag last.
const HEADER_LENGTH = 42;

function configFolder(t: ExecutionContext) {
  const dir = tempDir(t);
  const config = join(dir, 'config.yaml');
  const env = join(dir, '.env');
  writeFileSync(config, CONFIG_TEXT);
  writeFileSync(env, ENV_TEXT);
  utimesSync(config, new Date('2025-03-01T10:00:00Z'), new Date('2025-03-01T10:00:00Z'));
  return { dir, config, env, files: [{ path: config }, { path: env }] };
}

function flipped(archive: Buffer, index: number): Buffer {
  const copy = Buffer.from(archive);
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}

async function rejectsWith(t: ExecutionContext, promise: Promise<unknown>, code: string) {
  const error = await t.throwsAsync(promise, { instanceOf: LoaderError });
  t.is(error?.code, code);
  return error;
}

test('a backup of two files reads back with their names, exact bytes and mtimes', async (t) => {
  const { files } = configFolder(t);
  const archive = await createConfigBackup(files, PASSPHRASE);
  const read = await readConfigBackup(archive, PASSPHRASE);
  t.deepEqual(
    read.map((file) => file.name),
    ['config.yaml', '.env'],
  );
  t.true(read[0]!.bytes.equals(Buffer.from(CONFIG_TEXT)));
  t.true(read[1]!.bytes.equals(Buffer.from(ENV_TEXT)));
  t.is(read[0]!.mtime.toISOString(), '2025-03-01T10:00:00.000Z');
});

test('the archive holds neither the secret nor the file names in plain text', async (t) => {
  const { files } = configFolder(t);
  const archive = await createConfigBackup(files, PASSPHRASE);
  t.is(archive.subarray(0, 4).toString('ascii'), 'ILCB');
  for (const needle of [SECRET, 'PGPASSWORD', 'postgres://', 'config.yaml', '.env']) {
    t.is(archive.indexOf(Buffer.from(needle)), -1, needle);
  }
});

test('two backups of the same files differ (random salt and IV each time)', async (t) => {
  const { files } = configFolder(t);
  const [a, b] = await Promise.all([createConfigBackup(files, PASSPHRASE), createConfigBackup(files, PASSPHRASE)]);
  t.false(a.subarray(10, HEADER_LENGTH - 4).equals(b.subarray(10, HEADER_LENGTH - 4)));
  t.false(a.subarray(HEADER_LENGTH).equals(b.subarray(HEADER_LENGTH)));
});

test('a flipped byte in the ciphertext, the header (KDF, salt, IV) or the tag is refused as tampered', async (t) => {
  const { files } = configFolder(t);
  const archive = await createConfigBackup(files, PASSPHRASE);
  const places = { ciphertext: HEADER_LENGTH + 5, kdf: 7, salt: 12, iv: 30, tag: archive.length - 1 };
  for (const [where, index] of Object.entries(places)) {
    const error = await rejectsWith(
      t,
      readConfigBackup(flipped(archive, index), PASSPHRASE),
      'CONFIG_BACKUP_TAMPERED_OR_WRONG_KEY',
    );
    t.regex(error!.message, /was changed after it was made, or the key is not the one it was made with/, where);
  }
});

test('a wrong passphrase is refused like a changed archive', async (t) => {
  const { files } = configFolder(t);
  const archive = await createConfigBackup(files, PASSPHRASE);
  await rejectsWith(
    t,
    readConfigBackup(archive, { passphrase: 'correct horse battery stapler' }),
    'CONFIG_BACKUP_TAMPERED_OR_WRONG_KEY',
  );
});

test('a truncated, empty or foreign file is not a config backup', async (t) => {
  const { files } = configFolder(t);
  const archive = await createConfigBackup(files, PASSPHRASE);
  const foreign = Buffer.from('%PDF-1.7\n' + 'x'.repeat(200));
  for (const bytes of [archive.subarray(0, archive.length - 10), archive.subarray(0, 20), Buffer.alloc(0), foreign]) {
    await rejectsWith(t, readConfigBackup(bytes, PASSPHRASE), 'CONFIG_BACKUP_INVALID');
  }
});

test('a generated key file is 32 random bytes in base64, owner-only, and round-trips a backup', async (t) => {
  const { dir, files } = configFolder(t);
  const keyFile = join(dir, 'backup.key');
  const otherKeyFile = join(dir, 'other.key');
  await generateKeyFile(keyFile);
  await generateKeyFile(otherKeyFile);
  t.is(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64').length, 32);
  if (process.platform !== 'win32') t.is(statSync(keyFile).mode & 0o777, 0o600);

  const archive = await createConfigBackup(files, { keyFile });
  const read = await readConfigBackup(archive, { keyFile });
  t.true(read[1]!.bytes.equals(Buffer.from(ENV_TEXT)));
  await rejectsWith(t, readConfigBackup(archive, { keyFile: otherKeyFile }), 'CONFIG_BACKUP_TAMPERED_OR_WRONG_KEY');
  const error = await rejectsWith(t, readConfigBackup(archive, PASSPHRASE), 'CONFIG_BACKUP_TAMPERED_OR_WRONG_KEY');
  t.regex(error!.message, /made with a key file; a passphrase was given/);
});

test('keygen refuses to replace an existing file', async (t) => {
  const keyFile = join(tempDir(t), 'backup.key');
  await generateKeyFile(keyFile);
  const before = readFileSync(keyFile, 'utf8');
  await rejectsWith(t, generateKeyFile(keyFile), 'CONFIG_BACKUP_KEY_FILE_EXISTS');
  t.is(readFileSync(keyFile, 'utf8'), before);
});

test('restore writes nothing over existing files unless told, and names them', async (t) => {
  const { files } = configFolder(t);
  const archive = await createConfigBackup(files, PASSPHRASE);
  const target = tempDir(t);
  writeFileSync(join(target, 'config.yaml'), 'edited since\n');

  const error = await rejectsWith(
    t,
    restoreConfigBackup(archive, PASSPHRASE, target, { overwrite: false }),
    'CONFIG_BACKUP_WOULD_OVERWRITE',
  );
  t.true(error!.message.includes(join(target, 'config.yaml')));
  t.is(readFileSync(join(target, 'config.yaml'), 'utf8'), 'edited since\n');
  t.false(existsSync(join(target, '.env')), 'all or nothing: the file that did not exist is not written either');

  const restored = await restoreConfigBackup(archive, PASSPHRASE, target, { overwrite: true });
  t.deepEqual(
    restored.map((file) => file.path),
    [join(target, 'config.yaml'), join(target, '.env')],
  );
  t.is(readFileSync(join(target, 'config.yaml'), 'utf8'), CONFIG_TEXT);
  t.is(readFileSync(join(target, '.env'), 'utf8'), ENV_TEXT);
  t.is(statSync(join(target, 'config.yaml')).mtime.toISOString(), '2025-03-01T10:00:00.000Z');
  t.deepEqual(readdirSync(target).sort(), ['.env', 'config.yaml'], 'no temp files are left behind');
});

const cli = runCli;

test('CLI: config backup to backup.dir, then config restore --to DIR gives the same files', async (t) => {
  const { dir, config } = configFolder(t);
  const backupDir = join(dir, 'backups');
  writeFileSync(config, `${CONFIG_TEXT}backup:\n  dir: ${backupDir}\n`);
  const env = { INVOICE_LOADER_BACKUP_PASSPHRASE: 'cli passphrase 4 tests', PGPASSWORD: SECRET };

  const saved = await cli(['config', 'backup', '--config', config], env);
  t.is(saved.stderr, '');
  t.is(saved.status, 0);
  const [archiveName, ...others] = readdirSync(join(backupDir, 'config'));
  t.deepEqual(others, []);
  t.regex(archiveName!, /^config-\d{8}-\d{6}\.ilcb$/);
  const archive = join(backupDir, 'config', archiveName!);
  t.true(saved.stdout.includes(archive));
  t.true(saved.stdout.includes(join(dir, '.env')));

  const target = tempDir(t);
  const restored = await cli(['config', 'restore', archive, '--to', target], env);
  t.is(restored.stderr, '');
  t.is(restored.status, 0);
  t.true(readFileSync(join(target, 'config.yaml')).equals(readFileSync(config)));
  t.true(readFileSync(join(target, '.env')).equals(readFileSync(join(dir, '.env'))));

  const again = await cli(['config', 'restore', archive, '--to', target], env);
  t.is(again.status, 1);
  t.regex(again.stderr, /already exist; pass --overwrite to replace them/);
});

test('CLI: config backup without a passphrase or key file exits 1 and says how to give one', async (t) => {
  const { dir, config } = configFolder(t);
  const out = join(dir, 'out.ilcb');
  const result = await cli(['config', 'backup', '--config', config, '--out', out]);
  t.is(result.status, 1);
  t.is(result.stdout, '');
  t.regex(result.stderr, /^No key for the config backup: .*INVOICE_LOADER_BACKUP_PASSPHRASE.*--key-file FILE/);
  t.false(existsSync(out));
});

test('CLI: config backup without a user config file has nothing to back up', async (t) => {
  const result = await cli(['config', 'backup'], { INVOICE_LOADER_BACKUP_PASSPHRASE: 'x' });
  t.is(result.status, 1);
  t.regex(result.stderr, /nothing to back up beyond the defaults/);
});
