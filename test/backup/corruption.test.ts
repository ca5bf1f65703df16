import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { backupPaths } from '../../src/backup/backupFiles.ts';
import { sha256Line, sha256OfFile } from '../../src/backup/checksum.ts';
import { runBackup } from '../../src/backup/runBackup.ts';
import { verifyBackup } from '../../src/backup/verifyBackup.ts';
import { tempDir } from '../support/tempDir.ts';
import { invoiceDatabase, pgTools } from './backupFixtures.ts';

/** A copy of the backup set under a new folder, with one bit of the dump flipped in the middle of its data. */
function damagedCopy(dumpFile: string, dir: string): string {
  const copy = join(dir, 'copy.dump');
  const from = backupPaths(dumpFile);
  const to = backupPaths(copy);
  copyFileSync(from.sha256, to.sha256);
  copyFileSync(from.manifest, to.manifest);
  const bytes = readFileSync(dumpFile);
  // Most of the dump is document content (the fixtures hold a large incompressible document).
  const at = Math.floor(bytes.length / 2);
  bytes[at] = bytes[at]! ^ 0x01;
  writeFileSync(copy, bytes);
  return copy;
}

test('one flipped bit is caught by the checksum, before any tool runs', async (t) => {
  const { url } = await invoiceDatabase(t, 3);
  const tools = await pgTools();
  const { file } = await runBackup({ url, dir: tempDir(t), type: 'manual', tools });
  const copy = damagedCopy(file, tempDir(t));

  const result = await verifyBackup(copy, { level: 'read', tools });
  t.false(result.ok);
  t.is(result.level, null);
  t.deepEqual(
    result.steps.map((step) => [step.step, step.ok]),
    [['checksum', false]],
  );
  t.regex(result.steps[0]!.detail, /damaged or was changed: its SHA-256 is [0-9a-f]{64}, its \.sha256 file says/);
  t.true((await verifyBackup(file, { level: 'read', tools })).ok, 'the original is untouched');
});

test('one flipped bit is caught by pg_restore reading the data, even when the checksums were rewritten to match', async (t) => {
  const { url } = await invoiceDatabase(t, 3);
  const tools = await pgTools();
  const { file } = await runBackup({ url, dir: tempDir(t), type: 'manual', tools });
  const copy = damagedCopy(file, tempDir(t));
  // As if the damage had happened before the checksum was taken (memory, a buggy copy tool).
  const hash = await sha256OfFile(copy);
  writeFileSync(backupPaths(copy).sha256, sha256Line(hash, 'copy.dump'));
  const manifest = JSON.parse(readFileSync(backupPaths(copy).manifest, 'utf8')) as { sha256: string };
  writeFileSync(backupPaths(copy).manifest, JSON.stringify({ ...manifest, sha256: hash }));

  const result = await verifyBackup(copy, { level: 'read', tools });
  t.false(result.ok);
  t.is(result.level, 'list', 'the checksum and the table of contents still pass');
  t.deepEqual(
    result.steps.map((step) => [step.step, step.ok]),
    [
      ['checksum', true],
      ['list', true],
      ['read', false],
    ],
  );
  t.regex(result.steps[2]!.detail, /pg_restore cannot read all of .*copy\.dump.*could not uncompress data/);
});

test('a truncated dump fails the checksum on its size', async (t) => {
  const { url } = await invoiceDatabase(t, 1);
  const tools = await pgTools();
  const { file } = await runBackup({ url, dir: tempDir(t), type: 'manual', tools });
  writeFileSync(file, readFileSync(file).subarray(0, 1000));
  const result = await verifyBackup(file, { level: 'list', tools });
  t.false(result.ok);
  t.regex(result.steps[0]!.detail, /it has 1000 bytes where its manifest says \d+/);
});

test('a backup without its manifest fails verification, saying so', async (t) => {
  const { url } = await invoiceDatabase(t, 1);
  const tools = await pgTools();
  const { file } = await runBackup({ url, dir: tempDir(t), type: 'manual', tools });
  writeFileSync(backupPaths(file).manifest, '{"manifest_version": 1, "file": ');
  const result = await verifyBackup(file, { level: 'checksum', tools });
  t.false(result.ok);
  t.regex(result.steps[0]!.detail, /manifest .* is damaged/);
});
