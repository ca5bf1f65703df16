import { constants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { syncFolder } from './durableFiles.ts';

/**
 * Moving and deleting files the way Windows needs it. There, a file another process holds
 * open (the scanner that just copied it, an antivirus, an operator's editor) cannot be
 * renamed or deleted for a moment: EPERM, EBUSY or EACCES. Those are retried with backoff.
 * A move to another volume (a drop folder on a share, processed/ on another disk) fails
 * with EXDEV on every platform; it becomes copy → fsync → rename → unlink.
 */
export const LOCKED_FILE_CODES: ReadonlySet<string> = new Set(['EPERM', 'EBUSY', 'EACCES']);

export interface FileOps {
  rename(from: string, to: string): Promise<void>;
  copyFile(from: string, to: string, mode: number): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Flushes a file's content to the disk. */
  syncFile(path: string): Promise<void>;
  syncFolder(dir: string): Promise<void>;
}

export const systemFileOps: FileOps = {
  rename: fsp.rename,
  copyFile: fsp.copyFile,
  unlink: fsp.unlink,
  syncFile: async (path) => {
    const handle = await fsp.open(path, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  syncFolder,
};

export interface MoveOptions {
  ops?: FileOps;
  /** Tries in all for a locked file; the waits double from firstDelayMs (50, 100, … ≈ 1.5 s for 6). */
  attempts?: number;
  firstDelayMs?: number;
  wait?: (ms: number) => Promise<unknown>;
}

const codeOf = (error: unknown) => (error as NodeJS.ErrnoException).code ?? '';

/** Runs `work`, again after a growing pause while the file is held by someone else. */
export async function retryWhileLocked<T>(work: () => Promise<T>, options: MoveOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 6;
  const wait = options.wait ?? sleep;
  let delay = options.firstDelayMs ?? 50;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!LOCKED_FILE_CODES.has(codeOf(error)) || attempt >= attempts) throw error;
      await wait(delay);
      delay *= 2;
    }
  }
}

/** Moves `from` to `to` (which must not exist); resolves with how it got there. */
export async function moveFile(from: string, to: string, options: MoveOptions = {}): Promise<'renamed' | 'copied'> {
  const ops = options.ops ?? systemFileOps;
  try {
    await retryWhileLocked(() => ops.rename(from, to), options);
    return 'renamed';
  } catch (error) {
    if (codeOf(error) !== 'EXDEV') throw error;
  }
  // Another volume: the copy is complete and on disk under its final name before the original goes.
  const temp = join(dirname(to), `.${basename(to)}.${process.pid}.moving`);
  try {
    await ops.copyFile(from, temp, constants.COPYFILE_EXCL);
    await ops.syncFile(temp);
    await ops.rename(temp, to);
  } catch (error) {
    await ops.unlink(temp).catch(() => undefined);
    throw error;
  }
  await ops.syncFolder(dirname(to));
  await removeFile(from, options);
  return 'copied';
}

/** Deletes a file, waiting out a short lock; a file that is already gone counts as deleted. */
export async function removeFile(path: string, options: MoveOptions = {}): Promise<void> {
  const ops = options.ops ?? systemFileOps;
  try {
    await retryWhileLocked(() => ops.unlink(path), options);
  } catch (error) {
    if (codeOf(error) !== 'ENOENT') throw error;
  }
}
