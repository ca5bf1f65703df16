import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import test from 'ava';
import { backupFileName, backupPaths, parseBackupFileName, type BackupType } from '../../src/backup/backupFiles.ts';
import { sha256Line } from '../../src/backup/checksum.ts';
import { recordVerification } from '../../src/backup/listBackups.ts';
import type { BackupManifest } from '../../src/backup/manifest.ts';
import { applyRetention } from '../../src/backup/retention.ts';
import type { VerifyResult } from '../../src/backup/verifyBackup.ts';
import { tempDir } from '../support/tempDir.ts';

const DAY = 24 * 60 * 60 * 1000;
const KEEP = { daily: 7, weekly: 4, monthly: 12 };

/** A backup set as runBackup leaves it, with a small stand-in dump: retention reads names and manifests only. */
function fakeBackup(dir: string, type: BackupType, at: Date): string {
  const name = backupFileName('invoice_loader', type, at);
  mkdirSync(join(dir, type), { recursive: true });
  const paths = backupPaths(join(dir, type, name));
  const dump = Buffer.from(`PGDMP stand-in for ${name}`);
  const sha256 = 'ab'.repeat(32);
  writeFileSync(paths.dump, dump);
  writeFileSync(paths.sha256, sha256Line(sha256, name));
  const manifest: BackupManifest = {
    manifest_version: 1,
    file: name,
    type,
    created_at: at.toISOString(),
    database: 'postgres://postgres@127.0.0.1:5432/invoice_loader',
    server_version: '15.20',
    server_major: 15,
    pg_dump_version: 'pg_dump (PostgreSQL) 15.20',
    size_bytes: dump.length,
    duration_ms: 12,
    sha256,
    row_counts: { 'public.invoices': 1 },
  };
  writeFileSync(paths.manifest, JSON.stringify(manifest));
  return paths.dump;
}

const passed: VerifyResult = {
  ok: true,
  requested: 'read',
  level: 'read',
  steps: [{ step: 'checksum', ok: true, ms: 1, detail: 'ok' }],
};
const failed: VerifyResult = { ...passed, ok: false, level: null };

/** The backup dumps in `<dir>/<type>/`, oldest first. */
function dumpsOf(dir: string, type: BackupType): string[] {
  if (!existsSync(join(dir, type))) return [];
  return readdirSync(join(dir, type))
    .filter((name) => name.endsWith('.dump') && parseBackupFileName(name)?.type === type)
    .sort()
    .map((name) => join(dir, type, name));
}

