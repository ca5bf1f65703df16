import test from 'ava';
import type { PrintedText } from '../../support/pdfInvoices.ts';
import { germanNumber, line, type Layout } from './genericLayouts.ts';
import { read, sameHeader, sameLines } from './layoutChecks.ts';

/**
 * A German wholesale layout: the items table is followed by a second table, one row per VAT rate
 * and a last row with the sums, under bold column words ("Nettobetrag", "MwSt-Betrag",
 * "Endbetrag"). The items end at that second header, and each total is its column's sum row.
 */
const lines = [
  line({
    line_number: 1,
    item_code: 'ZS997',
    description: 'Zitronensäure 100ml',
    quantity: '10',
    unit_price: '12.00',
    vat_rate: '19',
    line_net: '120.00',
    line_gross: '142.80',
  }),
  line({
    line_number: 2,
    item_code: 'GZ250',
    description: 'Gelierzucker 250g',
    quantity: '4',
    unit_price: '20.00',
    vat_rate: '19',
    line_net: '80.00',
    line_gross: '95.20',
  }),
  line({
    line_number: 3,
    item_code: 'MP107',
    description: 'Mischpalette Joghurt',
    quantity: '5',
    unit_price: '20.00',
    vat_rate: '7',
    line_net: '100.00',
    line_gross: '107.00',
  }),
];

/** Cells of one row of the summary table, right-aligned under its column words. */
const SUMMARY_X = [40, 110, 180, 260, 330, 400, 470];
function summaryRow(y: number, cells: string[], header = false): PrintedText[] {
  return cells.flatMap((text, index) =>
    text === ''
      ? []
      : [
          header
            ? { x: SUMMARY_X[index]!, y, text, size: 8, bold: true }
            : { x: SUMMARY_X[index]! - 10, y, text, align: 'right' as const, width: 60 },
        ],
  );
}

const layout: Layout = {
  top: [
    { x: 40, y: 40, text: 'MUSTERLIEFERANT GMBH', size: 12, bold: true },
    { x: 40, y: 56, text: 'USt-IdNr: DE123456789' },
    { x: 380, y: 40, text: 'WARENRECHNUNG', size: 12, bold: true },
    { x: 380, y: 60, text: 'Beleg-Nr    : R87654321' },
    { x: 380, y: 72, text: 'Beleg-Datum : 06.08.2026' },
    { x: 40, y: 110, text: 'Käufer', bold: true },
    { x: 40, y: 122, text: 'MUSTER-KUNDE GMBH' },
  ],
  columns: [
    { header: 'Art-Nr', x: 40, width: 50, cell: (l) => l.item_code! },
    { header: 'Artikelbezeichnung', x: 100, width: 150, cell: (l) => l.description! },
    { header: 'Menge', x: 260, width: 40, align: 'right', cell: (l) => germanNumber(l.quantity) },
    { header: 'Nettopreis', x: 320, width: 60, align: 'right', cell: (l) => germanNumber(l.unit_price) },
    { header: 'MwSt-%', x: 400, width: 40, align: 'right', cell: (l) => `${l.vat_rate},0` },
    { header: 'Nettowert', x: 460, width: 60, align: 'right', cell: (l) => germanNumber(l.line_net) },
  ],
  lines,
  bottom: [
    ...summaryRow(
      0,
      ['Warenwert', 'Zu-/Abschlag', 'Fracht', 'Nettobetrag', 'MwSt-Betrag', 'MwSt-%', 'Endbetrag'],
      true,
    ),
    ...summaryRow(14, ['200,00', '-4,00', '', '196,00', '37,24', '19,0', '233,24']),
    ...summaryRow(26, ['100,00', '-2,00', '', '98,00', '6,86', '7,0', '104,86']),
    ...summaryRow(38, ['300,00', '-6,00', '', '294,00', '44,10', 'EUR', '338,10']),
  ],
};

test('a totals table per VAT rate under the items: the items end at its header, each total is its sum row', async (t) => {
  const invoice = await read(layout);
  sameLines(t, invoice.lines, lines);
  sameHeader(t, invoice, {
    invoice_number: 'R87654321',
    issue_date: '2026-08-06',
    total_net: '294.00',
    total_vat: '44.10',
    total_gross: '338.10',
    supplier_vat_id: 'DE123456789',
  });
  // The invoice discount (-6,00) makes the lines differ from the total net: review, with the reason.
  t.true(invoice.notes.some((note) => note.includes('the lines add up to 300.00, the total net is 294.00')));
});
