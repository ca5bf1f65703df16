import test from 'ava';
import { allowanceIn, isAnotherHeader } from '../../../src/extract/tables/rowKinds.ts';
import { cellsOf } from '../../../src/extract/tables/gridCells.ts';

test('an allowance under an item: its word first, a negative amount last, in the suppliers’ languages', (t) => {
  const comma = { decimalMark: ',' as const };
  t.is(allowanceIn('abzgl. 16,7% Rabatt -2,00', comma), '-2.00');
  t.is(allowanceIn('Zľava -1,20 €', comma), '-1.20');
  t.is(allowanceIn('Kedvezmény 10% -150', comma), '-150');
  t.is(allowanceIn('Discount 5% -0.75', { decimalMark: '.' }), '-0.75');
  // Detail lines that only describe a discount already inside the printed net are not allowances.
  t.is(allowanceIn('Artikelrabatt 1: 2,00% Basis: 75,00 € Rabatt: -0,03 €/Stk.', comma), null);
  t.is(allowanceIn('Bruttopreis: 1,5000 €  Artikelgesamtrabatt: -2,50 €', comma), null);
  t.is(allowanceIn('Rabattierfähig -2,00', comma), null);
});

test('the header of the next table: column words without a number', (t) => {
  t.true(isAnotherHeader(cellsOf('Warenwert  Zu-/Abschlag  Nettobetrag  MwSt-%  Endbetrag')));
  t.false(isAnotherHeader(cellsOf('Warenwert  Nettobetrag  19,0  Endbetrag')));
  t.false(isAnotherHeader(cellsOf('Gelierzucker Extra 250g  Verpackung: Karton')));
});
