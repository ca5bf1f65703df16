import { createCipheriv, createDecipheriv, createHash, randomBytes, scrypt } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { LoaderError } from '../errors.ts';

/**
 * The config backup's archive format and its cryptography, apart from any file handling
 * (configBackup.ts reads and writes the files).
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

/** The secret an archive is sealed with, and which kind it was (kept in the header for the error message). */
export interface KeyMaterial {
  kind: 'passphrase' | 'keyFile';
  secret: Buffer;
}

export interface BackupFile {
  /** Relative to the folder the backed-up files share, `/`-separated. */
  name: string;
  bytes: Buffer;
  mtime: Date;
}

const MAGIC = Buffer.from('ILCB', 'ascii');
const FORMAT_VERSION = 1;
const KEY_KIND = { passphrase: 1, keyFile: 2 } as const;
const KDF_SCRYPT = 1;
const SALT_LENGTH = 16;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
export const KEY_LENGTH = 32;
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

/** Seals files (already read, with names relative to their shared folder) into one archive. */
export async function sealArchive(
  files: Array<{ name: string; bytes: Buffer; mtimeMs: number }>,
  key: KeyMaterial,
): Promise<Buffer> {
  const manifest: Manifest = {
    createdAt: new Date().toISOString(),
    files: files.map((file) => ({
      name: file.name,
      size: file.bytes.length,
      mtimeMs: file.mtimeMs,
      sha256: sha256(file.bytes),
    })),
  };
  const contents = files.map((file) => file.bytes);
  const manifestBytes = Buffer.from(JSON.stringify(manifest), 'utf8');
  const plaintext = Buffer.concat([u32(manifestBytes.length), manifestBytes, ...contents]);
  if (plaintext.length > 0xffffffff) {
    throw new LoaderError('CONFIG_BACKUP_TOO_LARGE', 'The files are too large for one config backup (4 GiB).');
  }

  const kind = KEY_KIND[key.kind];
  const secret = key.secret;
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
export async function openArchive(archive: Buffer, key: KeyMaterial): Promise<BackupFile[]> {
  const header = parseHeader(archive);
  const kind = KEY_KIND[key.kind];
  const secret = key.secret;
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
export function isSafeName(name: string): boolean {
  if (name === '' || isAbsolute(name) || /[\\:\0]/.test(name)) return false;
  return name.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
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

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}
