/**
 * Some invoice generators letter-space their text, so the PDF holds "1 6 . 0 9 . 2 0 2 5" for
 * 16.09.2025. Such sequences are joined back. A joined sequence keeps its width (padded with
 * spaces after it) so the columns to its right stay where they were.
 *
 * What is joined: a run of single characters separated by single spaces that is either
 * digits with a separator (4+ characters: "1 6 . 0 9", "1 2 3 , 4 5"), 5+ digits, or 5+
 * letters. "1 234,50" is untouched (its groups are not single characters), and so are short
 * runs of one-letter words ("a v k").
 */
const SINGLES = /(?<=^|\s)\S(?: \S){3,}(?=\s|$)/gu;
const NUMERIC = /^[\p{N}.,:/\-\u2212]$/u;
const NUMERIC_SEPARATOR = /^[.,:/\-\u2212]$/u;
const LETTER = /^\p{L}$/u;

export function joinSpacedOut(line: string): string {
  return line.replace(SINGLES, (sequence) => {
    const parts = segments(sequence.split(' ')).map((segment) => ({
      joined: shouldJoin(segment),
      text: shouldJoin(segment) ? segment.join('') : segment.join(' '),
    }));
    // Two joined neighbours ("FAKTURA" and "2025001") were one printed token; a word gap would
    // have been wider than one space and ended the sequence.
    const joined = parts
      .map((part, index) => (index > 0 && !(part.joined && parts[index - 1]!.joined) ? ' ' : '') + part.text)
      .join('');
    return joined.padEnd(sequence.length);
  });
}

/** Splits the characters where they change from letters to digits and back. */
function segments(characters: string[]): string[][] {
  const result: string[][] = [];
  for (const character of characters) {
    const current = result.at(-1);
    if (current && kind(current[0]!) === kind(character)) current.push(character);
    else result.push([character]);
  }
  return result;
}

function kind(character: string): 'numeric' | 'letter' | 'other' {
  if (NUMERIC.test(character)) return 'numeric';
  if (LETTER.test(character)) return 'letter';
  return 'other';
}

function shouldJoin(segment: string[]): boolean {
  const first = segment[0]!;
  if (kind(first) === 'numeric') {
    const digits = segment.filter((character) => /\p{N}/u.test(character)).length;
    const hasSeparator = segment.some((character) => NUMERIC_SEPARATOR.test(character));
    return (hasSeparator && segment.length >= 4 && digits >= 2) || digits >= 5;
  }
  if (kind(first) === 'letter') return segment.length >= 5;
  return false;
}
