import { LoaderError } from '../../errors.ts';

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * The characters of an XML document, decoded the way its bytes say: a byte-order mark wins,
 * then the encoding its declaration names, then UTF-8 (the XML default). Czech and Slovak
 * systems still write windows-1250 now and then, and reading that as UTF-8 would mangle every
 * háček in names and descriptions.
 */
export function xmlText(xml: Buffer | string): string {
  if (typeof xml === 'string') return xml.replace(/^\uFEFF/, '');
  if (UTF8_BOM.every((byte, index) => xml[index] === byte)) return new TextDecoder('utf-8').decode(xml.subarray(3));
  if (xml[0] === 0xff && xml[1] === 0xfe) return new TextDecoder('utf-16le').decode(xml.subarray(2));
  if (xml[0] === 0xfe && xml[1] === 0xff) return new TextDecoder('utf-16be').decode(xml.subarray(2));
  const declared = declaredEncoding(xml);
  try {
    return new TextDecoder(declared ?? 'utf-8').decode(xml);
  } catch (error) {
    throw new LoaderError(
      'XML_MALFORMED',
      `The XML document declares the encoding "${declared}", which cannot be decoded.`,
      { cause: error },
    );
  }
}

/** The `encoding` of `<?xml … ?>`, read as ASCII: every encoding an invoice uses keeps ASCII as is. */
function declaredEncoding(xml: Buffer): string | null {
  const head = xml.subarray(0, 256).toString('latin1');
  const match = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head);
  return match?.[1] ?? null;
}
