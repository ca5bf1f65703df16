import type { IsoDate, NormalizedInvoice } from '../invoice/normalizedInvoice.ts';
import { addYears, formatIsoDate, parseIsoDate, type CalendarDate } from './calendarDate.ts';
import { error, type ValidationProblem } from './problem.ts';
import { hasText } from './presence.ts';

/** No invoice the loader receives predates this; an earlier date is a misread year ("1926" for "2026"). */
export const EARLIEST_DATE: IsoDate = '2000-01-01';
/** Invoices are issued for supplies made, or about to be; a date further ahead is a misread year. */
const FUTURE_YEARS = 1;

const DATE_FIELDS = [
  { field: 'issue_date', label: 'Issue date' },
  { field: 'tax_point_date', label: 'Tax point date' },
  { field: 'due_date', label: 'Due date' },
] as const;

/**
 * Each date is a real calendar day within a plausible window around `today`, and payment is
 * not due before the invoice was issued. `today` is a valid YYYY-MM-DD date.
 */
export function checkDates(invoice: NormalizedInvoice, today: CalendarDate): ValidationProblem[] {
  const latest = formatIsoDate(addYears(today, FUTURE_YEARS));
  const problems = DATE_FIELDS.flatMap(({ field, label }): ValidationProblem[] => {
    const value = invoice[field];
    if (!hasText(value)) return [];
    if (parseIsoDate(value) === null)
      return [error('DATE_INVALID', field, `${label} "${value}" is not a calendar date in YYYY-MM-DD form.`)];
    if (value < EARLIEST_DATE)
      return [
        error('DATE_TOO_EARLY', field, `${label} ${value} is before ${EARLIEST_DATE}, which no invoice here can be.`),
      ];
    if (value > latest)
      return [
        error(
          'DATE_TOO_FAR_AHEAD',
          field,
          `${label} ${value} is more than a year after today, ${formatIsoDate(today)}.`,
        ),
      ];
    return [];
  });
  const { issue_date: issued, due_date: due } = invoice;
  if (hasText(issued) && hasText(due) && parseIsoDate(issued) && parseIsoDate(due) && due < issued)
    problems.push(error('DUE_BEFORE_ISSUE', 'due_date', `Due date ${due} is before the issue date ${issued}.`));
  return problems;
}
