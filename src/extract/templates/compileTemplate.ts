/**
 * A validated template spec turned into a runnable Template: defaults filled in, macros
 * expanded, regular expressions compiled. Every problem is a TemplateKeyError naming the key
 * ("fields.issue_date.patterns[1]") so the operator can find the line to fix.
 */
import type { DocumentType } from '../../invoice/normalizedInvoice.ts';
import { DEFAULT_DATE_FORMATS, type DateFormat } from '../pdf/dates.ts';
import { expandMacros } from './patternMacros.ts';
import type { FieldRule, ItemLinePattern, Pattern, SectionRule, Template } from './template.ts';
import {
  LINE_GROUPS,
  VAT_ROW_GROUPS,
  type FieldSpec,
  type HeaderField,
  type PatternSpec,
  type TemplateSpec,
  type ValueType,
} from './templateSchema.ts';

export class TemplateKeyError extends Error {
  readonly key: string;
  constructor(key: string, message: string) {
    super(message);
    this.key = key;
  }
}

const DOCUMENT_TYPES: readonly DocumentType[] = ['invoice', 'credit_note', 'advance_invoice', 'payment_tax_document'];
const DEFAULT_SECTION_LINES = 15;
/** The pseudo-section that means "the whole text". */
export const WHOLE_DOCUMENT = 'document';

export function compileTemplate(spec: TemplateSpec, file: string): Template {
  const dateFormats: DateFormat[] = spec.dates?.formats ?? [...DEFAULT_DATE_FORMATS];
  const compile = (source: string, key: string): RegExp => compileRegex(source, key, dateFormats, spec.ignore_case);
  const sectionNames = new Set(Object.keys(spec.sections ?? {}));

  if (!spec.fallback && !spec.match?.all?.length && !spec.match?.any?.length)
    throw new TemplateKeyError('match', 'a template that is not the fallback needs match.all or match.any keywords');

  const sections: Record<string, SectionRule> = {};
  for (const [name, section] of Object.entries(spec.sections ?? {})) {
    if (name === WHOLE_DOCUMENT)
      throw new TemplateKeyError(`sections.${name}`, `"${WHOLE_DOCUMENT}" is reserved for the whole text`);
    sections[name] = {
      start: compile(section.start, `sections.${name}.start`),
      end: section.end === undefined ? null : compile(section.end, `sections.${name}.end`),
      maxLines: section.max_lines ?? DEFAULT_SECTION_LINES,
    };
  }

  const fields: Partial<Record<HeaderField, FieldRule>> = {};
  for (const [field, fieldSpec] of Object.entries(spec.fields ?? {}) as [HeaderField, FieldSpec][]) {
    fields[field] = compileField(field, fieldSpec, compile, sectionNames);
  }

  const vat = spec.vat_breakdown;
  const rows = vat === undefined ? [] : Array.isArray(vat.row) ? vat.row : [vat.row];
  const lines = spec.lines;
  const items = lines === undefined ? [] : Array.isArray(lines.item) ? lines.item : [lines.item];

  return {
    id: spec.id,
    name: spec.name ?? spec.id,
    file,
    priority: spec.priority,
    fallback: spec.fallback,
    match: { all: spec.match?.all ?? [], any: spec.match?.any ?? [], exclude: spec.match?.exclude ?? [] },
    numberStyle: { decimalMark: spec.numbers?.decimal_mark ?? 'auto' },
    dateFormats,
    sections,
    fields,
    vatBreakdown:
      vat === undefined
        ? null
        : {
            start: vat.start === undefined ? null : compile(vat.start, 'vat_breakdown.start'),
            end: vat.end === undefined ? null : compile(vat.end, 'vat_breakdown.end'),
            row: rows.map((source, index) => {
              const key = Array.isArray(vat.row) ? `vat_breakdown.row[${index}]` : 'vat_breakdown.row';
              const regex = compile(source, key);
              checkGroups(regex, key, VAT_ROW_GROUPS, VAT_ROW_GROUPS);
              return regex;
            }),
            label: vat.label ?? labelOf(rows[0]!),
          },
    lines:
      lines === undefined
        ? null
        : {
            start: lines.start === undefined ? null : compile(lines.start, 'lines.start'),
            end: lines.end === undefined ? null : compile(lines.end, 'lines.end'),
            row: items.map((item, index): ItemLinePattern => {
              const key = Array.isArray(lines.item) ? `lines.item[${index}]` : 'lines.item';
              const source = typeof item === 'string' ? item : item.regex;
              const regex = compile(source, key);
              checkGroups(regex, key, LINE_GROUPS, []);
              const optional = typeof item === 'string' ? false : (item.optional ?? false);
              if (index === 0 && optional)
                throw new TemplateKeyError(key, 'the first line of an item cannot be optional');
              return { regex, optional };
            }),
            label: lines.label ?? labelOf(lines.start ?? (typeof items[0] === 'string' ? items[0] : items[0]!.regex)),
            vatRateFromBreakdown: lines.vat_rate_from_breakdown ?? false,
          },
  };
}

