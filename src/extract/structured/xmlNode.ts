/**
 * The parsed XML tree and the few ways the readers walk it. Elements are keyed by local name
 * (prefixes removed), attributes by `@name`, text under `#text` and CDATA under `#cdata`. An
 * element that may repeat is an array when the parser knows it, but the readers do not rely on
 * that: `children` always answers with a list and `child` with the first.
 */
export type XmlNode = string | XmlElement;
export interface XmlElement {
  [name: string]: XmlNode | XmlNode[] | undefined;
}

/** Every child element called `name`, in document order: none, one or many. */
export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  if (node === undefined || typeof node === 'string') return [];
  const value = node[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The first element at the end of a path of child names, or undefined. */
export function child(node: XmlNode | undefined, ...path: string[]): XmlNode | undefined {
  let current = node;
  for (const name of path) current = children(current, name)[0];
  return current;
}

/** An element's text, trimmed; null when the element is absent or empty. */
export function text(node: XmlNode | undefined): string | null {
  if (node === undefined) return null;
  const value = typeof node === 'string' ? node : `${stringOr(node['#text'])}${stringOr(node['#cdata'])}`;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

export function textAt(node: XmlNode | undefined, ...path: string[]): string | null {
  return text(child(node, ...path));
}

/** An attribute's value, trimmed; null when absent or empty. */
export function attribute(node: XmlNode | undefined, name: string): string | null {
  if (node === undefined || typeof node === 'string') return null;
  const value = node[`@${name}`];
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function stringOr(value: XmlNode | XmlNode[] | undefined): string {
  return typeof value === 'string' ? value : '';
}

/** Names and descriptions on one line: documents wrap long names with newlines and indentation. */
export function oneLine(value: string | null): string | null {
  return value === null ? null : value.replace(/\s+/g, ' ');
}

/** Address lines and the like: the parts that are present, joined with ", "; null when none is. */
export function joinedText(...parts: Array<string | null>): string | null {
  const present = parts.filter((part): part is string => part !== null);
  return present.length === 0 ? null : present.join(', ');
}

/** The texts of those elements that have one, in order. */
export function texts(nodes: Array<XmlNode | undefined>): string[] {
  return nodes.map(text).filter((value): value is string => value !== null);
}
