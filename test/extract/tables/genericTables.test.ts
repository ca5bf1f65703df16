import test from 'ava';
import type { InvoiceLine } from '../../../src/invoice/normalizedInvoice.ts';
import { validateInvoice } from '../../../src/validate/validateInvoice.ts';
import { comma, germanNumber, line, point, type Layout } from './genericLayouts.ts';
import { read, sameHeader, sameLines } from './layoutChecks.ts';

/**
 * Invoices of suppliers without a template, in layouts the shipped templates do not know: the
 * generic table reader must return every line exactly as printed, and the header the labels give.
 */
// 1. Slovak: code column, discount column, two-line descriptions, gross per line printed.
const slovakLines = [
  line({
    line_number: 1,
    item_code: 'A-100',
    description: 'Skrutka M8 pozinkovaná / balenie 100 ks',
    quantity: '4',
    unit: 'ks',
    unit_price: '12.50',
    discount_percent: '10',
    vat_rate: '23',
    line_net: '45.00',
    line_gross: '55.35',
  }),
  line({
    line_number: 2,
    item_code: 'B-200',
    description: 'Podložka 8 mm',
    quantity: '10',
    unit: 'ks',
    unit_price: '0.85',
    discount_percent: '0',
    vat_rate: '23',
    line_net: '8.50',
    line_gross: '10.46',
  }),
  line({
    line_number: 3,
    item_code: 'S-01',
    description: 'Montážna služba / na mieste u zákazníka',
    quantity: '2',
    unit: 'hod',
    unit_price: '35.00',
    discount_percent: '5',
    vat_rate: '23',
    line_net: '66.50',
    line_gross: '81.80',
  }),
];
const slovakLayout = (lines: InvoiceLine[], totals = { net: '120.00', vat: '27.60', gross: '147.60' }): Layout => ({
  top: [
    { x: 40, y: 40, text: 'FAKTÚRA č. 2026-0117', size: 15, bold: true },
    { x: 40, y: 80, text: 'Dodávateľ:', bold: true },
    { x: 40, y: 94, text: 'Železiarstvo Kováč s.r.o.' },
    { x: 40, y: 106, text: 'Hlavná 12' },
    { x: 40, y: 118, text: '811 01 Bratislava' },
    { x: 40, y: 130, text: 'IČO: 31333532   IČ DPH: SK2021234567' },
    { x: 310, y: 80, text: 'Odberateľ:', bold: true },
    { x: 310, y: 94, text: 'Odberateľ a.s.' },
    { x: 40, y: 160, text: 'Dátum vystavenia: 05.11.2026' },
    { x: 40, y: 172, text: 'Dátum splatnosti: 19.11.2026' },
    { x: 310, y: 160, text: 'Mena: EUR' },
  ],
  columns: [
    { header: 'Č.', x: 40, width: 15, cell: (l) => String(l.line_number) },
    { header: 'Kód', x: 58, width: 40, cell: (l) => l.item_code ?? '' },
    {
      header: 'Názov položky',
      x: 105,
      width: 140,
      // Descriptions that run over two lines are split where the text says " / ".
      cell: (l) => l.description!.split(' / '),
    },
    { header: 'Množstvo', x: 240, width: 45, align: 'right', cell: (l) => comma(l.quantity) },
    { header: 'MJ', x: 295, width: 20, cell: (l) => l.unit ?? '' },
    { header: 'Cena/MJ', x: 320, width: 45, align: 'right', cell: (l) => comma(l.unit_price) },
    { header: 'Zľava %', x: 370, width: 35, align: 'right', cell: (l) => comma(l.discount_percent) },
    { header: 'DPH %', x: 410, width: 30, align: 'right', cell: (l) => `${l.vat_rate} %` },
    { header: 'Základ', x: 445, width: 45, align: 'right', cell: (l) => comma(l.line_net) },
    { header: 'Spolu s DPH', x: 495, width: 55, align: 'right', cell: (l) => comma(l.line_gross) },
  ],
  lines,
  bottom: [
    { x: 40, y: 0, text: 'Rekapitulácia DPH', bold: true },
    { x: 40, y: 14, text: `23 %      ${comma(totals.net)}      ${comma(totals.vat)}      ${comma(totals.gross)}` },
    { x: 300, y: 40, text: `Spolu bez DPH:   ${comma(totals.net)} EUR` },
    { x: 300, y: 52, text: `DPH spolu:   ${comma(totals.vat)} EUR` },
    { x: 300, y: 64, text: `Celkom k úhrade:   ${comma(totals.gross)} EUR` },
  ],
});

