import test from 'ava';
import {
  add,
  compare,
  formatDecimal,
  isWithin,
  multiply,
  normalize,
  parseDecimal,
  percentOf,
  roundHalfUp,
  subtract,
  sum,
  type ExactDecimal,
} from '../../src/validate/decimal.ts';

const d = (text: string): ExactDecimal => {
  const value = parseDecimal(text);
  if (value === null) throw new Error(`test value ${text} does not parse`);
  return value;
};
const text = (value: ExactDecimal) => formatDecimal(value);

test('0.1 + 0.2 is exactly 0.3', (t) => {
  const total = add(d('0.1'), d('0.2'));
  t.is(text(total), '0.3');
  t.is(compare(total, d('0.3')), 0);
  t.is(compare(total, d('0.30000000000000004')), -1);
});

test('parsing keeps every digit of the precision printed, and the sign', (t) => {
  t.deepEqual(parseDecimal('1823.40'), { units: 182340n, scale: 2 });
  t.deepEqual(parseDecimal('0.125'), { units: 125n, scale: 3 });
  t.deepEqual(parseDecimal('-5'), { units: -5n, scale: 0 });
  t.deepEqual(parseDecimal('\u221212.345'), { units: -12345n, scale: 3 }, 'the typographic minus of PDFs');
  t.deepEqual(parseDecimal('+.5'), { units: 5n, scale: 1 });
  t.deepEqual(parseDecimal('12345678901234567890.01'), { units: 1234567890123456789001n, scale: 2 });
});

test('text that is not a plain decimal does not parse', (t) => {
  for (const bad of ['', ' ', '.', '-', '1,5', '1 823.40', '1e3', '12%', 'NaN', '1.2.3', '--1'])
    t.is(parseDecimal(bad), null, bad);
});

test('values compare by magnitude, not by digits', (t) => {
  t.is(compare(d('23.00'), d('23')), 0);
  t.is(compare(d('-0.01'), d('0')), -1);
  t.is(compare(d('10'), d('9.999')), 1);
  t.is(text(normalize(d('23.500'))), '23.5');
  t.is(text(normalize(d('100'))), '100', 'only fractional zeros go');
});

test('multiplication and percentages are exact', (t) => {
  t.is(text(multiply(d('2'), d('39.900'))), '79.800');
  t.is(text(percentOf(d('117.15'), d('23'))), '26.9445');
  t.is(text(percentOf(d('1.10'), d('1.1'))), '0.01210');
  t.is(text(subtract(d('0.3'), d('0.1'))), '0.2');
  t.is(text(sum([d('79.80'), d('37.35'), d('-0.15')])), '117.00');
});

test('rounding is half-up, away from zero for negative amounts', (t) => {
  t.is(text(roundHalfUp(d('26.9445'))), '26.94');
  t.is(text(roundHalfUp(d('0.125'))), '0.13');
  t.is(text(roundHalfUp(d('0.124999'))), '0.12');
  t.is(text(roundHalfUp(d('2.675'))), '2.68', 'a float would give 2.67');
  t.is(text(roundHalfUp(d('-0.125'))), '-0.13');
  t.is(text(roundHalfUp(d('-0.005'))), '-0.01');
  t.is(text(roundHalfUp(d('-0.004'))), '0.00');
  t.is(text(roundHalfUp(d('7'))), '7.00', 'fewer places are padded');
  t.is(text(roundHalfUp(d('1.23456'), 3)), '1.235');
});

test('formatting pads small and negative values', (t) => {
  t.is(text({ units: -5n, scale: 2 }), '-0.05');
  t.is(text({ units: 5n, scale: 3 }), '0.005');
  t.is(text({ units: 0n, scale: 2 }), '0.00');
  t.is(text({ units: 120n, scale: 0 }), '120');
});

test('a tolerance compares the size of the difference, in either direction', (t) => {
  const cent = d('0.01');
  t.true(isWithin(d('100.00'), d('100.01'), cent));
  t.true(isWithin(d('100.01'), d('100.00'), cent));
  t.false(isWithin(d('100.00'), d('100.011'), cent));
  t.true(isWithin(d('-183.43'), d('-183.42'), cent));
  t.false(isWithin(d('-183.43'), d('183.43'), cent));
});
