import test from 'ava';
import { addYears, localToday, parseIsoDate } from '../../src/validate/calendarDate.ts';
import { checkDates } from '../../src/validate/dates.ts';
import { codesAndFields, slovakInvoice, TODAY } from './slovakInvoice.ts';

const today = parseIsoDate(TODAY)!;

test('calendar dates: the shape and the days each month has', (t) => {
  t.deepEqual(parseIsoDate('2026-07-24'), { year: 2026, month: 7, day: 24 });
  t.truthy(parseIsoDate('2024-02-29'), 'a leap year');
  t.truthy(parseIsoDate('2000-02-29'), 'divisible by 400');
  for (const bad of [
    '2026-02-29',
    '1900-02-29',
    '2026-02-30',
    '2026-04-31',
    '2026-13-01',
    '2026-00-10',
    '2026-7-24',
    '24.07.2026',
    ' 2026-07-24',
  ])
    t.is(parseIsoDate(bad), null, bad);
  t.deepEqual(addYears({ year: 2024, month: 2, day: 29 }, 1), { year: 2025, month: 2, day: 28 });
});

test('today is the local calendar day, not the UTC one', (t) => {
  const zone = process.env.TZ;
  t.teardown(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });
  process.env.TZ = 'Europe/Bratislava';
  const halfPastMidnightOnNewYear = new Date(Date.UTC(2025, 11, 31, 23, 30));
  t.is(halfPastMidnightOnNewYear.toISOString().slice(0, 10), '2025-12-31');
  t.is(localToday(halfPastMidnightOnNewYear), '2026-01-01');
});

test('plausible dates in order have no problems', (t) => {
  t.deepEqual(checkDates(slovakInvoice(), today), []);
  const sameDay = slovakInvoice();
  sameDay.due_date = sameDay.issue_date;
  t.deepEqual(checkDates(sameDay, today), [], 'due on issue, as with cash or card');
});

test('a due date before the issue date is named', (t) => {
  const invoice = slovakInvoice();
  invoice.due_date = '2026-07-23';
  const problems = checkDates(invoice, today);
  t.deepEqual(codesAndFields(problems), [['DUE_BEFORE_ISSUE', 'due_date']]);
  t.is(problems[0]!.message, 'Due date 2026-07-23 is before the issue date 2026-07-24.');
});

test('a day the calendar does not have is an error', (t) => {
  const invoice = slovakInvoice();
  invoice.issue_date = '2026-02-30';
  invoice.tax_point_date = '21.07.2026';
  const problems = checkDates(invoice, today);
  t.deepEqual(codesAndFields(problems), [
    ['DATE_INVALID', 'issue_date'],
    ['DATE_INVALID', 'tax_point_date'],
  ]);
  t.is(problems[0]!.message, 'Issue date "2026-02-30" is not a calendar date in YYYY-MM-DD form.');
});

test('up to a year ahead of today is accepted, beyond that is a misread year', (t) => {
  const invoice = slovakInvoice();
  invoice.due_date = '2027-07-25';
  t.deepEqual(checkDates(invoice, today), [], 'exactly a year ahead');
  invoice.due_date = '2027-07-26';
  invoice.tax_point_date = '2062-07-21';
  const problems = checkDates(invoice, today);
  t.deepEqual(codesAndFields(problems), [
    ['DATE_TOO_FAR_AHEAD', 'tax_point_date'],
    ['DATE_TOO_FAR_AHEAD', 'due_date'],
  ]);
  t.is(problems[1]!.message, 'Due date 2027-07-26 is more than a year after today, 2026-07-25.');
});

test('a date before 2000 is an error', (t) => {
  const invoice = slovakInvoice();
  invoice.issue_date = '1926-07-24';
  invoice.tax_point_date = '2000-01-01';
  t.deepEqual(codesAndFields(checkDates(invoice, today)), [['DATE_TOO_EARLY', 'issue_date']]);
});

test('absent dates are not checked', (t) => {
  const invoice = slovakInvoice();
  invoice.tax_point_date = null;
  invoice.due_date = null;
  t.deepEqual(checkDates(invoice, today), []);
});
