import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PRIVATE_FILE_MODE } from './privateFiles.ts';

/**
 * Writes that survive a power cut: the data reaches the disk before the name points at it,
 * and the rename itself is flushed with its folder.
 */
export async function writeFileDurably(path: string, data: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeAndSync(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncFolder(dirname(path));
}

/**
 * Created owner-only: what is written this way (outbox files, backup manifests, config backups)
 * holds invoice data or secrets. `exclusive`: fails with EEXIST rather than replace a file.
 */
export async function writeAndSync(
  path: string,
  data: string | Buffer,
  options: { exclusive?: boolean } = {},
): Promise<void> {
  const handle = await open(path, options.exclusive ? 'wx' : 'w', PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a folder's entries (renames, new files). Windows cannot open folders for this; NTFS journals them. */
export async function syncFolder(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
