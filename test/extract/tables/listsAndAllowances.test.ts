import test from 'ava';
import { renderPdf, type PrintedText } from '../../support/pdfInvoices.ts';
import { germanNumber, line, type Layout } from './genericLayouts.ts';
import { read, readPdf, sameHeader, sameLines } from './layoutChecks.ts';

/**
 * Items the column words do not announce: a priced list without a table header (an insurer's
 * premium invoice), and an allowance printed under an item instead of in a discount column.
 */
function premiumInvoice(items: PrintedText[]): Promise<Buffer> {
  return renderPdf([
    [
      { x: 72, y: 40, text: 'MVM Musterhafter Versicherungsverein a.G.', size: 11 },
      { x: 72, y: 170, text: 'Beitragsrechnung', bold: true },
      { x: 420, y: 170, text: '11. März 2026' },
      { x: 72, y: 200, text: 'Folgende Risiken sind versichert:' },
      ...items,
      { x: 72, y: 300, text: 'Gesamtbeitrag' },
      { x: 360, y: 300, text: '1.050,00 €', align: 'right', width: 80 },
      { x: 72, y: 312, text: 'Versicherungsteuer 19 %' },
      { x: 360, y: 312, text: '199,50 €', align: 'right', width: 80 },
      { x: 72, y: 340, text: 'Dieses Dokument dient auch zur Vorlage beim Finanzamt.' },
    ],
  ]);
}

test('a priced list without a header whose amounts add up to the total net: one line per priced row', async (t) => {
  const invoice = await readPdf(
    await premiumInvoice([
      { x: 72, y: 220, text: 'Verbundene Wohngebäudeversicherung' },
      { x: 360, y: 220, text: '1.000,00 €', align: 'right', width: 80 },
      { x: 80, y: 232, text: '- Feuerversicherung - Teil A § 2 62.000 MK1914' },
      { x: 80, y: 244, text: '- Leitungswasserversicherung - Teil A § 3 62.000 MK1914' },
      { x: 72, y: 256, text: 'Glasversicherung' },
      { x: 360, y: 256, text: '50,00 €', align: 'right', width: 80 },
      { x: 72, y: 268, text: 'Elementarschäden' },
      { x: 360, y: 268, text: '0,00 €', align: 'right', width: 80 },
    ]),
  );
  sameHeader(t, invoice, { total_net: '1050.00', total_vat: '199.50', total_gross: '1249.50' });
  sameLines(t, invoice.lines, [
    line({ line_number: 1, description: 'Verbundene Wohngebäudeversicherung', line_net: '1000.00' }),
    line({ line_number: 2, description: 'Glasversicherung', line_net: '50.00' }),
    line({ line_number: 3, description: 'Elementarschäden', line_net: '0.00' }),
  ]);
  t.is(invoice.source.fields.lines, 'a priced list adding up to the total net');
});

test('a priced list that does not add up to the total net gives no lines', async (t) => {
  const invoice = await readPdf(
    await premiumInvoice([
      { x: 72, y: 220, text: 'Verbundene Wohngebäudeversicherung' },
      { x: 360, y: 220, text: '1.000,00 €', align: 'right', width: 80 },
      { x: 72, y: 256, text: 'Glasversicherung' },
      { x: 360, y: 256, text: '40,00 €', align: 'right', width: 80 },
    ]),
  );
  t.is(invoice.total_net, '1050.00');
  t.deepEqual(invoice.lines, []);
});

const allowanceLines = [
  line({
    line_number: 1,
    description: 'Kunstrasen grün 3m breit',
    quantity: '3',
    unit_price: '4.00',
    vat_rate: '19',
    line_net: '10.00',
    line_gross: '11.90',
  }),
  line({
    line_number: 2,
    description: 'Schweinesteak',
    quantity: '5',
    unit_price: '5.50',
    vat_rate: '19',
    line_net: '27.50',
    line_gross: '32.73',
  }),
];
const allowanceLayout: Layout = {
  top: [
    { x: 40, y: 40, text: 'Lieferant GmbH', size: 12, bold: true },
    { x: 380, y: 40, text: 'RECHNUNG', size: 12, bold: true },
    { x: 380, y: 60, text: 'Rechnungsnummer: 471102' },
    { x: 380, y: 72, text: 'Rechnungsdatum: 05.03.2026' },
  ],
  columns: [
    { header: 'Pos', x: 40, width: 20, cell: (l) => String(l.line_number) },
    {
      header: 'Artikelbeschreibung',
      x: 70,
      width: 200,
      // The allowance of the first item is printed under its name; its amount is before it.
      cell: (l) => (l.line_number === 1 ? [l.description!, 'abzgl. 16,7% Rabatt   -2,00'] : l.description!),
    },
    { header: 'Menge', x: 280, width: 40, align: 'right', cell: (l) => germanNumber(l.quantity) },
    { header: 'Preis', x: 340, width: 50, align: 'right', cell: (l) => germanNumber(l.unit_price) },
    {
      header: 'Entgelt',
      x: 400,
      width: 60,
      align: 'right',
      cell: (l) => germanNumber(l.line_number === 1 ? '12.00' : l.line_net),
    },
    { header: 'USt. %', x: 480, width: 40, align: 'right', cell: (l) => l.vat_rate! },
  ],
  lines: allowanceLines,
  bottom: [
    { x: 300, y: 0, text: 'Zwischensumme   37,50' },
    { x: 300, y: 12, text: 'Summe USt.   7,13' },
    { x: 300, y: 24, text: 'Rechnungsbetrag   44,63' },
  ],
};

