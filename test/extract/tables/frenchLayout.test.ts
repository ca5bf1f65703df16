import test from 'ava';
import { comma, line, type Layout } from './genericLayouts.ts';
import { read, sameHeader, sameLines } from './layoutChecks.ts';

/**
 * A French invoice: French column words (Désignation, Qté, Prix unitaire HT, Remise, TVA, Montant
 * HT), quantities printed with their unit ("5 Unit(s)"), and the French totals labels.
 */
const lines = [
  line({
    line_number: 1,
    description: "Nougat de l'Abbaye 250g",
    quantity: '5',
    unit: 'Unit(s)',
    unit_price: '4.55',
    discount_percent: '10',
    vat_rate: '20',
    line_net: '20.48',
    line_gross: '24.58',
  }),
  line({
    line_number: 2,
    description: "Huile d'olive à l'ancienne",
    quantity: '10',
    unit: 'Liter(s)',
    unit_price: '19.80',
    discount_percent: '0',
    vat_rate: '20',
    line_net: '198.00',
    line_gross: '237.60',
  }),
];

const layout: Layout = {
  top: [
    { x: 40, y: 40, text: 'Au bon moulin SARL', size: 12, bold: true },
    { x: 40, y: 56, text: 'TVA : FR11999999998' },
    { x: 40, y: 90, text: 'Facture FA-2026-0010', size: 14, bold: true },
    { x: 40, y: 120, text: 'Date de facture' },
    { x: 160, y: 120, text: '13/11/2026' },
    { x: 40, y: 134, text: "Date d'échéance" },
    { x: 160, y: 134, text: '13/12/2026' },
  ],
  columns: [
    { header: 'Désignation', x: 40, width: 170, cell: (l) => l.description! },
    { header: 'Qté', x: 220, width: 60, align: 'right', cell: (l) => `${comma(l.quantity)} ${l.unit}` },
    { header: 'Prix unitaire HT', x: 290, width: 70, align: 'right', cell: (l) => `${comma(l.unit_price)} €` },
    { header: 'Remise', x: 370, width: 40, align: 'right', cell: (l) => `${l.discount_percent}%` },
    { header: 'TVA', x: 420, width: 40, align: 'right', cell: (l) => `${l.vat_rate}%` },
    { header: 'Montant HT', x: 470, width: 70, align: 'right', cell: (l) => `${comma(l.line_net)} €` },
  ],
  lines,
  bottom: [
    { x: 360, y: 0, text: 'Total HT     218,48 €' },
    { x: 360, y: 12, text: 'Total TVA     43,70 €' },
    { x: 360, y: 24, text: 'Total TTC     262,18 €' },
  ],
};

test('French column words and quantities printed with their unit: every line as printed', async (t) => {
  const invoice = await read(layout);
  sameLines(t, invoice.lines, lines);
  sameHeader(t, invoice, {
    invoice_number: 'FA-2026-0010',
    issue_date: '2026-11-13',
    due_date: '2026-12-13',
    total_net: '218.48',
    total_vat: '43.70',
    total_gross: '262.18',
    supplier_vat_id: 'FR11999999998',
  });
  t.deepEqual(invoice.notes, []);
  t.is(invoice.document_type, 'invoice');
});
