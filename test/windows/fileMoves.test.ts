import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { moveFile, removeFile, systemFileOps, type FileOps } from '../../src/runtime/fileMoves.ts';
import { tempDir } from '../support/tempDir.ts';

const errno = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });

/** The real file operations, with rename and unlink failing as Windows or a second volume makes them fail. */
function failing(plan: { rename?: string[]; unlink?: string[] }): FileOps & { calls: string[] } {
  const calls: string[] = [];
  const renames = [...(plan.rename ?? [])];
  const unlinks = [...(plan.unlink ?? [])];
  return {
    calls,
    rename: async (from, to) => {
      calls.push('rename');
      const code = renames.shift();
      if (code) throw errno(code);
      return systemFileOps.rename(from, to);
    },
    copyFile: async (from, to, mode) => (calls.push('copy'), systemFileOps.copyFile(from, to, mode)),
    syncFile: async (path) => (calls.push('fsync'), systemFileOps.syncFile(path)),
    syncFolder: async (dir) => (calls.push('fsync-folder'), systemFileOps.syncFolder(dir)),
    unlink: async (path) => {
      calls.push('unlink');
      const code = unlinks.shift();
      if (code) throw errno(code);
      return systemFileOps.unlink(path);
    },
  };
}

function twoFiles(t: Parameters<typeof tempDir>[0]) {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'processed'));
  const from = join(dir, 'faktúra 1.pdf');
  writeFileSync(from, 'PDF bytes');
  return { from, to: join(dir, 'processed', 'faktúra 1.pdf') };
}

const noWait = { wait: async () => undefined };

test('a move to another volume (EXDEV) copies, flushes, renames into place and only then deletes the original', async (t) => {
  const { from, to } = twoFiles(t);
  const ops = failing({ rename: ['EXDEV'] });
  t.is(await moveFile(from, to, { ops, ...noWait }), 'copied');
  t.deepEqual(ops.calls, ['rename', 'copy', 'fsync', 'rename', 'fsync-folder', 'unlink']);
  t.is(readFileSync(to, 'utf8'), 'PDF bytes');
  t.false(existsSync(from));
});

test('a file held open by another process (EBUSY, EPERM) is retried with growing pauses, then moved', async (t) => {
  const { from, to } = twoFiles(t);
  const waits: number[] = [];
  const ops = failing({ rename: ['EBUSY', 'EPERM', 'EACCES'] });
  t.is(await moveFile(from, to, { ops, wait: async (ms) => void waits.push(ms) }), 'renamed');
  t.deepEqual(waits, [50, 100, 200]);
  t.true(existsSync(to));
});

test('a lock that does not go away ends in the error after the last try, and the file stays where it was', async (t) => {
  const { from, to } = twoFiles(t);
  const ops = failing({ rename: Array(10).fill('EBUSY') });
  const error = await t.throwsAsync(moveFile(from, to, { ops, attempts: 4, ...noWait }));
  t.is((error as NodeJS.ErrnoException).code, 'EBUSY');
  t.is(ops.calls.length, 4);
  t.true(existsSync(from));
});

test('other errors are not retried (ENOENT goes straight to the caller)', async (t) => {
  const { to } = twoFiles(t);
  const ops = failing({});
  const error = await t.throwsAsync(moveFile(join(to, '..', 'absent.pdf'), to, { ops, ...noWait }));
  t.is((error as NodeJS.ErrnoException).code, 'ENOENT');
  t.deepEqual(ops.calls, ['rename']);
});

test('after a cross-volume copy, a locked original is deleted once the lock goes; a vanished one counts as deleted', async (t) => {
  const { from, to } = twoFiles(t);
  const ops = failing({ rename: ['EXDEV'], unlink: ['EPERM'] });
  t.is(await moveFile(from, to, { ops, ...noWait }), 'copied');
  t.false(existsSync(from));
  await t.notThrowsAsync(removeFile(from, { ops, ...noWait }));
});
