import { LoaderError } from '../../errors.ts';

/**
 * What an XML document may cost the parser, checked and bounded in one pass before it runs.
 * fast-xml-parser builds element values, attribute values and tag names one character at a
 * time: about 40 bytes of memory per character until the value is done. A 20 MB text in one
 * element took 800 MB and 4 s in a worker; a million `<a/>` over 400 MB (issue 15's hostile
 * corpus). Comments and CDATA sections it reads in one piece: they cost nothing extra.
 */

/** A UBL or ISDOC invoice line has about 30 elements: this still reads invoices of over 6 000 lines. */
export const MAX_XML_ELEMENTS = 200_000;
/** Longer tags (name and attributes) are no invoice's: a few namespace declarations take 2 KB. */
export const MAX_TAG_CHARS = 64 * 1024;
/**
 * Longer texts are left out before parsing. No field read from an invoice comes near this; what
 * does is an embedded attachment (a PDF in base64), which is not read anyway.
 */
export const MAX_TEXT_CHARS = 100_000;

export interface BoundedXml {
  text: string;
  /** One sentence per text left out, for the invoice's notes. */
  omitted: string[];
}

const LT = 0x3c;

/**
 * The document with every text longer than MAX_TEXT_CHARS left out. Throws XML_TOO_LARGE for
 * more than MAX_XML_ELEMENTS elements or a tag longer than MAX_TAG_CHARS. Does not check that
 * the document is well-formed: whatever it cannot make sense of it leaves to the parser.
 */
export function boundXml(text: string): BoundedXml {
  const kept: string[] = [];
  const omitted: string[] = [];
  let copiedUpTo = 0;
  let elements = 0;
  let lastTag = '';
  let at = text.indexOf('<');
  while (at >= 0) {
    const end = constructEnd(text, at);
    if (end < 0) break; // unterminated: the parser says where
    if (isStartTag(text, at)) {
      if (++elements > MAX_XML_ELEMENTS) throw tooLarge(`more than ${MAX_XML_ELEMENTS} elements`);
      if (end - at > MAX_TAG_CHARS) throw tooLarge(`a tag of ${end - at} characters`);
      lastTag = /^<([^\s/>]+)/.exec(text.slice(at, at + 200))?.[1] ?? '';
    }
    const next = text.indexOf('<', end);
    const textEnd = next < 0 ? text.length : next;
    if (textEnd - end > MAX_TEXT_CHARS) {
      kept.push(text.slice(copiedUpTo, end));
      copiedUpTo = textEnd;
      omitted.push(
        `a text of ${textEnd - end} characters in <${lastTag}> was left out (an invoice's values are far shorter; an embedded attachment is not read)`,
      );
    }
    at = next;
  }
  if (omitted.length === 0) return { text, omitted };
  kept.push(text.slice(copiedUpTo));
  return { text: kept.join(''), omitted };
}

function isStartTag(text: string, at: number): boolean {
  const next = text.charCodeAt(at + 1);
  return next !== 0x2f && next !== 0x21 && next !== 0x3f; // not </, <! or <?
}

/** Where the markup starting at `at` ends (just past it), or -1 when it never does. */
function constructEnd(text: string, at: number): number {
  const close = (marker: string) => {
    const found = text.indexOf(marker, at);
    return found < 0 ? -1 : found + marker.length;
  };
  if (text.startsWith('<!--', at)) return close('-->');
  if (text.startsWith('<![CDATA[', at)) return close(']]>');
  if (text.startsWith('<?', at)) return close('?>');
  // A start or end tag, or a declaration: its '>' (an attribute value holding '>' ends it early, which only shortens what is counted).
  const found = text.indexOf('>', at);
  return found < 0 || text.charCodeAt(at) !== LT ? -1 : found + 1;
}

function tooLarge(what: string): LoaderError {
  return new LoaderError(
    'XML_TOO_LARGE',
    `The XML document has ${what}, far more than an invoice has; it is not read.`,
    { details: { max_elements: MAX_XML_ELEMENTS, max_tag_characters: MAX_TAG_CHARS } },
  );
}
