import { LoaderError } from '../errors.ts';
import type { IsoDate, NormalizedInvoice } from '../invoice/normalizedInvoice.ts';
import { localToday, parseIsoDate } from './calendarDate.ts';
import { checkDates } from './dates.ts';
import { checkDecimalFields } from './decimalFields.ts';
import { checkPartyIdentifiers } from './partyIdentifiers.ts';
import type { ValidationResult } from './problem.ts';
import { checkRequiredFields } from './requiredFields.ts';
import { checkSums } from './sums.ts';
import { checkVatRates } from './vatRates.ts';

export type { Severity, ValidationProblem, ValidationResult } from './problem.ts';

export interface ValidateOptions {
  /** The day the far-future check counts from, YYYY-MM-DD; the machine's local date by default. */
  today?: IsoDate;
}

/**
 * Runs every rule and reports every problem, never stopping at the first: an operator reviewing
 * the invoice should see all its faults at once. Valid means no errors; warnings may remain.
 */
export function validateInvoice(invoice: NormalizedInvoice, options: ValidateOptions = {}): ValidationResult {
  const todayText = options.today ?? localToday();
  const today = parseIsoDate(todayText);
  if (!today) throw new LoaderError('VALIDATION_TODAY_INVALID', `"${todayText}" is not a YYYY-MM-DD date for today.`);
  const problems = [
    ...checkRequiredFields(invoice),
    ...checkDecimalFields(invoice),
    ...checkPartyIdentifiers(invoice),
    ...checkDates(invoice, today),
    ...checkVatRates(invoice),
    ...checkSums(invoice),
  ];
  return { valid: problems.every((problem) => problem.severity !== 'error'), problems };
}
