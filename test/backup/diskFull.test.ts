import { writeFileSync } from 'node:fs';
import test from 'ava';
import { diskFullError, isDiskFull } from '../../src/backup/diskFull.ts';
import { LoaderError } from '../../src/errors.ts';

/**
 * A backup that fails for a full disk is told as such (the chaos suite's scenario g fills a
 * real tmpfs; here the kernel's /dev/full gives a real ENOSPC without root).
 */
// /dev/full is Linux's; elsewhere the second test still checks the classification's sentence.
const onLinux = process.platform === 'linux' ? test : test.skip;

onLinux(
  'ENOSPC from a write, and pg_dump saying so on stderr, both count as a full disk; other failures do not',
  (t) => {
    const written = t.throws(() => writeFileSync('/dev/full', 'x'));
    t.is((written as NodeJS.ErrnoException).code, 'ENOSPC');
    t.true(isDiskFull(written));
    const dump = new LoaderError(
      'BACKUP_DUMP_FAILED',
      'pg_dump of postgres://127.0.0.1/x failed (exit code 1: pg_dump: error: could not write to output file: No space left on device); no backup was written.',
    );
    t.true(isDiskFull(dump));
    t.true(isDiskFull(new Error('the backup failed', { cause: written })), 'found in the cause chain');
    t.false(isDiskFull(new LoaderError('BACKUP_DUMP_FAILED', 'pg_dump failed (exit code 1: connection refused)')));
    t.false(isDiskFull(undefined));
  },
);

test('the full-disk error says it in Slovak first, names the folder and keeps the cause', (t) => {
  const cause = new Error('No space left on device');
  const error = diskFullError('/tmp', cause);
  t.is(error.code, 'BACKUP_DISK_FULL');
  t.regex(error.message, /^Na disku pre zálohy nie je miesto \(\/tmp, voľné [\d.]+ [KMGT]?B\)/);
  t.regex(error.message, / \/ The backup disk is full \(\/tmp, /);
  t.is(error.cause, cause);
  t.like(error.details, { dir: '/tmp' });
});
