import { Inflate } from 'fflate';
import { LoaderError } from '../../errors.ts';

/**
 * An .isdoc is a few hundred kilobytes (a 6 000-line invoice about 10 MB); a larger entry is a
 * zip bomb or not an invoice. 50 MB let one archive cost a worker over 300 MB while it was
 * decoded and scanned (issue 15's hostile corpus); 16 MB keeps that near 100 MB.
 */
export const MAX_ISDOC_BYTES = 16 * 1024 * 1024;
/**
 * Compressed bytes handed to the inflater at a time. Deflate expands at most about 1032:1, so
 * one slice yields at most ~16 MB before the running count is looked at again.
 */
const INFLATE_SLICE_BYTES = 16 * 1024;

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

interface ZipEntry {
  name: string;
  method: number;
  encrypted: boolean;
  compressedSize: number;
  declaredSize: number;
  headerOffset: number;
}

/**
 * The ISDOC XML inside an .isdocx archive. The format puts the one .isdoc in the root of the
 * zip, beside its PDF rendering and any attachments (attachments, which may themselves be
 * .isdoc files, live in subfolders). Only that root entry is inflated, and it is stopped by the
 * bytes it actually inflates to: the size an entry declares is written by whoever made the zip.
 */
export function readIsdocx(zip: Buffer): Buffer {
  const isRootIsdoc = (name: string) => !name.includes('/') && !name.includes('\\') && /\.isdoc$/i.test(name);
  const found = centralDirectory(zip).filter((entry) => isRootIsdoc(entry.name));
  if (found.length !== 1) {
    throw invalid(
      found.length === 0
        ? 'The ISDOCX archive holds no .isdoc file in its root.'
        : `The ISDOCX archive holds ${found.length} .isdoc files in its root (${found.map((e) => e.name).join(', ')}) where one is expected.`,
    );
  }
  return inflateEntry(zip, found[0]!);
}

function inflateEntry(zip: Buffer, entry: ZipEntry): Buffer {
  if (entry.encrypted) throw invalid(`The ISDOCX archive's ${entry.name} is encrypted.`);
  if (entry.declaredSize > MAX_ISDOC_BYTES) throw tooLarge(entry.name, `would inflate to ${entry.declaredSize} bytes`);
  if (entry.headerOffset + 30 > zip.length || zip.readUInt32LE(entry.headerOffset) !== LOCAL_HEADER)
    throw unreadable(`${entry.name} has no local header`);
  const start =
    entry.headerOffset + 30 + zip.readUInt16LE(entry.headerOffset + 26) + zip.readUInt16LE(entry.headerOffset + 28);
  const end = start + entry.compressedSize;
  if (end > zip.length) throw unreadable(`${entry.name} runs past the end of the file`);
  const data = zip.subarray(start, end);
  if (entry.method === 0) {
    if (data.length > MAX_ISDOC_BYTES) throw tooLarge(entry.name, `holds ${data.length} bytes`);
    return Buffer.from(data);
  }
  if (entry.method !== 8) throw invalid(`The ISDOCX archive's ${entry.name} uses compression method ${entry.method}.`);

  const chunks: Uint8Array[] = [];
  let inflated = 0;
  const inflater = new Inflate((chunk) => {
    inflated += chunk.length;
    if (inflated <= MAX_ISDOC_BYTES) chunks.push(chunk);
  });
  try {
    for (let offset = 0; offset < data.length; offset += INFLATE_SLICE_BYTES) {
      const last = offset + INFLATE_SLICE_BYTES >= data.length;
      inflater.push(data.subarray(offset, offset + INFLATE_SLICE_BYTES), last);
      if (inflated > MAX_ISDOC_BYTES) throw tooLarge(entry.name, `inflates to more than ${MAX_ISDOC_BYTES} bytes`);
    }
  } catch (error) {
    if (error instanceof LoaderError) throw error;
    throw unreadable(`${entry.name} does not inflate (${(error as Error).message})`, error);
  }
  return Buffer.concat(chunks);
}

/** The entries as the central directory at the end of the archive lists them. */
function centralDirectory(zip: Buffer): ZipEntry[] {
  // The end record is 22 bytes plus a comment of at most 65535.
  let end = -1;
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at -= 1) {
    if (zip.readUInt32LE(at) === END_OF_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) throw unreadable('no end of central directory');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  if (count === 0xffff || at === 0xffffffff)
    throw invalid('The ISDOCX archive is a ZIP64 archive, far larger than an invoice.');
  const entries: ZipEntry[] = [];
  for (let index = 0; index < count; index += 1) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== DIRECTORY_ENTRY)
      throw unreadable('a damaged central directory');
    const flags = zip.readUInt16LE(at + 8);
    const nameLength = zip.readUInt16LE(at + 28);
    const rawName = zip.subarray(at + 46, at + 46 + nameLength);
    entries.push({
      // Bit 11: the name is UTF-8; otherwise code page 437, whose ASCII part is all a name check needs.
      name: rawName.toString(flags & 0x800 ? 'utf8' : 'latin1'),
      method: zip.readUInt16LE(at + 10),
      encrypted: (flags & 1) === 1,
      compressedSize: zip.readUInt32LE(at + 20),
      declaredSize: zip.readUInt32LE(at + 24),
      headerOffset: zip.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return entries;
}

function invalid(sentence: string): LoaderError {
  return new LoaderError('ISDOCX_INVALID', sentence);
}

function unreadable(problem: string, cause?: unknown): LoaderError {
  return new LoaderError('ISDOCX_INVALID', `The ISDOCX file is not a readable zip archive: ${problem}.`, { cause });
}

function tooLarge(name: string, how: string): LoaderError {
  return new LoaderError(
    'ISDOCX_INVALID',
    `The ISDOCX archive's ${name} ${how}, more than an invoice can be (${MAX_ISDOC_BYTES} bytes).`,
  );
}
