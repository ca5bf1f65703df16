/** The document element as written: its local name and the namespace it is in. */
export interface RootTag {
  localName: string;
  /** The namespace URI the element's prefix (or the default namespace) is bound to, or null. */
  namespace: string | null;
}

const START_TAG = /<([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)((?:\s+[^\s=>/]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*\/?>/y;
const ATTRIBUTE = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/**
 * Reads the first start tag after the prolog (declaration, comments, processing instructions,
 * DOCTYPE). The parser drops namespace declarations once prefixes are removed, yet the
 * namespace is what tells a UBL `Invoice` from an ISDOC `Invoice`, so it is read here.
 */
export function rootTag(text: string): RootTag | null {
  let at = 0;
  for (;;) {
    while (at < text.length && /\s/.test(text[at]!)) at++;
    if (text.startsWith('<?', at)) at = skipPast(text, at, '?>');
    else if (text.startsWith('<!--', at)) at = skipPast(text, at, '-->');
    else if (text.startsWith('<!DOCTYPE', at)) at = skipDoctype(text, at);
    else break;
    if (at < 0) return null;
  }
  START_TAG.lastIndex = at;
  const match = START_TAG.exec(text);
  if (!match) return null;
  const [, qualifiedName = '', attributeText = ''] = match;
  const [prefix, localName] = qualifiedName.includes(':') ? qualifiedName.split(':', 2) : [null, qualifiedName];
  const declaration = prefix === null ? 'xmlns' : `xmlns:${prefix}`;
  for (const [, name, double, single] of attributeText.matchAll(ATTRIBUTE)) {
    if (name === declaration) return { localName: localName!, namespace: (double ?? single ?? '').trim() || null };
  }
  return { localName: localName!, namespace: null };
}

function skipPast(text: string, from: number, end: string): number {
  const index = text.indexOf(end, from);
  return index < 0 ? -1 : index + end.length;
}

/** A DOCTYPE may hold an internal subset in brackets, with `>` inside it. */
function skipDoctype(text: string, from: number): number {
  const close = text.indexOf('>', from);
  const open = text.indexOf('[', from);
  if (open < 0 || (close >= 0 && close < open)) return close < 0 ? -1 : close + 1;
  const subsetEnd = text.indexOf(']', open);
  return subsetEnd < 0 ? -1 : skipPast(text, subsetEnd, '>');
}
