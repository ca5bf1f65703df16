import { createCipheriv, createDecipheriv, createHash, randomBytes, scrypt } from 'node:crypto';
import { lstat, mkdir, open, readFile, rename, unlink, utimes } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { LoaderError } from '../errors.ts';
import { makePrivateFolder, PRIVATE_FILE_MODE } from '../runtime/privateFiles.ts';

/**
 * Encrypted backups of the loader's own configuration: the user config file and the `.env`
 * beside it, which hold database passwords and API tokens. (The system this replaces XORed
 * them with a fixed key, which hides nothing and detects no change.)
 *
 * Archive layout, version 1 (integers big-endian):
 *
 *     0  "ILCB"                magic
 *     4  u8 version            1
 *     5  u8 key kind           1 = passphrase, 2 = key file (only so a failed read can say which was used)
 *     6  u8 KDF                1 = scrypt
 *     7  u8 log2(N), u8 r, u8 p
 *    10  16 bytes              salt, random per backup
 *    26  12 bytes              IV, random per backup
 *    38  u32 ciphertext length (tells a copy that was cut short from one that was changed)
 *    42  ciphertext            AES-256-GCM, the 42 header bytes authenticated as AAD
 *   end  16 bytes              GCM tag
 *
 * Plaintext: u32 manifest length, the manifest JSON ({ createdAt, files: [{ name, size,
 * mtimeMs, sha256 }] }), then the files' bytes in manifest order. File names live inside the
 * ciphertext, so the archive shows nothing but its own size.
 *
 * Key derivation: scrypt N=2^17, r=8, p=1 (128 MiB, about 0.4 s once per backup or restore),
 * OWASP's recommendation for scrypt and four times the 2^15 floor: every passphrase guess costs
 * an attacker the same. Readers accept stronger parameters from the header within a memory
 * bound, so the cost can rise later without a new format, and a changed header cannot make a
 * restore allocate without limit.
 */

export type KeySource = { passphrase: string } | { keyFile: string };

export interface BackupFile {
  /** Relative to the folder the backed-up files share, `/`-separated. */
  name: string;
  bytes: Buffer;
  mtime: Date;
}

export interface RestoredFile {
  name: string;
  path: string;
  size: number;
  mtime: Date;
}

export const CONFIG_BACKUP_EXTENSION = '.ilcb';

const MAGIC = Buffer.from('ILCB', 'ascii');
const FORMAT_VERSION = 1;
const KEY_KIND = { passphrase: 1, keyFile: 2 } as const;
const KDF_SCRYPT = 1;
const SALT_LENGTH = 16;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const KEY_LENGTH = 32;
const HEADER_LENGTH = 42;

interface KdfParams {
  log2N: number;
  r: number;
  p: number;
}

const KDF_PARAMS: KdfParams = { log2N: 17, r: 8, p: 1 };
/** The most scrypt memory (128·N·r) a header may ask of a reader: 2^18 at r=8. */
const MAX_KDF_MEMORY = 256 * 1024 * 1024;

const TAMPERED_SENTENCE =
  'The config backup was changed after it was made, or the key is not the one it was made with.';

/** Bundles `files` into one encrypted archive; names are relative to the folder they share. */
export async function createConfigBackup(files: Array<{ path: string }>, key: KeySource): Promise<Buffer> {
  if (files.length === 0) throw new LoaderError('CONFIG_BACKUP_NOTHING', 'There are no files to back up.');
  const paths = files.map((file) => resolve(file.path));
  const duplicate = paths.find((path, index) => paths.indexOf(path) !== index);
  if (duplicate) throw new LoaderError('CONFIG_BACKUP_DUPLICATE_FILE', `${duplicate} is named twice in the backup.`);
  const base = commonFolder(paths);

  const manifest: Manifest = { createdAt: new Date().toISOString(), files: [] };
  const contents: Buffer[] = [];
  for (const path of paths) {
    const name = relative(base, path).split(sep).join('/');
    if (!isSafeName(name)) {
      throw new LoaderError('CONFIG_BACKUP_FILE_UNREADABLE', `Cannot back up ${path}: its name cannot be restored.`);
    }
    const { bytes, mtimeMs } = await readSourceFile(path);
    manifest.files.push({ name, size: bytes.length, mtimeMs, sha256: sha256(bytes) });
    contents.push(bytes);
  }
  const manifestBytes = Buffer.from(JSON.stringify(manifest), 'utf8');
  const plaintext = Buffer.concat([u32(manifestBytes.length), manifestBytes, ...contents]);
  if (plaintext.length > 0xffffffff) {
    throw new LoaderError('CONFIG_BACKUP_TOO_LARGE', 'The files are too large for one config backup (4 GiB).');
  }

  const { kind, secret } = await keyMaterial(key);
  const salt = randomBytes(SALT_LENGTH);
  const iv = randomBytes(IV_LENGTH);
  const header = Buffer.concat([
    MAGIC,
    Buffer.from([FORMAT_VERSION, kind, KDF_SCRYPT, KDF_PARAMS.log2N, KDF_PARAMS.r, KDF_PARAMS.p]),
    salt,
    iv,
    u32(plaintext.length), // GCM ciphertext is as long as the plaintext
  ]);
  const derived = await deriveKey(secret, salt, KDF_PARAMS);
  try {
    const cipher = createCipheriv('aes-256-gcm', derived, iv, { authTagLength: TAG_LENGTH });
    cipher.setAAD(header);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([header, ciphertext, cipher.getAuthTag()]);
  } finally {
    derived.fill(0);
  }
}