test('over 60 days of daily and Sunday weekly backups exactly the newest 7 daily and 4 weekly remain, plus the newest verified one', async (t) => {
  const dir = tempDir(t);
  // Files retention must never touch: an operator's note, and names that only look like backups.
  mkdirSync(join(dir, 'daily'), { recursive: true });
  const foreign = [
    join(dir, 'daily', 'README.txt'),
    join(dir, 'daily', 'invoice-loader_db_daily_latest.dump'),
    join(dir, 'daily', 'invoice-loader_db_weekly_20260101-020000.dump'), // a weekly name in the daily folder
    join(dir, 'other.dump'),
  ];
  for (const file of foreign) writeFileSync(file, 'not ours');
  const manual = fakeBackup(dir, 'manual', new Date('2025-12-31T15:00:00Z'));

  const created: Array<{ file: string; type: BackupType; at: number; verified: boolean }> = [];
  const start = Date.parse('2026-01-01T02:00:00Z'); // a Thursday
  for (let day = 0; day < 60; day++) {
    const now = new Date(start + day * DAY);
    // On a day both schedules match, the weekly one runs (config/default.yaml).
    const type: BackupType = now.getUTCDay() === 0 ? 'weekly' : 'daily';
    const file = fakeBackup(dir, type, now);
    created.push({ file, type, at: now.getTime(), verified: false });
    // Day 3's backup is the last one verified until day 40: it must outlive its week.
    if (day === 3 || day === 40) {
      await recordVerification(file, passed, now);
      created.at(-1)!.verified = true;
    }
    // A newer backup whose verification failed does not count as verified.
    if (day === 20) await recordVerification(file, failed, now);

    const { deleted, kept } = await applyRetention(dir, KEEP, new Date(now.getTime() + 60_000));

    const newestFirst = [...created].reverse();
    const newestVerified = newestFirst.find((entry) => entry.verified)?.file;
    const expected = (kind: BackupType) =>
      newestFirst
        .filter((entry, _i, all) => {
          if (entry.type !== kind) return false;
          const rank = all.filter((other) => other.type === kind).indexOf(entry);
          return rank < KEEP[kind as 'daily' | 'weekly'] || entry.file === newestVerified;
        })
        .map((entry) => entry.file)
        .sort();
    t.deepEqual(dumpsOf(dir, 'daily'), expected('daily'), `daily after day ${day}`);
    t.deepEqual(dumpsOf(dir, 'weekly'), expected('weekly'), `weekly after day ${day}`);
    t.deepEqual(dumpsOf(dir, 'manual'), [manual], 'manual backups are not rotated');
    t.deepEqual([...kept].sort(), [...expected('daily'), ...expected('weekly'), manual].sort());
    if (day === 39) t.true(existsSync(created[3]!.file), 'day 3, verified, outlived its week');
    if (day === 40) t.false(existsSync(created[3]!.file), 'once day 40 is verified, day 3 is rotated out');
    for (const file of deleted) {
      for (const path of Object.values(backupPaths(file))) t.false(existsSync(path), `${path} deleted with its set`);
    }
  }

  // The end state in plain words: the 7 newest daily (Feb 21–28 without Sunday the 22nd),
  // the 4 newest weekly (the last four Sundays), day 40's verified daily backup, nothing else.
  const days = (files: string[]) =>
    files.map((file) => parseBackupFileName(basename(file))!.stampedAt.toISOString().slice(0, 10).replaceAll('-', ''));
  t.deepEqual(days(dumpsOf(dir, 'daily')), [
    '20260210', // day 40, the newest verified one
    '20260221',
    '20260223',
    '20260224',
    '20260225',
    '20260226',
    '20260227',
    '20260228',
  ]);
  t.deepEqual(days(dumpsOf(dir, 'weekly')), ['20260208', '20260215', '20260222', '20260301']);
  for (const file of foreign) t.true(existsSync(file), `${file} untouched`);
});

test('the newest verified backup survives even when its type keeps none', async (t) => {
  const dir = tempDir(t);
  const verified = fakeBackup(dir, 'weekly', new Date('2026-02-01T02:00:00Z'));
  const newer = fakeBackup(dir, 'weekly', new Date('2026-02-08T02:00:00Z'));
  await recordVerification(verified, passed);
  const { deleted } = await applyRetention(dir, { daily: 7, weekly: 0, monthly: 0 }, new Date('2026-02-09T00:00:00Z'));
  t.deepEqual(deleted, [newer]);
  t.deepEqual(dumpsOf(dir, 'weekly'), [verified]);
  t.true(existsSync(backupPaths(verified).verify));
});

test('a set is dated by its manifest: a misleading name does not decide what is newest', async (t) => {
  const dir = tempDir(t);
  const named = fakeBackup(dir, 'daily', new Date('2026-02-01T02:00:00Z'));
  // Its manifest says it is the newest (a clock that was wrong when it was named).
  const manifest = JSON.parse(readFileSync(backupPaths(named).manifest, 'utf8')) as BackupManifest;
  writeFileSync(backupPaths(named).manifest, JSON.stringify({ ...manifest, created_at: '2026-03-01T02:00:00.000Z' }));
  const other = fakeBackup(dir, 'daily', new Date('2026-02-15T02:00:00Z'));
  await applyRetention(dir, { daily: 1, weekly: 0, monthly: 0 }, new Date('2026-03-02T00:00:00Z'));
  t.deepEqual(dumpsOf(dir, 'daily'), [named]);
  t.false(existsSync(other));
});

test('a stale leftover of an interrupted backup is removed; a fresh one (a backup running now) is not', async (t) => {
  const dir = tempDir(t);
  const stale = join(dir, '.invoice-loader_db_daily_20260101-020000.dump.4242.partial');
  const fresh = join(dir, '.invoice-loader_db_daily_20260102-020000.dump.4243.partial');
  writeFileSync(stale, 'half a dump');
  writeFileSync(fresh, 'half a dump');
  const now = new Date();
  const twoDaysAgo = new Date(now.getTime() - 2 * DAY);
  utimesSync(stale, twoDaysAgo, twoDaysAgo);
  await applyRetention(dir, KEEP, now);
  t.false(existsSync(stale));
  t.true(existsSync(fresh));
});