test('Slovak labels, a code and a discount column, two-line descriptions: every line as printed', async (t) => {
  const invoice = await read(slovakLayout(slovakLines));
  sameLines(
    t,
    invoice.lines,
    slovakLines.map((l) => ({ ...l, description: l.description!.replace(' / ', ' ') })),
  );
  sameHeader(t, invoice, {
    invoice_number: '2026-0117',
    issue_date: '2026-11-05',
    due_date: '2026-11-19',
    currency: 'EUR',
    total_net: '120.00',
    total_vat: '27.60',
    total_gross: '147.60',
    supplier_name: 'Železiarstvo Kováč s.r.o.',
    supplier_vat_id: 'SK2021234567',
  });
  t.is(invoice.source.fields.lines, 'items table read by its column words');
  t.deepEqual(invoice.notes, []);
});

// 2. Czech: price before quantity, the VAT amount as a column, only the net per line, Kč.
const czechLines = [
  line({
    line_number: 1,
    description: 'Kancelářský papír A4',
    unit_price: '119.90',
    quantity: '5',
    unit: 'bal',
    vat_rate: '21',
    line_net: '599.50',
    line_gross: '725.40',
  }),
  line({
    line_number: 2,
    description: 'Toner HP 305A',
    unit_price: '1890.00',
    quantity: '1',
    unit: 'ks',
    vat_rate: '21',
    line_net: '1890.00',
    line_gross: '2286.90',
  }),
  line({
    line_number: 3,
    description: 'Pořadač pákový',
    unit_price: '45.50',
    quantity: '12',
    unit: 'ks',
    vat_rate: '12',
    line_net: '546.00',
    line_gross: '611.52',
  }),
];
const czechVat = ['125.90', '396.90', '65.52'];
const czechLayout: Layout = {
  top: [
    { x: 40, y: 40, text: 'Faktura - daňový doklad č. FA-2026-311', size: 14, bold: true },
    { x: 40, y: 80, text: 'Dodavatel:', bold: true },
    { x: 40, y: 94, text: 'Papírnictví Novák s.r.o.' },
    { x: 40, y: 106, text: 'IČ: 27082440   DIČ: CZ27082440' },
    { x: 310, y: 80, text: 'Odběratel:', bold: true },
    { x: 310, y: 94, text: 'Odběratel a.s.' },
    { x: 40, y: 150, text: 'Datum vystavení: 03.11.2026' },
    { x: 40, y: 162, text: 'Datum splatnosti: 17.11.2026' },
  ],
  columns: [
    { header: 'Označení', x: 40, width: 150, cell: (l) => l.description! },
    { header: 'Cena za MJ', x: 200, width: 55, align: 'right', cell: (l) => comma(l.unit_price) },
    { header: 'Počet', x: 265, width: 30, align: 'right', cell: (l) => comma(l.quantity) },
    { header: 'MJ', x: 305, width: 20, cell: (l) => l.unit! },
    { header: 'Sazba DPH', x: 335, width: 45, align: 'right', cell: (l) => `${l.vat_rate} %` },
    { header: 'DPH', x: 390, width: 50, align: 'right', cell: (l) => comma(czechVat[l.line_number - 1]!) },
    { header: 'Celkem bez DPH', x: 450, width: 70, align: 'right', cell: (l) => comma(l.line_net) },
  ],
  lines: czechLines,
  bottom: [
    { x: 40, y: 0, text: 'Rekapitulace DPH', bold: true },
    { x: 40, y: 14, text: `21 %      ${comma('2489.50')}      ${comma('522.80')}` },
    { x: 40, y: 26, text: `12 %      ${comma('546.00')}      ${comma('65.52')}` },
    { x: 300, y: 50, text: `Základ daně celkem:   ${comma('3035.50')} Kč` },
    { x: 300, y: 62, text: `DPH celkem:   ${comma('588.32')} Kč` },
    { x: 300, y: 74, text: `Celkem k úhradě:   ${comma('3623.82')} Kč` },
  ],
};

