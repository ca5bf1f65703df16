import test from 'ava';
import { stringify } from 'yaml';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyInvoice, type InvoiceLine, type NormalizedInvoice } from '../../src/invoice/normalizedInvoice.ts';
import { pdfTextOf } from '../../src/extract/pdf/pdfText.ts';
import { shippedTemplateDir } from '../../src/extract/shippedTemplates.ts';
import { extractWithTemplates } from '../../src/extract/templates/extractWithTemplates.ts';
import { learnTemplate } from '../../src/extract/templates/learnTemplate.ts';
import { loadTemplates } from '../../src/extract/templates/loadTemplates.ts';

/**
 * A layout no template knows (German labels the generic template does not read, items whose
 * columns it cannot place), corrected once and learned: the next invoice of that layout reads
 * with every corrected field and line right.
 */
interface Item {
  code: string;
  description: string;
  quantity: string;
  unit: string;
  price: string;
  rate: string;
  net: string;
}

function page(number: string, date: string, net: string, vat: string, gross: string, items: Item[]): string[] {
  const comma = (v: string) => v.replace('.', ',');
  return [
    'Holzwerk Kranz GmbH                                  Rechnungsbeleg',
    'Industriestraße 4, 4020 Linz                          USt-IdNr. ATU12345678',
    '',
    'Empfänger: Mágerstav s.r.o., Hlavná 1, 040 01 Košice',
    `Beleg-Nr.   ${number}`,
    `Belegdatum   ${date}`,
    '',
    'Art.-Nr.   Bezeichnung   Menge   ME   Einzelpreis   USt   Betrag',
    ...items.map(
      (i) =>
        `${i.code}   ${i.description}   ${comma(i.quantity)}   ${i.unit}   ${comma(i.price)}   ${i.rate} %   ${comma(i.net)}`,
    ),
    'Zwischensumme netto   ' + comma(net),
    'zzgl. Umsatzsteuer   ' + comma(vat),
    'Zu zahlen   ' + comma(gross) + ' EUR',
  ];
}

const line = (n: number, i: Item): InvoiceLine => ({
  line_number: n,
  item_code: i.code,
  ean: null,
  description: i.description,
  quantity: i.quantity,
  unit: i.unit,
  discount_percent: null,
  unit_price: i.price,
  unit_price_with_vat: null,
  vat_rate: i.rate,
  line_net: i.net,
  line_gross: null,
});

function corrected(
  number: string,
  date: string,
  net: string,
  vat: string,
  gross: string,
  items: Item[],
): NormalizedInvoice {
  const invoice = emptyInvoice('pdf-text');
  invoice.invoice_number = number;
  invoice.issue_date = date;
  invoice.total_net = net;
  invoice.total_vat = vat;
  invoice.total_gross = gross;
  invoice.supplier.name = 'Holzwerk Kranz GmbH';
  invoice.supplier.vat_id = 'ATU12345678';
  invoice.lines = items.map((item, index) => line(index + 1, item));
  return invoice;
}

const first: Item[] = [
  {
    code: 'HK-100',
    description: 'Buchenholz Leiste 2m',
    quantity: '12',
    unit: 'Stk',
    price: '4.50',
    rate: '20',
    net: '54.00',
  },
  {
    code: 'HK-220',
    description: 'Schleifpapier P120',
    quantity: '3',
    unit: 'Pkg',
    price: '7.20',
    rate: '20',
    net: '21.60',
  },
];
const second: Item[] = [
  {
    code: 'HK-310',
    description: 'Eichenbrett 18 mm',
    quantity: '5',
    unit: 'Stk',
    price: '31.90',
    rate: '20',
    net: '159.50',
  },
  {
    code: 'HK-100',
    description: 'Buchenholz Leiste 2m',
    quantity: '20',
    unit: 'Stk',
    price: '4.50',
    rate: '20',
    net: '90.00',
  },
  { code: 'HK-405', description: 'Holzleim 1 kg', quantity: '2', unit: 'Fl', price: '9.95', rate: '20', net: '19.90' },
];

test('a learned template reads the next invoice of the layout with every corrected field and line right', (t) => {
  const text = pdfTextOf([{ lines: page('RB-2026-0417', '03.11.2026', '75.60', '15.12', '90.72', first) }]);
  const fixed = corrected('RB-2026-0417', '2026-11-03', '75.60', '15.12', '90.72', first);
  const learned = learnTemplate({
    text,
    invoice: fixed,
    corrected: ['invoice_number', 'issue_date', 'total_net', 'total_vat', 'total_gross'],
    linesCorrected: true,
    numberStyle: { decimalMark: ',' },
  });
  t.deepEqual(learned.skipped, []);
  t.is(learned.id, 'learned-atu12345678');
  t.deepEqual((learned.spec.fields as Record<string, string[]>).total_gross, ['Zu[ \\t]+zahlen{gap}({money})']);
  t.regex(
    learned.learned.at(-1)!,
    /lines: one row per item: item_code, description, quantity, unit, unit_price, vat_rate, line_net/,
  );

  // Without it the generic template misses this layout's totals and misplaces its columns.
  const before = extractWithTemplates(
    pdfTextOf([{ lines: page('RB-2026-0502', '21.11.2026', '269.40', '53.88', '323.28', second) }]),
    loadTemplates([shippedTemplateDir]),
  ).invoice;
  t.is(before.total_gross, null);
  t.notDeepEqual(
    before.lines.map((l) => [l.quantity, l.line_net]),
    second.map((i) => [i.quantity, i.net]),
  );

  const dir = mkdtempSync(join(tmpdir(), 'learned-templates-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, `${learned.id}.yaml`), stringify(learned.spec));
  const templates = loadTemplates([shippedTemplateDir, dir]);
  const next = pdfTextOf([{ lines: page('RB-2026-0502', '21.11.2026', '269.40', '53.88', '323.28', second) }]);
  const { invoice, template } = extractWithTemplates(next, templates);
  t.is(template, 'learned-atu12345678');
  const want = corrected('RB-2026-0502', '2026-11-21', '269.40', '53.88', '323.28', second);
  for (const field of ['invoice_number', 'issue_date', 'total_net', 'total_vat', 'total_gross'] as const)
    t.is(invoice[field], want[field], field);
  t.deepEqual(
    invoice.lines.map((l) => [l.item_code, l.description, l.quantity, l.unit, l.unit_price, l.vat_rate, l.line_net]),
    want.lines.map((l) => [l.item_code, l.description, l.quantity, l.unit, l.unit_price, l.vat_rate, l.line_net]),
  );
});

test('what cannot be learned is said, not guessed: a value not printed, a value with no label', (t) => {
  const text = pdfTextOf([{ lines: page('RB-1', '03.11.2026', '75.60', '15.12', '90.72', first) }]);
  const fixed = corrected('RB-1', '2026-11-03', '75.60', '15.12', '90.72', first);
  fixed.due_date = '2026-12-03';
  const learned = learnTemplate({
    text,
    invoice: fixed,
    corrected: ['due_date', 'supplier.name'],
    linesCorrected: false,
    numberStyle: { decimalMark: ',' },
  });
  t.deepEqual(learned.skipped, [
    { what: 'due_date', why: '2026-12-03 is not printed on the document as a date' },
    { what: 'supplier.name', why: 'Holzwerk Kranz GmbH is printed, but with no label before it on its line' },
  ]);
  t.throws(
    () =>
      learnTemplate({ text, invoice: emptyInvoice('pdf-text'), corrected: [], linesCorrected: false, numberStyle: {} }),
    { message: /names no supplier IČO or VAT id/ },
  );
});