/** Decrypts and checks an archive; nothing is returned unless every byte is as it was made. */
export async function readConfigBackup(archive: Buffer, key: KeySource): Promise<BackupFile[]> {
  const header = parseHeader(archive);
  const { kind, secret } = await keyMaterial(key);
  const ciphertext = archive.subarray(HEADER_LENGTH, HEADER_LENGTH + header.ciphertextLength);
  const tag = archive.subarray(HEADER_LENGTH + header.ciphertextLength);

  const derived = await deriveKey(secret, header.salt, header.kdf);
  let plaintext: Buffer;
  try {
    // authTagLength pins the tag to 16 bytes: GCM would otherwise accept a shortened one.
    const decipher = createDecipheriv('aes-256-gcm', derived, header.iv, { authTagLength: TAG_LENGTH });
    decipher.setAAD(archive.subarray(0, HEADER_LENGTH));
    decipher.setAuthTag(tag);
    plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch (error) {
    const hint =
      header.keyKind === kind
        ? ''
        : ` (Its header says it was made with ${keyKindName(header.keyKind)}; ${keyKindName(kind)} was given.)`;
    throw new LoaderError('CONFIG_BACKUP_TAMPERED_OR_WRONG_KEY', TAMPERED_SENTENCE + hint, { cause: error });
  } finally {
    derived.fill(0);
  }
  return unpack(plaintext);
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
      await writeNewFile(temp, file.bytes);
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
    await writeNewFile(temp, archive);
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}

/** A new key file: 32 random bytes as base64, readable by the owner only; never replaces a file. */
export async function generateKeyFile(path: string): Promise<void> {
  const target = resolve(path);
  try {
    await writeNewFile(target, Buffer.from(`${randomBytes(KEY_LENGTH).toString('base64')}\n`, 'ascii'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new LoaderError('CONFIG_BACKUP_KEY_FILE_EXISTS', `${target} already exists; a key file is never replaced.`);
    }
    throw error;
  }
}

interface Manifest {
  createdAt: string;
  files: Array<{ name: string; size: number; mtimeMs: number; sha256: string }>;
}

interface Header {
  keyKind: number;
  kdf: KdfParams;
  salt: Buffer;
  iv: Buffer;
  ciphertextLength: number;
}

/**
 * Anything that does not start like an archive, or is shorter than its header says, is not
 * one (CONFIG_BACKUP_INVALID). Impossible values in a version 1 header can only come from a
 * change, so they are reported as one, without spending a key derivation on them.
 */
function parseHeader(archive: Buffer): Header {
  if (archive.length < HEADER_LENGTH + TAG_LENGTH || !archive.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new LoaderError('CONFIG_BACKUP_INVALID', 'The file is not a config backup (.ilcb archive).');
  }
  const version = archive[4]!;
  if (version !== FORMAT_VERSION) {
    throw new LoaderError(
      'CONFIG_BACKUP_INVALID',
      `The config backup has format version ${version}, which this loader cannot read ` +
        `(it reads version ${FORMAT_VERSION}); a newer loader made it, or the file is damaged.`,
    );
  }
  const ciphertextLength = archive.readUInt32BE(38);
  const expected = HEADER_LENGTH + ciphertextLength + TAG_LENGTH;
  if (archive.length < expected) {
    throw new LoaderError(
      'CONFIG_BACKUP_INVALID',
      `The config backup is incomplete: ${archive.length} of its ${expected} bytes are there (a copy cut short?).`,
    );
  }
  const keyKind = archive[5]!;
  const kdf = { log2N: archive[7]!, r: archive[8]!, p: archive[9]! };
  const knownKind = keyKind === KEY_KIND.passphrase || keyKind === KEY_KIND.keyFile;
  const sane =
    archive[6] === KDF_SCRYPT &&
    kdf.log2N >= 15 &&
    kdf.r >= 8 &&
    kdf.p >= 1 &&
    kdf.p <= 4 &&
    scryptMemory(kdf) <= MAX_KDF_MEMORY;
  if (!knownKind || !sane || archive.length !== expected) {
    throw new LoaderError('CONFIG_BACKUP_TAMPERED_OR_WRONG_KEY', TAMPERED_SENTENCE);
  }
  return {
    keyKind,
    kdf,
    salt: archive.subarray(10, 10 + SALT_LENGTH),
    iv: archive.subarray(26, 26 + IV_LENGTH),
    ciphertextLength,
  };
}

/** The decrypted payload → files. It is authentic by now, so a bad layout means a foreign writer. */
function unpack(plaintext: Buffer): BackupFile[] {
  const invalid = (why: string) =>
    new LoaderError('CONFIG_BACKUP_INVALID', `The config backup decrypts, but its contents are not valid: ${why}.`);
  if (plaintext.length < 4) throw invalid('no manifest');
  const manifestLength = plaintext.readUInt32BE(0);
  let manifest: unknown;
  try {
    manifest = JSON.parse(plaintext.subarray(4, 4 + manifestLength).toString('utf8'));
  } catch {
    throw invalid('the manifest is not JSON');
  }
  const entries = isManifest(manifest) ? manifest.files : undefined;
  if (!entries) throw invalid('the manifest does not list files');
  const files: BackupFile[] = [];
  let offset = 4 + manifestLength;
  for (const entry of entries) {
    if (!isSafeName(entry.name))
      throw invalid(`the file name ${JSON.stringify(entry.name)} is not a plain relative path`);
    if (files.some((file) => file.name === entry.name)) throw invalid(`${entry.name} is listed twice`);
    const bytes = plaintext.subarray(offset, offset + entry.size);
    offset += entry.size;
    if (bytes.length !== entry.size || sha256(bytes) !== entry.sha256)
      throw invalid(`${entry.name} does not match its checksum`);
    files.push({ name: entry.name, bytes: Buffer.from(bytes), mtime: new Date(entry.mtimeMs) });
  }
  if (offset !== plaintext.length) throw invalid('there are bytes no file accounts for');
  return files;
}

function isManifest(value: unknown): value is Manifest {
  if (!value || typeof value !== 'object' || !('files' in value) || !Array.isArray(value.files)) return false;
  return value.files.every(
    (entry: unknown) =>
      !!entry &&
      typeof entry === 'object' &&
      'name' in entry &&
      typeof entry.name === 'string' &&
      'size' in entry &&
      Number.isSafeInteger(entry.size) &&
      (entry.size as number) >= 0 &&
      'mtimeMs' in entry &&
      Number.isFinite(entry.mtimeMs) &&
      'sha256' in entry &&
      typeof entry.sha256 === 'string',
  );
}

/**
 * A name that stays inside the restore folder on every platform: relative, `/`-separated, no
 * `.`/`..`/empty segments, and none of `\ : NUL` (Windows separators and drive letters).
 * Checked on restore too: the archive is authentic, but anyone with the key can make one.
 */
function isSafeName(name: string): boolean {
  if (name === '' || isAbsolute(name) || /[\\:\0]/.test(name)) return false;
  return name.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

async function keyMaterial(key: KeySource): Promise<{ kind: number; secret: Buffer }> {
  if ('passphrase' in key) {
    if (key.passphrase.trim() === '') throw new LoaderError('CONFIG_BACKUP_KEY_EMPTY', 'The passphrase is empty.');
    // NFC: the same passphrase typed on another system may arrive in another Unicode normal form.
    return { kind: KEY_KIND.passphrase, secret: Buffer.from(key.passphrase.normalize('NFC'), 'utf8') };
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
  return { kind: KEY_KIND.keyFile, secret: contents.subarray(0, end) };
}

function deriveKey(secret: Buffer, salt: Buffer, params: KdfParams): Promise<Buffer> {
  const N = 2 ** params.log2N;
  // OpenSSL counts 128·r·(N+2) + 128·r·p bytes; Node's default limit (32 MiB) is below even N=2^15.
  const maxmem = scryptMemory(params) + 128 * params.r * (params.p + 2) + 1024 * 1024;
  return new Promise((resolveKey, reject) => {
    scrypt(secret, salt, KEY_LENGTH, { N, r: params.r, p: params.p, maxmem }, (error, key) =>
      error ? reject(error) : resolveKey(key),
    );
  });
}

function keyKindName(kind: number): string {
  return kind === KEY_KIND.passphrase ? 'a passphrase' : 'a key file';
}

function scryptMemory(params: KdfParams): number {
  return 128 * params.r * 2 ** params.log2N;
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

/** Creates `path` (failing if it exists) owner-only and flushes it to disk before returning. */
async function writeNewFile(path: string, bytes: Buffer): Promise<void> {
  // 0600: config files and key files hold secrets; Windows ignores the mode.
  const handle = await open(path, 'wx', PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
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

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'there is no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a folder';
  return error instanceof Error ? error.message : String(error);
}
