import type { NormalizedInvoice } from '../invoice/normalizedInvoice.ts';
import { error, warning, type ValidationProblem } from './problem.ts';
import { hasText } from './presence.ts';
import { isSlovakSupplier } from './supplierOrigin.ts';

/** Without these an invoice can be neither told apart from a duplicate nor booked. */
const REQUIRED: ReadonlyArray<{ field: string; label: string; value: (invoice: NormalizedInvoice) => string | null }> =
  [
    { field: 'invoice_number', label: 'invoice number', value: (invoice) => invoice.invoice_number },
    { field: 'issue_date', label: 'issue date', value: (invoice) => invoice.issue_date },
    { field: 'supplier.name', label: "supplier's name", value: (invoice) => invoice.supplier.name },
    { field: 'total_gross', label: 'gross total', value: (invoice) => invoice.total_gross },
    { field: 'currency', label: 'currency', value: (invoice) => invoice.currency },
  ];

/**
 * The shape is checked, not membership in ISO 4217: a list would need upkeep, and Node's own
 * (Intl) depends on its ICU build and lacks withdrawn codes such as SKK on old invoices.
 */
const CURRENCY_CODE = /^[A-Z]{3}$/;

export function checkRequiredFields(invoice: NormalizedInvoice): ValidationProblem[] {
  const problems = REQUIRED.filter(({ value }) => !hasText(value(invoice))).map(({ field, label }) =>
    error('FIELD_MISSING', field, `The ${label} was not found on the invoice.`),
  );
  if (invoice.lines.length === 0 && invoice.vat_breakdown.length === 0)
    problems.push(
      error(
        'AMOUNTS_MISSING',
        'lines',
        'No amounts were extracted: the invoice has neither lines nor a VAT breakdown.',
      ),
    );
  // Duplicate detection and the NEX partner lookup go by IČO: without it an operator must match the supplier.
  if (!hasText(invoice.supplier.ico) && isSlovakSupplier(invoice.supplier))
    problems.push(warning('ICO_MISSING', 'supplier.ico', "The Slovak supplier's IČO was not found on the invoice."));
  if (hasText(invoice.currency) && !CURRENCY_CODE.test(invoice.currency))
    problems.push(
      error('CURRENCY_INVALID', 'currency', `Currency "${invoice.currency}" is not a three-letter ISO 4217 code.`),
    );
  return problems;
}
