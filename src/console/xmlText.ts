/**
 * An XML document as text an operator can read: one element per line, indented by depth, an
 * element holding only text kept on one line with it. It only re-spaces the text between
 * tags and never parses entities, DTDs or references (nothing in the document is fetched or
 * expanded); the caller escapes the result for HTML. A document it cannot tokenize (not XML,
 * or cut short) comes back as it was.
 */
const TOKEN = new RegExp(
  [
    /<!--[\s\S]*?-->/.source,
    /<!\[CDATA\[[\s\S]*?\]\]>/.source,
    /<\?[\s\S]*?\?>/.source,
    /<!DOCTYPE(?:[^[>]|\[[\s\S]*?\])*>/.source,
    // A tag: its attribute values may hold '>' and '/'.
    /<\/?[^\s<>/!?]+(?:\s+[^\s=<>/]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*\/?>/.source,
    /[^<]+/.source,
  ].join('|'),
  'gy',
);
const INDENT = '  ';

type Token = { kind: 'open' | 'close' | 'empty' | 'text' | 'other'; text: string };

export function formatXml(document: string): string {
  const tokens = tokenize(document);
  if (!tokens) return document;
  const out: string[] = [];
  let depth = 0;
  for (let k = 0; k < tokens.length; k++) {
    const token = tokens[k]!;
    const next = tokens[k + 1];
    const after = tokens[k + 2];
    if (token.kind === 'open' && next?.kind === 'text' && after?.kind === 'close') {
      out.push(INDENT.repeat(depth) + token.text + next.text.trim() + after.text);
      k += 2;
    } else if (token.kind === 'open' && next?.kind === 'close') {
      out.push(INDENT.repeat(depth) + token.text + next.text);
      k += 1;
    } else if (token.kind === 'close') {
      depth = Math.max(depth - 1, 0);
      out.push(INDENT.repeat(depth) + token.text);
    } else {
      out.push(INDENT.repeat(depth) + (token.kind === 'text' ? token.text.trim() : token.text));
      if (token.kind === 'open') depth++;
    }
  }
  return out.join('\n');
}

/** The document as tokens, whitespace between tags dropped; null when some of it is no token. */
function tokenize(document: string): Token[] | null {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let position = 0;
  while (position < document.length) {
    const match = TOKEN.exec(document);
    if (!match) return null;
    position = TOKEN.lastIndex;
    const text = match[0];
    if (!text.startsWith('<')) {
      if (text.trim()) tokens.push({ kind: 'text', text });
    } else if (text.startsWith('</')) {
      tokens.push({ kind: 'close', text });
    } else if (/^<[!?]/.test(text)) {
      tokens.push({ kind: 'other', text });
    } else {
      tokens.push({ kind: text.endsWith('/>') ? 'empty' : 'open', text });
    }
  }
  return tokens;
}
