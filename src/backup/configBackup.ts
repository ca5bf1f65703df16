import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, rename, unlink, utimes, open } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { LoaderError } from '../errors.ts';
import { syncFolder, writeAndSync } from '../runtime/durableFiles.ts';
import { makePrivateFolder } from '../runtime/privateFiles.ts';
import {
  isSafeName,
  KEY_LENGTH,
  openArchive,
  sealArchive,
  type BackupFile,
  type KeyMaterial,
} from './configArchive.ts';

/**
 * Encrypted backups of the loader's own configuration: the user config file and the `.env`
 * beside it, which hold database passwords and API tokens. (The system this replaces XORed
 * them with a fixed key, which hides nothing and detects no change.) This module reads and
 * writes the files; configArchive.ts holds the archive format and its cryptography.
 */

export type KeySource = { passphrase: string } | { keyFile: string };
export type { BackupFile } from './configArchive.ts';

export interface RestoredFile {
  name: string;
  path: string;
  size: number;
  mtime: Date;
}

export const CONFIG_BACKUP_EXTENSION = '.ilcb';

/** Bundles `files` into one encrypted archive; names are relative to the folder they share. */
export async function createConfigBackup(files: Array<{ path: string }>, key: KeySource): Promise<Buffer> {
  if (files.length === 0) throw new LoaderError('CONFIG_BACKUP_NOTHING', 'There are no files to back up.');
  const paths = files.map((file) => resolve(file.path));
  const duplicate = paths.find((path, index) => paths.indexOf(path) !== index);
  if (duplicate) throw new LoaderError('CONFIG_BACKUP_DUPLICATE_FILE', `${duplicate} is named twice in the backup.`);
  const base = commonFolder(paths);

  const read: Array<{ name: string; bytes: Buffer; mtimeMs: number }> = [];
  for (const path of paths) {
    const name = relative(base, path).split(sep).join('/');
    if (!isSafeName(name)) {
      throw new LoaderError('CONFIG_BACKUP_FILE_UNREADABLE', `Cannot back up ${path}: its name cannot be restored.`);
    }
    const { bytes, mtimeMs } = await readSourceFile(path);
    read.push({ name, bytes, mtimeMs });
  }
  return sealArchive(read, await keyMaterial(key));
}

/** Decrypts and checks an archive; nothing is returned unless every byte is as it was made. */
export async function readConfigBackup(archive: Buffer, key: KeySource): Promise<BackupFile[]> {
  return openArchive(archive, await keyMaterial(key));
}

/**
 * Writes the archive's files into `targetDir`, all or none: each goes to a temp file beside its
 * target first and is renamed over it only when every one is written. Existing files are
 * replaced only with `overwrite`; otherwise the error names them all.
 */
export async function restoreConfigBackup(
  archive: Buffer,
  key: KeySource,
  targetDir: string,
  options: { overwrite?: boolean } = {},
): Promise<RestoredFile[]> {
  const files = await readConfigBackup(archive, key);
  const root = resolve(targetDir);
  const targets = files.map((file) => ({ file, path: join(root, ...file.name.split('/')) }));

  if (!options.overwrite) {
    const existing: string[] = [];
    for (const { path } of targets) if (await exists(path)) existing.push(path);
    if (existing.length) {
      throw new LoaderError(
        'CONFIG_BACKUP_WOULD_OVERWRITE',
        `Nothing was restored: ${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; ` +
          'restore with overwrite to replace them.',
        { details: { existing } },
      );
    }
  }

  const written: Array<{ temp: string; path: string }> = [];
  try {
    for (const { file, path } of targets) {
      await mkdir(dirname(path), { recursive: true });
      const temp = tempPathBeside(path);
      written.push({ temp, path });
      await writeAndSync(temp, file.bytes, { exclusive: true });
      await utimes(temp, file.mtime, file.mtime);
    }
  } catch (error) {
    await Promise.all(written.map(({ temp }) => unlink(temp).catch(() => {})));
    throw new LoaderError('CONFIG_BACKUP_RESTORE_FAILED', `Nothing was restored: ${describeFsError(error)}.`, {
      cause: error,
    });
  }
  const renamed: string[] = [];
  for (const { temp, path } of written) {
    try {
      await rename(temp, path);
      renamed.push(path);
    } catch (error) {
      await Promise.all(written.slice(renamed.length).map(({ temp: t }) => unlink(t).catch(() => {})));
      const done = renamed.length ? `only ${renamed.join(', ')} restored` : 'nothing was restored';
      throw new LoaderError(
        'CONFIG_BACKUP_RESTORE_FAILED',
        `Cannot restore ${path} (${done}): ${describeFsError(error)}.`,
        {
          cause: error,
        },
      );
    }
  }
  // The renames reach the disk with their folders: a power cut now leaves the restored files, not the old ones.
  for (const folder of new Set(targets.map(({ path }) => dirname(path)))) await syncFolder(folder);
  return targets.map(({ file, path }) => ({ name: file.name, path, size: file.bytes.length, mtime: file.mtime }));
}

