import test from 'ava';
import { parseDecimal, parseRate } from '../../../src/extract/pdf/numbers.ts';

const reads = test.macro({
  exec(t, printed: string, expected: string | null, decimalMark?: ',' | '.') {
    t.is(parseDecimal(printed, decimalMark === undefined ? {} : { decimalMark }), expected);
  },
  title: (_title, printed, expected, decimalMark) =>
    `"${printed}" reads as ${expected}${decimalMark ? ` when the decimal mark is "${decimalMark}"` : ''}`,
});

test(reads, '1 234,50', '1234.50');
test(reads, '39,900', '39.900'); // a Slovak unit price keeps its three decimals
test(reads, '1.234,56', '1234.56'); // German
test(reads, '1,234.56', '1234.56'); // English
test(reads, '1 234.50', '1234.50'); // L&Š: space thousands, decimal point
test(reads, '1\u00a0234\u00a0567,8', '1234567.8'); // no-break spaces
test(reads, '1\u202f234,00', '1234.00'); // narrow no-break space
test(reads, "12'345.60", '12345.60'); // Swiss apostrophe
test(reads, '15.387,08', '15387.08');
test(reads, '1.234.567', '1234567');
test(reads, '1,234,567', '1234567');
test(reads, '0,00', '0.00');
test(reads, '-0,00', '0.00'); // negative zero is zero
test(reads, '-529,87', '-529.87');
test(reads, '529,87-', '-529.87'); // trailing minus
test(reads, '\u2212 8,79', '-8.79'); // the real minus sign
test(reads, '+12', '12');
test(reads, ',5', '0.5');
test(reads, '007', '7');
test(reads, '1.234', '1.234'); // alone, a dot is a decimal point…
test(reads, '1.234', '1234', ','); // …unless the template says the decimal mark is a comma
test(reads, '39,900', '39900', '.'); // and a comma is a thousands separator when the mark is a point
test(reads, '16 09', null); // groups after the first have three digits
test(reads, '1 2345,00', null);
test(reads, '1,234,56', null); // a decimal mark twice
test(reads, '1.234 567', null); // two kinds of grouping
test(reads, '12a', null);
test(reads, '', null);
test(reads, '-', null);
test(reads, '1.', null);

test('rates lose the percent sign and meaningless zeros', (t) => {
  t.is(parseRate('23 %'), '23');
  t.is(parseRate('19,00'), '19');
  t.is(parseRate('7,5%'), '7.5');
  t.is(parseRate('0%'), '0');
  t.is(parseRate('-5 %'), null);
  t.is(parseRate('%'), null);
});