function compileField(
  field: HeaderField,
  spec: FieldSpec,
  compile: (source: string, key: string) => RegExp,
  sectionNames: Set<string>,
): FieldRule {
  const base = `fields.${field}`;
  const options = typeof spec === 'string' || Array.isArray(spec) ? { patterns: spec } : spec;
  const list: PatternSpec[] =
    options.patterns === undefined ? [] : Array.isArray(options.patterns) ? options.patterns : [options.patterns];
  const type = ('type' in options ? options.type : undefined) ?? defaultType(field);
  const fieldSection = 'section' in options ? options.section : undefined;
  const keyOf = (index: number) => (typeof spec === 'string' ? base : `${base}.patterns[${index}]`);

  const patterns = list.map((pattern, index): Pattern => {
    const source = typeof pattern === 'string' ? pattern : pattern.regex;
    const section = (typeof pattern === 'string' ? undefined : pattern.section) ?? fieldSection ?? WHOLE_DOCUMENT;
    if (section !== WHOLE_DOCUMENT && !sectionNames.has(section))
      throw new TemplateKeyError(keyOf(index), `section "${section}" is not defined under sections`);
    const value = typeof pattern === 'string' ? null : (pattern.value ?? null);
    if (value !== null && type === 'document_type' && !DOCUMENT_TYPES.includes(value as DocumentType))
      throw new TemplateKeyError(`${keyOf(index)}.value`, `a document type is one of ${DOCUMENT_TYPES.join(', ')}`);
    return {
      regex: compile(source, keyOf(index)),
      label: (typeof pattern === 'string' ? undefined : pattern.label) ?? labelOf(source),
      labelFixed: typeof pattern !== 'string' && pattern.label !== undefined,
      value,
      section: section === WHOLE_DOCUMENT ? null : section,
    };
  });
  const fallbackValue = 'default' in options ? (options.default ?? null) : null;
  if (patterns.length === 0 && fallbackValue === null)
    throw new TemplateKeyError(base, 'a field needs patterns or a default');
  return { type, patterns, default: fallbackValue };
}

/** The type a field has unless the template says otherwise. */
export function defaultType(field: HeaderField): ValueType {
  const name = field.split('.').at(-1)!;
  if (name.endsWith('_date')) return 'date';
  if (['total_net', 'total_vat', 'total_gross', 'amount_due'].includes(name)) return 'amount';
  if (name === 'currency') return 'currency';
  if (name === 'document_type') return 'document_type';
  if (['ico', 'dic', 'ic_dph', 'vat_id', 'iban', 'bic', 'variable_symbol', 'constant_symbol'].includes(name))
    return 'id';
  return 'text';
}

function compileRegex(source: string, key: string, dateFormats: readonly DateFormat[], ignoreCase: boolean): RegExp {
  let expanded: string;
  try {
    expanded = expandMacros(source, dateFormats);
  } catch (error) {
    throw new TemplateKeyError(key, (error as Error).message);
  }
  try {
    // g: every match is tried until one converts; m: ^ and $ are line ends; u: \p{L} and friends;
    // d: capture positions, which tell the printed label apart from the value (source.fields).
    return new RegExp(expanded, `dgmu${ignoreCase ? 'i' : ''}`);
  } catch (error) {
    throw new TemplateKeyError(key, `not a valid regular expression: ${(error as Error).message}`);
  }
}

function checkGroups(regex: RegExp, key: string, allowed: readonly string[], required: readonly string[]): void {
  const names = [...regex.source.matchAll(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g)].map((match) => match[1]!);
  const unknown = names.filter((name) => !allowed.includes(name));
  if (unknown.length > 0)
    throw new TemplateKeyError(
      key,
      `unknown group ${unknown.map((name) => `(?<${name}>)`).join(', ')}; allowed: ${allowed.join(', ')}`,
    );
  const missing = required.filter((name) => !names.includes(name));
  if (missing.length > 0)
    throw new TemplateKeyError(key, `the pattern must capture ${missing.map((name) => `(?<${name}>)`).join(', ')}`);
}

/**
 * A readable name for a rule when the printed label cannot be shown: the literal text before
 * the first capture group, so "Faktúra\\s+č\\.{gap}(\\S+)" is "Faktúra č.". Falls back to the regex.
 */
export function labelOf(source: string): string {
  const capture = /\((?!\?(?:[:=!]|<[=!]))/.exec(source);
  const prefix = capture ? source.slice(0, capture.index) : source;
  const label = prefix
    .replace(/\(\?<?[=!][^)]*\)/g, '') // lookarounds
    .replace(/\(\?:/g, '(')
    .replace(/\[(?:\\.|[^\]])*\]|\\[sSbBdDwWnt]|\{[a-z_]+\}/g, ' ') // classes, escapes, macros
    .replace(/[*+?]|\{\d+(?:,\d*)?\}/g, '') // quantifiers
    .replace(/\\(.)/g, '$1')
    .replace(/[()^$]/g, '')
    .replace(/\|/g, ' / ')
    .replace(/\s+/g, ' ')
    .replace(/[\s:/]+$/, '')
    .trim();
  return /\p{L}/u.test(label) ? label : source;
}
