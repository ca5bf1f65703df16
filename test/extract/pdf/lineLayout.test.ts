import test from 'ava';
import { layoutLines } from '../../../src/extract/pdf/lineLayout.ts';
import { decodeRun, type TextRun } from '../../../src/extract/pdf/pdf2jsonRuns.ts';
import { joinSpacedOut } from '../../../src/extract/pdf/spacedOut.ts';

/** A run of 10 pt text whose width is 5 pt per character, like a typical sans-serif font. */
/** The line with its column gaps shown as " | ". */
const cells = (line: string) => line.trim().replace(/ {2,}/g, ' | ');

const run = (x: number, y: number, text: string, fontSize = 10): TextRun => ({
  x,
  y,
  text,
  width: text.length * 5,
  fontSize,
});

test('runs on one baseline form one line, read top to bottom whatever their order in the file', (t) => {
  const lines = layoutLines([run(40, 200, 'Spolu'), run(40, 100, 'Faktúra'), run(100, 101.5, 'č. 2025')]);
  t.deepEqual(lines.map(cells), ['Faktúra | č. 2025', 'Spolu']);
});

test('a word gap is one space, touching runs are joined, a wide gap starts a column of at least two spaces', (t) => {
  const [line] = layoutLines([
    run(40, 100, 'Cena'), // ends at 60
    run(62, 100, 'za'), // 2 pt gap: a space
    run(72, 100, 'MJ'), // touching: joined
    run(120, 100, '39,900'), // 38 pt gap: a new column
  ]);
  t.is(cells(line!), 'Cena zaMJ | 39,900');
});

test('values in the same page column start in the same text column, so blocks can be cut by column', (t) => {
  const lines = layoutLines([
    run(40, 100, 'Dodávateľ:'),
    run(330, 100, 'Odberateľ:'),
    run(40, 112, 'IČO: 36555720'),
    run(330, 112, 'IČO: 31436871'),
  ]);
  t.is(lines[0]!.indexOf('Odberateľ'), lines[1]!.lastIndexOf('IČO'));
});

test('spaces printed at the edges of runs count towards the gap', (t) => {
  const [line] = layoutLines([
    run(40, 100, 'Seite '),
    run(70, 100, '1'),
    run(75, 100, '   von   '),
    run(120, 100, '2'),
  ]);
  t.is(cells(line!), 'Seite 1 | von | 2');
});

test('text drawn twice at the same place (fake bold) appears once', (t) => {
  const [line] = layoutLines([run(40, 100, 'Celkom'), run(40.3, 100.2, 'Celkom')]);
  t.is(line!.trim(), 'Celkom');
});

test('a smaller label and a larger value on one baseline stay one line', (t) => {
  const lines = layoutLines([run(40, 100, 'Celkom k úhrade:', 8), run(200, 99, '842,85 EUR', 12)]);
  t.is(lines.length, 1);
});

test('letter-spaced digits are joined back; column positions to their right are kept', (t) => {
  const line = 'Dátum vystavenia: 1 6 . 0 9 . 2 0 2 5    Variabilný symbol: 123';
  const joined = joinSpacedOut(line);
  t.true(joined.startsWith('Dátum vystavenia: 16.09.2025 '));
  t.is(joined.indexOf('Variabilný'), line.indexOf('Variabilný'));
});

test('spaced-out numbers and identifiers are joined', (t) => {
  t.is(joinSpacedOut('1 2 3 , 4 5').trim(), '123,45');
  t.is(joinSpacedOut('IČO: 3 1 4 3 6 8 7 1').trim(), 'IČO: 31436871');
  t.is(joinSpacedOut('F A K T Ú R A').trim(), 'FAKTÚRA');
});

test('thousands groups, short one-letter words and ordinary text are left alone', (t) => {
  for (const text of ['1 234,50', '12 345 678,00 EUR', 'a v k o', 'Sadzba 23 %  5 %', 'Kari sieť 2 x 3 m']) {
    t.is(joinSpacedOut(text), text);
  }
});

test('URI-encoded runs of old pdf2json versions are decoded; plain text with a percent sign is not', (t) => {
  t.is(decodeRun('Fakt%C3%BAra'), 'Faktúra');
  t.is(decodeRun('19 %'), '19 %');
  t.is(decodeRun('100%'), '100%');
  t.is(decodeRun('%E2%82'), '%E2%82'); // a broken escape stays as printed
});