test('Czech labels, the price before the quantity and a VAT amount column: arithmetic tells the columns apart', async (t) => {
  const invoice = await read(czechLayout);
  sameLines(t, invoice.lines, czechLines);
  sameHeader(t, invoice, {
    invoice_number: 'FA-2026-311',
    issue_date: '2026-11-03',
    due_date: '2026-11-17',
    currency: 'CZK',
    total_net: '3035.50',
    total_vat: '588.32',
    total_gross: '3623.82',
    supplier_vat_id: 'CZ27082440',
  });
});

// 3. Hungarian: whole forints, net, VAT and gross per line.
const hungarianLines = [
  line({
    line_number: 1,
    description: 'Irodaszék',
    quantity: '2',
    unit: 'db',
    unit_price: '45000',
    vat_rate: '27',
    line_net: '90000',
    line_gross: '114300',
  }),
  line({
    line_number: 2,
    description: 'Asztali lámpa',
    quantity: '3',
    unit: 'db',
    unit_price: '8990',
    vat_rate: '27',
    line_net: '26970',
    line_gross: '34252',
  }),
];
const hungarianVat = ['24300', '7282'];
const hungarianLayout: Layout = {
  top: [
    { x: 40, y: 40, text: 'SZÁMLA', size: 16, bold: true },
    { x: 40, y: 64, text: 'Számla sorszáma: HU-2026/0042' },
    { x: 40, y: 90, text: 'Eladó:', bold: true },
    { x: 40, y: 104, text: 'Irodabútor Kft.' },
    { x: 40, y: 116, text: 'Adószám: HU12345678' },
    { x: 310, y: 90, text: 'Vevő:', bold: true },
    { x: 310, y: 104, text: 'Vevő Zrt.' },
    { x: 40, y: 150, text: 'Számla kelte: 2026.11.05' },
    { x: 40, y: 162, text: 'Fizetési határidő: 2026.11.20' },
  ],
  columns: [
    { header: 'Megnevezés', x: 40, width: 130, cell: (l) => l.description! },
    { header: 'Mennyiség', x: 175, width: 45, align: 'right', cell: (l) => `${l.quantity} ${l.unit}` },
    { header: 'Egységár', x: 230, width: 50, align: 'right', cell: (l) => comma(l.unit_price) },
    { header: 'ÁFA %', x: 290, width: 30, align: 'right', cell: (l) => `${l.vat_rate}%` },
    { header: 'Nettó érték', x: 330, width: 60, align: 'right', cell: (l) => comma(l.line_net) },
    { header: 'ÁFA', x: 400, width: 50, align: 'right', cell: (l) => comma(hungarianVat[l.line_number - 1]!) },
    { header: 'Bruttó', x: 460, width: 60, align: 'right', cell: (l) => comma(l.line_gross) },
  ],
  lines: hungarianLines,
  bottom: [
    { x: 300, y: 0, text: `Nettó összesen:   ${comma('116970')} Ft` },
    { x: 300, y: 12, text: `ÁFA összesen:   ${comma('31582')} Ft` },
    { x: 300, y: 24, text: `Bruttó összesen:   ${comma('148552')} Ft` },
  ],
};

test('Hungarian labels and whole forints: each amount is right to its last printed digit', async (t) => {
  const invoice = await read(hungarianLayout);
  sameLines(t, invoice.lines, hungarianLines);
  sameHeader(t, invoice, {
    invoice_number: 'HU-2026/0042',
    issue_date: '2026-11-05',
    due_date: '2026-11-20',
    currency: 'HUF',
    total_net: '116970',
    total_vat: '31582',
    total_gross: '148552',
  });
});

