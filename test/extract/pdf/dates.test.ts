import test from 'ava';
import { parseDate, withDocumentSlashOrder } from '../../../src/extract/pdf/dates.ts';

test('day-first dates with dots, with or without leading zeros and spaces', (t) => {
  t.is(parseDate('16.09.2025'), '2025-09-16');
  t.is(parseDate('6. 9. 2025'), '2025-09-06');
  t.is(parseDate('6.9.2025'), '2025-09-06');
});

test('ISO, Hungarian and slash dates', (t) => {
  t.is(parseDate('2025-09-16'), '2025-09-16');
  t.is(parseDate('2025.10.29'), '2025-10-29'); // MARSO
  t.is(parseDate('2025.10.29.'), '2025-10-29'); // Hungarian closing dot
  t.is(parseDate('31/01/2026'), '2026-01-31');
});

test('month names in Slovak, Czech, German and English', (t) => {
  t.is(parseDate('16. septembra 2025'), '2025-09-16');
  t.is(parseDate('3. března 2024'), '2024-03-03');
  t.is(parseDate('5. März 2018'), '2018-03-05');
  t.is(parseDate('1 January 2026'), '2026-01-01');
  t.is(parseDate('5. Brumaire 2018'), null);
});

test('a day the calendar does not have is null, never a guess', (t) => {
  t.is(parseDate('30.02.2025'), null);
  t.is(parseDate('29.02.2025'), null);
  t.is(parseDate('29.02.2024'), '2024-02-29');
  t.is(parseDate('16.13.2025'), null);
  t.is(parseDate('2025-9-16'), null);
  t.is(parseDate('16.09.25'), null); // a two-digit year is not read
  t.is(parseDate('yesterday'), null);
  t.is(parseDate(''), null);
});

test('only the formats a template allows are tried', (t) => {
  t.is(parseDate('16.09.2025', ['YYYY.MM.DD']), null);
  t.is(parseDate('2025.09.16', ['YYYY.MM.DD']), '2025-09-16');
  // Month-first is not offered at all: 03/04/2025 would be read both ways.
  t.is(parseDate('03/04/2025'), '2025-04-03');
  t.is(parseDate('12-31-2025', ['DD-MM-YYYY']), null);
});

test('slash dates are month first only where the document proves it', (t) => {
  t.is(parseDate('11/03/2017', ['MM/DD/YYYY']), '2017-11-03');
  t.is(parseDate('11/17/2017', ['MM/DD/YYYY']), '2017-11-17');
  t.is(parseDate('17/11/2017', ['MM/DD/YYYY']), null);
  const formats = ['DD.MM.YYYY', 'DD/MM/YYYY'] as const;
  t.deepEqual(withDocumentSlashOrder(formats, 'Invoice date 11/03/2017\nPaid 11/17/2017'), [
    'DD.MM.YYYY',
    'MM/DD/YYYY',
  ]);
  // Nothing proves it, or the proof goes both ways: day first stays.
  t.deepEqual(withDocumentSlashOrder(formats, 'Invoice date 11/03/2017'), [...formats]);
  t.deepEqual(withDocumentSlashOrder(formats, '11/17/2017 and 17/11/2017'), [...formats]);
});
