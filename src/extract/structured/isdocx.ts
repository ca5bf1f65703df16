import { unzipSync } from 'fflate';
import { LoaderError } from '../../errors.ts';

/** An .isdoc is a few hundred kilobytes; a larger entry is a zip bomb or not an invoice. */
const MAX_ISDOC_BYTES = 50 * 1024 * 1024;

/**
 * The ISDOC XML inside an .isdocx archive. The format puts the one .isdoc in the root of the
 * zip, beside its PDF rendering and any attachments (attachments, which may themselves be
 * .isdoc files, live in subfolders). Only that root entry is inflated.
 */
export function readIsdocx(zip: Buffer): Buffer {
  const isRootIsdoc = (name: string) => !name.includes('/') && !name.includes('\\') && /\.isdoc$/i.test(name);
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(new Uint8Array(zip.buffer, zip.byteOffset, zip.byteLength), {
      filter: (file) => {
        if (!isRootIsdoc(file.name)) return false;
        if (file.originalSize > MAX_ISDOC_BYTES) {
          throw new LoaderError(
            'ISDOCX_INVALID',
            `The ISDOCX archive's ${file.name} would inflate to ${file.originalSize} bytes, more than an invoice can be.`,
          );
        }
        return true;
      },
    });
  } catch (error) {
    if (error instanceof LoaderError) throw error;
    throw new LoaderError(
      'ISDOCX_INVALID',
      `The ISDOCX file is not a readable zip archive: ${(error as Error).message}.`,
      {
        cause: error,
      },
    );
  }
  const names = Object.keys(entries);
  if (names.length !== 1) {
    throw new LoaderError(
      'ISDOCX_INVALID',
      names.length === 0
        ? 'The ISDOCX archive holds no .isdoc file in its root.'
        : `The ISDOCX archive holds ${names.length} .isdoc files in its root (${names.join(', ')}) where one is expected.`,
    );
  }
  const isdoc = entries[names[0]!]!;
  return Buffer.from(isdoc.buffer, isdoc.byteOffset, isdoc.byteLength);
}
