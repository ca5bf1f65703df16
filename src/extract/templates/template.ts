/**
 * A template ready to run: YAML validated, `extends` resolved, macros expanded and every
 * regular expression compiled. Produced by loadTemplates(), consumed by extractWithTemplates().
 */
import type { DateFormat } from '../pdf/dates.ts';
import type { NumberStyle } from '../pdf/numbers.ts';
import type { HeaderField, ValueType } from './templateSchema.ts';

export interface Template {
  id: string;
  name: string;
  /** The file it was read from, for messages. */
  file: string;
  priority: number;
  fallback: boolean;
  match: { all: string[]; any: string[]; exclude: string[] };
  numberStyle: NumberStyle;
  dateFormats: DateFormat[];
  sections: Record<string, SectionRule>;
  fields: Partial<Record<HeaderField, FieldRule>>;
  vatBreakdown: TableRule<RegExp[]> | null;
  lines: LineItemRule | null;
}

export interface Pattern {
  regex: RegExp;
  /** What source.fields says produced the value, unless the printed label can be shown instead. */
  label: string;
  /** The template gave the label: show it rather than the printed one. */
  labelFixed: boolean;
  value: string | null;
  /** A section name, or null for the whole document. */
  section: string | null;
}

export interface FieldRule {
  type: ValueType;
  patterns: Pattern[];
  default: string | null;
}

export interface SectionRule {
  start: RegExp;
  end: RegExp | null;
  maxLines: number;
}

export interface TableRule<Row> {
  start: RegExp | null;
  end: RegExp | null;
  row: Row;
  label: string;
}

export interface ItemLinePattern {
  regex: RegExp;
  optional: boolean;
}

export interface LineItemRule extends TableRule<ItemLinePattern[]> {
  vatRateFromBreakdown: boolean;
}
