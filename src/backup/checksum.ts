import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';

/** SHA-256 of a file, read as a stream: dumps can be far larger than memory. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), hash);
  return hash.digest('hex');
}

/** One line in the format of `sha256sum`, so `sha256sum -c` checks a backup without this program. */
export function sha256Line(hash: string, fileName: string): string {
  return `${hash}  ${fileName}\n`;
}

/** The hash in a `.sha256` file, or undefined when it holds none. */
export function parseSha256Line(text: string): string | undefined {
  return /^([0-9a-f]{64})\s/i.exec(text.trim() + '\n')?.[1]?.toLowerCase();
}
