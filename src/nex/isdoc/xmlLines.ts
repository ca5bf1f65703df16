/**
 * A small XML writer: each function returns the lines of one element, children indented, so
 * the ISDOC writer reads like the document it writes. Every text and attribute is escaped.
 */
export type XmlLines = string[];
export type Attributes = Record<string, string | null>;

const INDENT = '  ';

/** Characters XML 1.0 cannot hold at all (control characters other than tab, newline, return). */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function escapeXml(value: string): string {
  return value
    .replace(FORBIDDEN, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function attributeText(attributes: Attributes): string {
  return Object.entries(attributes)
    .filter((entry): entry is [string, string] => entry[1] !== null)
    .map(([name, value]) => ` ${name}="${escapeXml(value)}"`)
    .join('');
}

/** An element with text: `<Name>text</Name>`, or `<Name/>` for an empty string. */
export function leaf(name: string, value: string, attributes: Attributes = {}): XmlLines {
  const attrs = attributeText(attributes);
  return [value === '' ? `<${name}${attrs}/>` : `<${name}${attrs}>${escapeXml(value)}</${name}>`];
}

/** An element the schema lets us leave out: nothing when there is no value. */
export function optionalLeaf(name: string, value: string | null, attributes: Attributes = {}): XmlLines {
  return value === null ? [] : leaf(name, value, attributes);
}

/** An element holding other elements. */
export function branch(name: string, children: XmlLines[], attributes: Attributes = {}): XmlLines {
  return [`<${name}${attributeText(attributes)}>`, ...children.flat().map((line) => INDENT + line), `</${name}>`];
}
