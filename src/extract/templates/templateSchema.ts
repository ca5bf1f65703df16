/**
 * The YAML shape of an extraction template, as users write it (config/templates/*.yaml and the
 * folders in extraction.templateDirs). Strict: an unknown key is reported, because in a
 * hand-written template it is almost always a typo that would silently disable a rule.
 */
import { z } from 'zod';
import { DATE_FORMATS } from '../pdf/dates.ts';

const PARTY_FIELDS = ['name', 'ico', 'dic', 'ic_dph', 'vat_id', 'street', 'city', 'zip', 'country'] as const;

/** Every header field a template can fill, as dotted paths into the normalized invoice. */
export const HEADER_FIELDS = [
  'document_type',
  'invoice_number',
  'issue_date',
  'tax_point_date',
  'due_date',
  'currency',
  'variable_symbol',
  'constant_symbol',
  'order_reference',
  'total_net',
  'total_vat',
  'total_gross',
  'amount_due',
  ...PARTY_FIELDS.map((field) => `supplier.${field}` as const),
  'supplier.iban',
  'supplier.bic',
  ...PARTY_FIELDS.map((field) => `customer.${field}` as const),
] as const;
export type HeaderField = (typeof HEADER_FIELDS)[number];

/** How a captured piece of text becomes a value (see fieldValues.ts). */
export const VALUE_TYPES = ['text', 'id', 'date', 'amount', 'decimal', 'rate', 'currency', 'document_type'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

/** Named groups a line-item pattern may capture: the fields of an invoice line, and customs_code. */
export const LINE_GROUPS = [
  'line_number',
  'item_code',
  'ean',
  'description',
  'quantity',
  'unit',
  'discount_percent',
  'unit_price',
  'unit_price_with_vat',
  'vat_rate',
  'line_net',
  'line_gross',
  // Not a field of the normalized line (all tyres share one customs code, so it must not be
  // mistaken for the supplier's item code); it is kept in the invoice notes.
  'customs_code',
] as const;
export type LineGroup = (typeof LINE_GROUPS)[number];

export const VAT_ROW_GROUPS = ['rate', 'base', 'tax'] as const;

const regex = z.string().min(1, 'a regular expression must not be empty');

const patternSpec = z.union([
  regex,
  z.strictObject({
    regex,
    /** How source.fields names this rule; derived from the regex when absent. */
    label: z.string().min(1).optional(),
    /** A fixed value to take when the regex matches (document types), instead of a captured one. */
    value: z.string().min(1).optional(),
    /** Search only this section ("document" = the whole text); overrides the field's section. */
    section: z.string().min(1).optional(),
  }),
]);
export type PatternSpec = z.infer<typeof patternSpec>;

const fieldSpec = z.union([
  regex,
  z.array(patternSpec).min(1),
  z.strictObject({
    type: z.enum(VALUE_TYPES).optional(),
    section: z.string().min(1).optional(),
    patterns: z.array(patternSpec).min(1).optional(),
    /** The value when no pattern finds one. Null unless the template says otherwise. */
    default: z.string().nullable().optional(),
  }),
]);
export type FieldSpec = z.infer<typeof fieldSpec>;

const sectionSpec = z.strictObject({
  /** Where the block starts: its heading ("Dodávateľ", "Verkäufer"). */
  start: regex,
  /** Where it ends; otherwise at the next section heading, max_lines, or the page end. */
  end: regex.optional(),
  max_lines: z.number().int().min(1).max(200).optional(),
});

const itemLineSpec = z.union([regex, z.strictObject({ regex, optional: z.boolean().optional() })]);

const tableSpec = {
  /** How source.fields names the table's rule; derived from the patterns when absent. */
  label: z.string().min(1).optional(),
  /** The table header; rows are read after it (again after every repeat, e.g. on the next page). */
  start: regex.optional(),
  /** The line after the table. */
  end: regex.optional(),
};

export const templateSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'an id is lower-case letters, digits, "-" and "_"'),
  name: z.string().min(1).optional(),
  /** Among matching templates the highest priority wins. */
  priority: z.number().int().default(0),
  /** Used when no other template matches. */
  fallback: z.boolean().default(false),
  /** Another template's id: its sections, fields and tables apply unless redefined here. */
  extends: z.string().min(1).optional(),
  match: z
    .strictObject({
      /** Every keyword must appear (compared without spaces and case, so "36 555 720" matches "36555720"). */
      all: z.array(z.string().min(1)).optional(),
      /** At least one must appear. */
      any: z.array(z.string().min(1)).optional(),
      /** None may appear. */
      exclude: z.array(z.string().min(1)).optional(),
    })
    .optional(),
  /** Letter case is ignored in all regular expressions unless this is false. */
  ignore_case: z.boolean().default(true),
  numbers: z.strictObject({ decimal_mark: z.enum([',', '.', 'auto']) }).optional(),
  dates: z.strictObject({ formats: z.array(z.enum(DATE_FORMATS)).min(1) }).optional(),
  sections: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), sectionSpec).optional(),
  fields: z.partialRecord(z.enum(HEADER_FIELDS), fieldSpec).optional(),
  vat_breakdown: z
    .strictObject({
      ...tableSpec,
      /** A VAT summary row with named groups rate, base and tax; several alternatives allowed. */
      row: z.union([regex, z.array(regex).min(1)]),
    })
    .optional(),
  lines: z
    .strictObject({
      ...tableSpec,
      /** One item: consecutive text lines, each matching the next pattern (named groups = line fields). */
      item: z.union([regex, z.array(itemLineSpec).min(1)]),
      /**
       * When the invoice has exactly one VAT rate in its breakdown, lines without a printed rate
       * carry it (MARSO prints 0 % once, for the whole intra-EU supply).
       */
      vat_rate_from_breakdown: z.boolean().optional(),
    })
    .optional(),
});
export type TemplateSpec = z.infer<typeof templateSchema>;