/** Saves an archive as a new file (owner-only, atomically); an existing file is never replaced. */
export async function saveConfigBackup(path: string, archive: Buffer): Promise<void> {
  const target = resolve(path);
  makePrivateFolder(dirname(target));
  if (await exists(target)) {
    throw new LoaderError(
      'CONFIG_BACKUP_EXISTS',
      `${target} already exists; a backup is never written over another file.`,
    );
  }
  const temp = tempPathBeside(target);
  try {
    await writeAndSync(temp, archive, { exclusive: true });
    await rename(temp, target);
    await syncFolder(dirname(target));
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}

/** A new key file: 32 random bytes as base64, readable by the owner only; never replaces a file. */
export async function generateKeyFile(path: string): Promise<void> {
  const target = resolve(path);
  try {
    await writeAndSync(target, `${randomBytes(KEY_LENGTH).toString('base64')}\n`, { exclusive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new LoaderError('CONFIG_BACKUP_KEY_FILE_EXISTS', `${target} already exists; a key file is never replaced.`);
    }
    throw error;
  }
}

async function keyMaterial(key: KeySource): Promise<KeyMaterial> {
  if ('passphrase' in key) {
    if (key.passphrase.trim() === '') throw new LoaderError('CONFIG_BACKUP_KEY_EMPTY', 'The passphrase is empty.');
    // NFC: the same passphrase typed on another system may arrive in another Unicode normal form.
    return { kind: 'passphrase', secret: Buffer.from(key.passphrase.normalize('NFC'), 'utf8') };
  }
  const path = resolve(key.keyFile);
  let contents: Buffer;
  try {
    contents = await readFile(path);
  } catch (error) {
    throw new LoaderError(
      'CONFIG_BACKUP_KEY_FILE_UNREADABLE',
      `Cannot read the key file ${path}: ${describeFsError(error)}.`,
      {
        cause: error,
      },
    );
  }
  // The contents are the secret as they are (any file of random bytes serves), but without the
  // trailing newline or spaces an editor may add or remove.
  let end = contents.length;
  while (end > 0 && [0x0a, 0x0d, 0x20, 0x09].includes(contents[end - 1]!)) end--;
  if (end === 0) throw new LoaderError('CONFIG_BACKUP_KEY_EMPTY', `The key file ${path} is empty.`);
  return { kind: 'keyFile', secret: contents.subarray(0, end) };
}

async function readSourceFile(path: string): Promise<{ bytes: Buffer; mtimeMs: number }> {
  try {
    const handle = await open(path, 'r');
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new Error('it is not a regular file');
      return { bytes: await handle.readFile(), mtimeMs: info.mtimeMs };
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new LoaderError('CONFIG_BACKUP_FILE_UNREADABLE', `Cannot back up ${path}: ${describeFsError(error)}.`, {
      cause: error,
    });
  }
}

function commonFolder(paths: string[]): string {
  let base = dirname(paths[0]!);
  const inside = (path: string) => {
    const rel = relative(base, path);
    return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
  };
  while (!paths.every(inside)) {
    const parent = dirname(base);
    if (parent === base) break;
    base = parent;
  }
  return base;
}

function tempPathBeside(path: string): string {
  return `${path}.${randomBytes(6).toString('hex')}.tmp`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'there is no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a folder';
  return error instanceof Error ? error.message : String(error);
}