// 4. English: only gross unit prices and gross line totals, decimal points.
const englishLines = [
  line({
    line_number: 1,
    description: 'Wireless mouse',
    quantity: '3',
    unit_price_with_vat: '24.60',
    vat_rate: '23',
    line_net: '60.00',
    line_gross: '73.80',
  }),
  line({
    line_number: 2,
    description: 'USB-C cable 2 m',
    quantity: '5',
    unit_price_with_vat: '9.84',
    vat_rate: '23',
    line_net: '40.00',
    line_gross: '49.20',
  }),
  line({
    line_number: 3,
    description: 'Laptop stand',
    quantity: '1',
    unit_price_with_vat: '45.51',
    vat_rate: '23',
    line_net: '37.00',
    line_gross: '45.51',
  }),
];
const englishLayout: Layout = {
  top: [
    { x: 40, y: 40, text: 'INVOICE', size: 18, bold: true },
    { x: 40, y: 70, text: 'Gadget Store Ltd', size: 12, bold: true },
    { x: 40, y: 84, text: 'VAT No: IE6388047V' },
    { x: 350, y: 70, text: 'Invoice No: GS-88213' },
    { x: 350, y: 82, text: 'Invoice date: 31 Aug 2026' },
    { x: 350, y: 94, text: 'Due date: September 14, 2026' },
    { x: 40, y: 120, text: 'Bill to:', bold: true },
    { x: 40, y: 132, text: 'Odberateľ a.s.' },
  ],
  columns: [
    { header: 'Description', x: 40, width: 180, cell: (l) => l.description! },
    { header: 'Qty', x: 230, width: 30, align: 'right', cell: (l) => point(l.quantity) },
    {
      header: 'Unit price incl. VAT',
      x: 270,
      width: 90,
      align: 'right',
      cell: (l) => `€${point(l.unit_price_with_vat)}`,
    },
    { header: 'VAT %', x: 370, width: 40, align: 'right', cell: (l) => `${l.vat_rate}%` },
    { header: 'Total incl. VAT', x: 420, width: 80, align: 'right', cell: (l) => `€${point(l.line_gross)}` },
  ],
  lines: englishLines,
  bottom: [
    { x: 300, y: 0, text: 'Total excl. VAT:   €137.00' },
    { x: 300, y: 12, text: 'VAT 23%:   €31.51' },
    { x: 300, y: 24, text: 'Total incl. VAT:   €168.51' },
  ],
};

test('English labels and gross-only unit prices: the net of each line follows from its gross and rate', async (t) => {
  const invoice = await read(englishLayout);
  sameLines(t, invoice.lines, englishLines);
  sameHeader(t, invoice, {
    invoice_number: 'GS-88213',
    issue_date: '2026-08-31',
    due_date: '2026-09-14',
    currency: 'EUR',
    total_net: '137.00',
    total_gross: '168.51',
    supplier_name: 'Gadget Store Ltd',
    supplier_vat_id: 'IE6388047V',
  });
});

