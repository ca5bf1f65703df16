/**
 * The header fields of a template applied to the text: for each field its patterns are tried in
 * order, each over all its matches, and the first match that converts to a value of the field's
 * type wins ("vom 01.03.2018" in a remark does not stop the search for the invoice date when the
 * remark's pattern is listed later). The rule that produced each value is recorded.
 */
import { convertValue, type ValueContext } from './fieldValues.ts';
import type { FieldRule, Pattern } from './template.ts';
import type { HeaderField } from './templateSchema.ts';

export interface FoundValue {
  value: string;
  /** For source.fields: "regex: Faktúra č." or "default". */
  rule: string;
}

export function findFields(
  fields: Partial<Record<HeaderField, FieldRule>>,
  text: string,
  sections: Record<string, string>,
  context: ValueContext,
): Partial<Record<HeaderField, FoundValue>> {
  const found: Partial<Record<HeaderField, FoundValue>> = {};
  for (const [field, rule] of Object.entries(fields) as [HeaderField, FieldRule][]) {
    const value = findField(rule, text, sections, context);
    if (value !== null) found[field] = value;
  }
  return found;
}

function findField(
  rule: FieldRule,
  text: string,
  sections: Record<string, string>,
  context: ValueContext,
): FoundValue | null {
  for (const pattern of rule.patterns) {
    const scope = pattern.section === null ? text : sections[pattern.section];
    if (scope === undefined) continue; // the section's heading is not on this document
    const found = firstValue(pattern, scope, rule, context);
    if (found !== null)
      return { value: found.value, rule: `regex: ${found.label}${pattern.section ? ` (in ${pattern.section})` : ''}` };
  }
  return rule.default === null ? null : { value: rule.default, rule: 'default' };
}

function firstValue(
  pattern: Pattern,
  scope: string,
  rule: FieldRule,
  context: ValueContext,
): { value: string; label: string } | null {
  for (const match of scope.matchAll(pattern.regex)) {
    // A pattern with groups gives the group "value" (or the first group); one without, its whole match.
    const captured = pattern.value ?? (match.length > 1 ? (match.groups?.value ?? match[1]) : match[0]);
    if (captured === undefined) continue;
    const value = convertValue(captured, rule.type, context);
    if (value !== null) return { value, label: (pattern.labelFixed ? null : printedLabel(match)) ?? pattern.label };
  }
  return null;
}

/**
 * The label as printed before the captured value ("Dátum vystavenia" rather than the
 * alternation that found it), when the pattern has one and it is short enough to be a label.
 */
function printedLabel(match: RegExpExecArray): string | null {
  const capture = match.indices?.groups?.value ?? match.indices?.[1];
  if (capture === undefined) return null;
  const label = match[0]
    .slice(0, capture[0] - match.index)
    .replace(/\s+/g, ' ')
    .replace(/[\s:]+$/, '')
    .trim();
  return /\p{L}/u.test(label) && label.length <= 60 ? label : null;
}