test('an allowance printed under an item lowers its net; the lines then add up and need no review', async (t) => {
  const invoice = await read(allowanceLayout);
  sameLines(t, invoice.lines, allowanceLines);
  t.deepEqual(invoice.notes, []);
  t.is(invoice.source.fields.lines, 'items table read by its column words');
});

test('rows priced with VAT: the gross, the included VAT in brackets, and each net from the rate the totals imply', async (t) => {
  const invoice = await readPdf(
    await renderPdf([
      [
        { x: 72, y: 40, text: 'MVM Musterhafter Versicherungsverein a.G.', size: 11 },
        { x: 72, y: 170, text: 'Beitragsrechnung zur Kraftfahrtversicherung', bold: true },
        { x: 420, y: 170, text: '11. März 2026' },
        { x: 72, y: 220, text: 'Kfz-Haftpflicht SF25 (30 %) Typkl. 18' },
        { x: 360, y: 220, text: '80,00 €', align: 'right', width: 80 },
        { x: 72, y: 232, text: 'Vollkasko SF25 (30 %) Typkl. 21' },
        { x: 360, y: 232, text: '140,00 €', align: 'right', width: 80 },
        { x: 72, y: 244, text: 'vierteljährlicher Beitrag inklusive 19 % Versicherungsteuer' },
        { x: 360, y: 244, text: '220,00 €', align: 'right', width: 80 },
        { x: 72, y: 256, text: 'in diesem Beitrag enthaltene Versicherungsteuer' },
        { x: 360, y: 256, text: '(35,13 €)', align: 'right', width: 80 },
      ],
    ]),
  );
  sameHeader(t, invoice, { issue_date: '2026-03-11', total_net: '184.87', total_vat: '35.13', total_gross: '220.00' });
  sameLines(t, invoice.lines, [
    line({
      line_number: 1,
      description: 'Kfz-Haftpflicht SF25 (30 %) Typkl. 18',
      line_net: '67.23',
      line_gross: '80.00',
      vat_rate: '19',
    }),
    line({
      line_number: 2,
      description: 'Vollkasko SF25 (30 %) Typkl. 21',
      line_net: '117.65',
      line_gross: '140.00',
      vat_rate: '19',
    }),
  ]);
});

test('a totals block is not a priced list: without an items table there are no lines', async (t) => {
  const invoice = await readPdf(
    await renderPdf([
      [
        { x: 40, y: 40, text: 'Rechnungsnummer: R-2026-77' },
        { x: 40, y: 52, text: 'Rechnungsdatum: 05.03.2026' },
        { x: 40, y: 100, text: 'Pauschale laut Vertrag für März' },
        { x: 300, y: 140, text: 'Zwischensumme' },
        { x: 420, y: 140, text: '100,00 €', align: 'right', width: 80 },
        { x: 300, y: 152, text: 'Rabatt' },
        { x: 420, y: 152, text: '0,00 €', align: 'right', width: 80 },
        { x: 300, y: 164, text: 'Nettobetrag' },
        { x: 420, y: 164, text: '100,00 €', align: 'right', width: 80 },
        { x: 300, y: 176, text: 'MwSt 19 %' },
        { x: 420, y: 176, text: '19,00 €', align: 'right', width: 80 },
      ],
    ]),
  );
  t.is(invoice.total_net, '100.00');
  t.deepEqual(invoice.lines, []);
});

test('the items header repeated on the next page beside other words: still one table', async (t) => {
  const header = (y: number): PrintedText[] => [
    { x: 40, y, text: 'Bezeichnung', size: 8, bold: true },
    { x: 280, y, text: 'Menge', size: 8, bold: true },
    { x: 340, y, text: 'Einzelpreis', size: 8, bold: true },
    { x: 420, y, text: 'Betrag', size: 8, bold: true },
  ];
  const item = (y: number, name: string, quantity: string, price: string, amount: string): PrintedText[] => [
    { x: 40, y, text: name },
    { x: 270, y, text: quantity, align: 'right', width: 40 },
    { x: 340, y, text: price, align: 'right', width: 50 },
    { x: 420, y, text: amount, align: 'right', width: 60 },
  ];
  const invoice = await readPdf(
    await renderPdf([
      [
        { x: 40, y: 40, text: 'Rechnungsnummer: R-2026-78' },
        ...header(100),
        ...item(116, 'Schrauben M8', '10', '1,50', '15,00'),
        ...item(128, 'Muttern M8', '20', '0,25', '5,00'),
      ],
      [
        // The header again, with words of the running title on its line.
        { x: 480, y: 60, text: 'Fortsetzung', size: 8 },
        { x: 540, y: 60, text: 'Kopie', size: 8 },
        ...header(60),
        ...item(76, 'Dübel 8 mm', '50', '0,10', '5,00'),
        { x: 300, y: 110, text: 'Nettobetrag   25,00' },
      ],
    ]),
  );
  t.deepEqual(
    invoice.lines.map((l) => [l.description, l.quantity, l.unit_price, l.line_net]),
    [
      ['Schrauben M8', '10', '1.50', '15.00'],
      ['Muttern M8', '20', '0.25', '5.00'],
      ['Dübel 8 mm', '50', '0.10', '5.00'],
    ],
  );
});
