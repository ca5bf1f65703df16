import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import test from 'ava';
import { invoiceDatabase, pgTools } from '../backup/backupFixtures.ts';
import { saveConfigBackup } from '../../src/backup/configBackup.ts';
import { recordVerification } from '../../src/backup/listBackups.ts';
import { runBackup } from '../../src/backup/runBackup.ts';
import { verifyBackup } from '../../src/backup/verifyBackup.ts';
import { resolveHttpToken } from '../../src/http/token.ts';
import { writeToOutbox } from '../../src/nex/outbox.ts';
import { createDaemonLogger } from '../../src/runtime/logger.ts';
import { listLogFiles } from '../../src/runtime/logFiles.ts';
import { numberedInvoice } from '../support/stagedInvoices.ts';
import { tempDir } from '../support/tempDir.ts';

/**
 * Files with invoice contents or secrets are the daemon user's alone: files 0600, the folders
 * the daemon creates for them 0700. Run under the common umask 022, which on its own would
 * leave them readable by every local user. (Windows ignores modes: the installer's ACLs do it.)
 */
const posixOnly = process.platform === 'win32' ? test.skip : test.serial;

let previousUmask: number;
test.before(() => {
  previousUmask = process.umask(0o022);
});
test.after.always(() => {
  process.umask(previousUmask);
});

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8).padStart(4, '0');

/** Every file below `dir` with its mode, and every folder below it (and `dir` itself). */
function modesBelow(dir: string): { files: Record<string, string>; folders: Record<string, string> } {
  const files: Record<string, string> = {};
  const folders: Record<string, string> = { '.': modeOf(dir) };
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    (entry.isDirectory() ? folders : files)[path.slice(dir.length + 1)] = modeOf(path);
  }
  return { files, folders };
}

function onlyOwner(t: { deepEqual: (a: unknown, b: unknown, m?: string) => void }, dir: string, what: string) {
  const { files, folders } = modesBelow(dir);
  t.deepEqual(
    Object.values(files).filter((mode) => mode !== '0600'),
    [],
    `${what} files: ${JSON.stringify(files)}`,
  );
  t.deepEqual(
    Object.values(folders).filter((mode) => mode !== '0700'),
    [],
    `${what} folders: ${JSON.stringify(folders)}`,
  );
}

posixOnly('log files, rotated ones too, and their folder are the daemon user’s only', async (t) => {
  const dir = join(tempDir(t), 'logs');
  // 1 KiB files: a few dozen lines rotate several times.
  const { logger, close } = createDaemonLogger(
    { dir, level: 'info', maxSizeMb: 1 / 1024, files: 20, retentionDays: 30, console: 'off' },
    false,
  );
  const onDisk = (line: number) =>
    listLogFiles(dir).some((file) => readFileSync(file.path, 'utf8').includes(`"msg":"line ${line}"`));
  // pino-roll rotates only when its buffer drains: write in batches and let each reach the disk.
  for (let line = 0; line < 400 && listLogFiles(dir).length < 3; line += 1) {
    logger.info({ invoice: 'FV2026001234', supplier: 'ACME s.r.o.' }, `line ${line}`);
    if (line % 10 === 9) {
      const deadline = Date.now() + 5_000;
      while (!onDisk(line) && Date.now() < deadline) await delay(10);
    }
  }
  await close();
  t.true(listLogFiles(dir).length > 2, `rotated into ${listLogFiles(dir).length} files`);
  onlyOwner(t, dir, 'log');
});

posixOnly('a backup (pg_dump’s dump, its .sha256, manifest and verification) and its folders', async (t) => {
  const { url } = await invoiceDatabase(t, 2);
  const dir = join(tempDir(t), 'backups');
  const tools = await pgTools();
  const record = await runBackup({ url, dir, type: 'daily', tools });
  await recordVerification(record.file, await verifyBackup(record.file, { level: 'checksum', tools }));
  t.true(Object.keys(modesBelow(dir).files).length >= 4);
  onlyOwner(t, dir, 'backup');
});

posixOnly('outbox files and the outbox folder', async (t) => {
  const dir = join(tempDir(t), 'nex', 'outbox');
  await writeToOutbox(dir, {
    invoiceId: '6f1f2a43-8a52-4c1e-9a4b-0d3c9a1b2c3d',
    invoice: numberedInvoice(1),
    sidecar: { approvers: [{ name: 'Jana' }] },
  });
  t.is(Object.keys(modesBelow(dir).files).length, 2);
  onlyOwner(t, dir, 'outbox');
  t.is(modeOf(join(dir, '..')), '0700', 'the missing parent was created owner-only too');
});

posixOnly('a stored config backup and the folder it creates', async (t) => {
  const dir = join(tempDir(t), 'config-backups');
  await saveConfigBackup(join(dir, 'config-2026-12-06.ilcb'), Buffer.from('sealed archive'));
  onlyOwner(t, dir, 'config backup');
});

posixOnly('the data folder with the API token', (t) => {
  const dir = join(tempDir(t), 'data');
  resolveHttpToken({
    enabled: true,
    host: '127.0.0.1',
    port: 0,
    token: '',
    tokenFile: join(dir, 'http-token'),
    openHealth: true,
    openMetrics: true,
  });
  onlyOwner(t, dir, 'data');
});

posixOnly(
  'an existing folder an administrator made keeps its mode; only what the daemon writes is tightened',
  async (t) => {
    const dir = join(tempDir(t), 'shared-outbox');
    mkdirSync(dir, { mode: 0o755 });
    await writeToOutbox(dir, {
      invoiceId: '6f1f2a43-8a52-4c1e-9a4b-0d3c9a1b2c3d',
      invoice: numberedInvoice(2),
      sidecar: {},
    });
    t.is(modeOf(dir), '0755');
    t.deepEqual(new Set(Object.values(modesBelow(dir).files)), new Set(['0600']));
  },
);