// 5. German: a table over two pages, the header repeated, a page number between.
const germanLines = Array.from({ length: 34 }, (_, index) => {
  const quantity = (index % 5) + 1;
  const cents = 250 + index * 137;
  const net = quantity * cents;
  return line({
    line_number: index + 1,
    item_code: `ART-${1000 + index}`,
    description: `Artikel Nummer ${index + 1}`,
    quantity: String(quantity),
    unit: 'Stk',
    unit_price: (cents / 100).toFixed(2),
    vat_rate: '19',
    line_net: (net / 100).toFixed(2),
    line_gross: (Math.round(net * 1.19) / 100).toFixed(2),
  });
});
const germanNet = germanLines.reduce((total, l) => total + Math.round(Number(l.line_net) * 100), 0);
const germanLayout: Layout = {
  top: [
    { x: 40, y: 40, text: 'Rechnung', size: 16, bold: true },
    { x: 40, y: 64, text: 'Werkzeughandel Müller GmbH', size: 11, bold: true },
    { x: 40, y: 78, text: 'USt-IdNr.: DE811234567' },
    { x: 350, y: 64, text: 'Rechnungsnummer: R-2026-5521' },
    { x: 350, y: 76, text: 'Rechnungsdatum: 2. November 2026' },
    { x: 350, y: 88, text: 'Fällig am: 02.12.2026' },
    { x: 40, y: 120, text: 'Rechnungsempfänger:', bold: true },
    { x: 40, y: 132, text: 'Odberateľ a.s.' },
  ],
  tableTop: 170,
  perPage: 20,
  columns: [
    { header: 'Pos', x: 40, width: 20, cell: (l) => String(l.line_number) },
    { header: 'Artikelnr.', x: 65, width: 60, cell: (l) => l.item_code! },
    { header: 'Bezeichnung', x: 130, width: 140, cell: (l) => l.description! },
    { header: 'Menge', x: 275, width: 35, align: 'right', cell: (l) => germanNumber(l.quantity) },
    { header: 'Einheit', x: 318, width: 30, cell: (l) => l.unit! },
    { header: 'Einzelpreis', x: 355, width: 55, align: 'right', cell: (l) => germanNumber(l.unit_price) },
    { header: 'MwSt.', x: 420, width: 30, align: 'right', cell: (l) => `${l.vat_rate} %` },
    { header: 'Betrag', x: 460, width: 70, align: 'right', cell: (l) => germanNumber(l.line_net) },
  ],
  lines: germanLines,
  bottom: [
    { x: 300, y: 0, text: `Summe netto:   ${germanNumber((germanNet / 100).toFixed(2))} EUR` },
    { x: 300, y: 12, text: `zzgl. 19 % MwSt.:   ${germanNumber((Math.round(germanNet * 0.19) / 100).toFixed(2))} EUR` },
    {
      x: 300,
      y: 24,
      text: `Gesamtbetrag:   ${germanNumber(((germanNet + Math.round(germanNet * 0.19)) / 100).toFixed(2))} EUR`,
    },
  ],
};

test('German labels, a table over a page break with its header repeated: one table, every line', async (t) => {
  const invoice = await read(germanLayout);
  sameLines(
    t,
    invoice.lines,
    germanLines.map((l) => ({ ...l, line_gross: invoice.lines[l.line_number - 1]?.line_gross ?? null })),
  );
  for (const [index, got] of invoice.lines.entries()) {
    // Gross per line is worked out from net and rate, to the cent.
    const net = Math.round(Number(germanLines[index]!.line_net) * 100);
    t.is(got.line_gross, (Math.round((net * 119) / 100) / 100).toFixed(2), `line ${index + 1} line_gross`);
  }
  sameHeader(t, invoice, {
    invoice_number: 'R-2026-5521',
    issue_date: '2026-11-02',
    due_date: '2026-12-02',
    currency: 'EUR',
    total_net: (germanNet / 100).toFixed(2),
    supplier_vat_id: 'DE811234567',
  });
});

// 6. Lines that do not add up to the printed total: a draft, and review with the reason.
const unevenLines = [
  line({
    line_number: 1,
    item_code: 'K-1',
    description: 'Kábel CYKY 3x2,5',
    quantity: '1',
    unit: 'm',
    unit_price: '40.20',
    discount_percent: '0',
    vat_rate: '23',
    line_net: '40.20',
    line_gross: '49.45',
  }),
  line({
    line_number: 2,
    item_code: 'K-2',
    description: 'Zásuvka dvojitá',
    quantity: '3',
    unit: 'ks',
    unit_price: '18.00',
    discount_percent: '0',
    vat_rate: '23',
    line_net: '54.00',
    line_gross: '66.42',
  }),
];

test('lines that do not add up to the total net are kept as a draft, and the invoice goes to review with the reason', async (t) => {
  const invoice = await read(slovakLayout(unevenLines, { net: '94.92', vat: '21.83', gross: '116.75' }));
  sameLines(t, invoice.lines, unevenLines);
  t.deepEqual(invoice.notes, [
    'Položky sú len návrh: položky dávajú spolu 94.20, celkový základ je 94.92. / The lines are a draft: the lines add up to 94.20, the total net is 94.92.',
  ]);
  t.is(invoice.source.fields.lines, 'items table read by its column words (draft)');
  const result = validateInvoice(invoice, { today: '2026-11-06' });
  t.false(result.valid);
  t.true(
    result.problems.some((problem) => problem.field.startsWith('vat_breakdown') || problem.field.startsWith('lines')),
  );
});
