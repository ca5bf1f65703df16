/**
 * PostgreSQL codes that refuse an invoice's own text (a NUL, a byte sequence the database
 * encoding has no character for): the same invoice is refused on every attempt, so retrying
 * only delays its quarantine.
 */
const REFUSED_TEXT: Readonly<Record<string, string>> = {
  // character_not_in_repertoire: "invalid byte sequence for encoding "UTF8": 0x00".
  '22021': 'the database refuses a character in this invoice',
  // untranslatable_character: "unsupported Unicode escape sequence" (\u0000 in JSON).
  '22P05': 'the database cannot store a character of this invoice',
};

/** Why retrying a failed step cannot help; undefined when it might. */
export function permanentFailure(code: string | undefined, message: string): string | undefined {
  if (code && REFUSED_TEXT[code]) return REFUSED_TEXT[code];
  return /invalid byte sequence/i.test(message) ? REFUSED_TEXT['22021'] : undefined;
}
