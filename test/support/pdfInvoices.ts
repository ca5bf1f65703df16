import { createRequire } from 'node:module';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import {
  emptyInvoice,
  emptyLine,
  type InvoiceLine,
  type NormalizedInvoice,
} from '../../src/invoice/normalizedInvoice.ts';

/**
 * Invoice PDFs for the template extraction tests, generated with pdfkit so that a fresh clone
 * needs no sample files. Each layout has its data as a NormalizedInvoice (what extraction must
 * return) and a renderer that prints exactly that data the way the supplier's PDFs do: two
 * header columns, right-aligned number columns, Slovak diacritics (DejaVu Sans), L&Š's
 * letter-spaced dates and two-line items, MARSO's bilingual labels and YYYY.MM.DD dates.
 */

const fontDir = path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const FONTS = {
  regular: path.join(fontDir, 'DejaVuSans.ttf'),
  bold: path.join(fontDir, 'DejaVuSans-Bold.ttf'),
};

/** One piece of text on the page, in points from the top-left corner. */
export interface PrintedText {
  x: number;
  y: number;
  text: string;
  size?: number;
  bold?: boolean;
  /** Right-aligned texts end at x + width. */
  align?: 'left' | 'right';
  width?: number;
  /** Extra space between characters, in points (some generators letter-space dates). */
  characterSpacing?: number;
}

export function renderPdf(pages: PrintedText[][]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 0, autoFirstPage: false, info: { Producer: 'test' } });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    for (const page of pages) {
      doc.addPage();
      for (const item of page) {
        doc.font(item.bold ? FONTS.bold : FONTS.regular).fontSize(item.size ?? 9);
        doc.text(item.text, item.x, item.y, {
          lineBreak: false,
          ...(item.align === 'right' ? { width: item.width ?? 80, align: 'right' as const } : {}),
          ...(item.characterSpacing === undefined ? {} : { characterSpacing: item.characterSpacing }),
        });
      }
    }
    doc.end();
  });
}

/** A decimal string as an invoice prints it: "1234.50" → "1 234,50" (or "1 234.50"). */
export function printNumber(value: string, decimalMark: ',' | '.' = ',', group = ' '): string {
  const [integer = '', decimals] = value.replace(/^-/, '').split('.');
  const grouped = integer.replace(/\B(?=(\d{3})+$)/g, group);
  return `${value.startsWith('-') ? '-' : ''}${grouped}${decimals === undefined ? '' : `${decimalMark}${decimals}`}`;
}

function slovakDate(iso: string): string {
  const [year, month, day] = iso.split('-');
  return `${day}.${month}.${year}`;
}

function line(fields: Partial<InvoiceLine> & { line_number: number }): InvoiceLine {
  return { ...emptyLine(fields.line_number), ...fields };
}

/** Everything but `source`, which tests check on its own. */
function invoiceOf(fields: Partial<NormalizedInvoice>): NormalizedInvoice {
  return { ...emptyInvoice('pdf-text'), ...fields };
}

// ---------------------------------------------------------------------------------------------
// L&Š, s.r.o. (IČO 36555720): decimal points, letter-spaced issue date, two text lines per item.

export function lsInvoice(): NormalizedInvoice {
  return invoiceOf({
    document_type: 'invoice',
    invoice_number: '2025012345',
    issue_date: '2025-09-16',
    tax_point_date: '2025-09-15',
    due_date: '2025-09-30',
    currency: 'EUR',
    variable_symbol: '2025012345',
    constant_symbol: '0008',
    order_reference: 'OBJ-2025-117',
    supplier: {
      name: 'L&Š, s.r.o.',
      ico: '36555720',
      dic: '2022192245',
      ic_dph: 'SK2022192245',
      vat_id: 'SK2022192245',
      street: 'Nitrianska 12',
      city: 'Šaľa',
      zip: '927 01',
      country: null,
      iban: 'SK3112000000198742637541',
      bic: 'SUBASKBX',
    },
    customer: {
      name: 'MÁGERSTAV, spol. s r.o.',
      ico: '31436871',
      dic: '2020367151',
      ic_dph: 'SK2020367151',
      vat_id: 'SK2020367151',
      street: 'Pezinská 45',
      city: 'Modra',
      zip: '900 01',
      country: null,
    },
    vat_breakdown: [
      { rate: '23', base: '1690.74', tax: '388.87' },
      { rate: '5', base: '18.00', tax: '0.90' },
    ],
    total_net: '1708.74',
    total_vat: '389.77',
    total_gross: '2098.51',
    amount_due: '2098.51',
    lines: [
      line({
        line_number: 1,
        item_code: 'P89380',
        ean: '8583175073808',
        description: 'Hydroizolačná stierka 15 kg',
        quantity: '2',
        unit: 'ks',
        unit_price: '39.900',
        unit_price_with_vat: '49.077',
        vat_rate: '23',
        line_gross: '98.15',
      }),
      line({
        line_number: 2,
        item_code: '100245',
        description: 'Cement CEM II/B-S 32,5 R 25 kg',
        quantity: '400',
        unit: 'vrece',
        discount_percent: '10',
        unit_price: '3.915',
        unit_price_with_vat: '4.815',
        vat_rate: '23',
        line_gross: '1926.18',
      }),
      line({
        line_number: 3,
        item_code: 'KN-7731',
        ean: '4006379061532',
        description: 'Kari sieť 150×150×6 mm, 2×3 m',
        quantity: '6',
        unit: 'm²',
        unit_price: '7.490',
        unit_price_with_vat: '9.213',
        vat_rate: '23',
        line_gross: '55.28',
      }),
      line({
        line_number: 4,
        item_code: '977105',
        ean: '9788080000457',
        description: 'Príručka murára (kniha)',
        quantity: '1',
        unit: 'ks',
        unit_price: '18.000',
        unit_price_with_vat: '18.900',
        vat_rate: '5',
        line_gross: '18.90',
      }),
    ],
  });
}

export function lsInvoicePdf(invoice: NormalizedInvoice): Promise<Buffer> {
  const n = (value: string | null) => printNumber(value!, '.');
  const { supplier: s, customer: c } = invoice;
  const page: PrintedText[] = [
    { x: 40, y: 40, text: s.name!, size: 14, bold: true },
    { x: 330, y: 40, text: `FAKTÚRA - DAŇOVÝ DOKLAD č. ${invoice.invoice_number}`, size: 11, bold: true },
    // Two header columns, as every L&Š invoice prints them.
    { x: 40, y: 80, text: 'Dodávateľ:', bold: true },
    { x: 330, y: 80, text: 'Odberateľ:', bold: true },
    { x: 40, y: 94, text: s.name! },
    { x: 330, y: 94, text: c.name! },
    { x: 40, y: 106, text: s.street! },
    { x: 330, y: 106, text: c.street! },
    { x: 40, y: 118, text: `${s.zip} ${s.city}` },
    { x: 330, y: 118, text: `${c.zip} ${c.city}` },
    { x: 40, y: 130, text: `IČO: ${s.ico}` },
    // The customer's numbers are letter-spaced on L&Š invoices ("3 1 4 3 6 8 7 1").
    { x: 330, y: 130, text: `IČO: ${[...c.ico!].join(' ')}` },
    { x: 40, y: 142, text: `DIČ: ${s.dic}` },
    { x: 330, y: 142, text: `DIČ: ${c.dic}` },
    { x: 40, y: 154, text: `IČ DPH: ${s.ic_dph}` },
    { x: 330, y: 154, text: `IČ DPH: ${c.ic_dph}` },
    { x: 40, y: 184, text: 'Dátum vystavenia:' },
    // Printed with a space between every character, as L&Š's generator does.
    { x: 150, y: 184, text: [...slovakDate(invoice.issue_date!)].join(' ') },
    { x: 330, y: 184, text: 'Variabilný symbol:' },
    { x: 440, y: 184, text: invoice.variable_symbol! },
    { x: 40, y: 196, text: 'Dátum dodania:' },
    { x: 150, y: 196, text: slovakDate(invoice.tax_point_date!) },
    { x: 330, y: 196, text: 'Konštantný symbol:' },
    { x: 440, y: 196, text: invoice.constant_symbol! },
    { x: 40, y: 208, text: 'Dátum splatnosti:' },
    // Letter-spaced by the PDF's character spacing instead of by spaces in the text.
    { x: 150, y: 208, text: slovakDate(invoice.due_date!), characterSpacing: 3 },
    { x: 330, y: 208, text: 'Objednávka č.:' },
    { x: 440, y: 208, text: invoice.order_reference! },
    { x: 40, y: 220, text: `IBAN: ${s.iban!.replace(/(.{4})(?=.)/g, '$1 ')}` },
    { x: 330, y: 220, text: `SWIFT: ${s.bic}` },
    // Item table: two header rows, two text rows per item.
    { x: 40, y: 250, text: 'č.', size: 8 },
    { x: 60, y: 250, text: 'Názov', size: 8 },
    { x: 250, y: 250, text: 'Množstvo', size: 8 },
    { x: 300, y: 250, text: 'MJ', size: 8 },
    { x: 335, y: 250, text: 'Zľava', size: 8 },
    { x: 370, y: 250, text: 'Cena/MJ bez DPH', size: 8 },
    { x: 440, y: 250, text: 'Cena/MJ s DPH', size: 8 },
    { x: 505, y: 250, text: 'Spolu s DPH', size: 8 },
    { x: 60, y: 260, text: 'Kód tovaru', size: 8 },
    { x: 120, y: 260, text: 'EAN', size: 8 },
    { x: 200, y: 260, text: 'Sadzba DPH', size: 8 },
  ];
  invoice.lines.forEach((item, index) => {
    const y = 280 + index * 26;
    page.push(
      { x: 40, y, text: String(item.line_number) },
      { x: 60, y, text: item.description! },
      { x: 240, y, text: n(item.quantity), align: 'right', width: 50 },
      { x: 300, y, text: item.unit! },
      ...(item.discount_percent === null ? [] : [{ x: 335, y, text: `${item.discount_percent} %` }]),
      { x: 370, y, text: n(item.unit_price), align: 'right', width: 55 },
      { x: 440, y, text: n(item.unit_price_with_vat), align: 'right', width: 50 },
      { x: 495, y, text: n(item.line_gross), align: 'right', width: 60 },
      { x: 60, y: y + 11, text: item.item_code!, size: 8 },
      ...(item.ean === null ? [] : [{ x: 120, y: y + 11, text: item.ean, size: 8 }]),
      { x: 200, y: y + 11, text: `${item.vat_rate}%`, size: 8 },
    );
  });
  let y = 290 + invoice.lines.length * 26;
  page.push(
    { x: 40, y, text: 'Sadzba DPH', size: 8 },
    { x: 100, y, text: '%', size: 8 },
    { x: 140, y, text: 'Základ DPH', size: 8 },
    { x: 230, y, text: 'DPH', size: 8 },
    { x: 300, y, text: 'Spolu', size: 8 },
  );
  for (const row of invoice.vat_breakdown) {
    y += 12;
    const gross = (Number(row.base) + Number(row.tax)).toFixed(2);
    page.push(
      { x: 80, y, text: `${row.rate} %`, align: 'right', width: 35 },
      { x: 140, y, text: n(row.base), align: 'right', width: 60 },
      { x: 210, y, text: n(row.tax), align: 'right', width: 50 },
      { x: 280, y, text: n(gross), align: 'right', width: 60 },
    );
  }
  y += 30;
  page.push(
    { x: 330, y, text: 'Základ DPH' },
    { x: 430, y, text: `${n(invoice.total_net)} EUR`, align: 'right', width: 110 },
    { x: 330, y: y + 12, text: 'DPH' },
    { x: 430, y: y + 12, text: `${n(invoice.total_vat)} EUR`, align: 'right', width: 110 },
    { x: 330, y: y + 26, text: 'Celkom k úhrade', bold: true },
    { x: 430, y: y + 26, text: `${n(invoice.amount_due)} EUR`, bold: true, align: 'right', width: 110 },
    { x: 40, y: 800, text: 'L&Š, s.r.o., zapísaná v OR OS Trnava, odd. Sro, vl. č. 12345/T', size: 7 },
  );
  return renderPdf([page]);
}

// ---------------------------------------------------------------------------------------------
// MARSO Kft. (Hungary): bilingual HU/EN, YYYY.MM.DD dates, intra-EU supply at 0 %, customs codes.

export const MARSO_CUSTOMS_CODES = ['4011100000', '4011100000', '4011201000'];

export function marsoInvoice(): NormalizedInvoice {
  const tyre = (lineNumber: number, description: string, quantity: string, price: string, net: string) =>
    line({
      line_number: lineNumber,
      description,
      quantity,
      unit: 'Pcs',
      unit_price: price,
      vat_rate: '0',
      line_net: net,
    });
  return invoiceOf({
    document_type: 'invoice',
    invoice_number: '11925-10338',
    issue_date: '2025-10-29',
    tax_point_date: '2025-10-29',
    due_date: '2025-11-28',
    currency: 'EUR',
    order_reference: 'VR3696263',
    supplier: {
      name: 'MARSO Kft.',
      ico: null,
      dic: null,
      ic_dph: null,
      vat_id: 'HU10428342',
      street: 'Kótaji út 29.',
      city: 'Nyíregyháza',
      zip: '4400',
      country: null,
      iban: 'HU42117730160000000000000000',
      bic: 'OKHBHUHB',
    },
    customer: {
      name: 'ANDROS s.r.o.',
      ico: null,
      dic: null,
      ic_dph: 'SK2120582200',
      vat_id: 'SK2120582200',
      street: 'Hlavná 12',
      city: 'Košice',
      zip: '040 01',
      country: null,
    },
    vat_breakdown: [{ rate: '0', base: '4494.72', tax: '0.00' }],
    total_net: '4494.72',
    total_vat: '0.00',
    total_gross: '4494.72',
    amount_due: '4494.72',
    lines: [
      tyre(1, 'MATADOR 205/55 R16 91H MP47 HECTORRA 3', '40.00', '62.27', '2490.80'),
      tyre(2, 'BARUM 195/65 R15 91T POLARIS 5', '24.00', '51.45', '1234.80'),
      tyre(3, 'SEMPERIT 215/75 R16C 113/111R VAN-LIFE 3', '8.00', '96.14', '769.12'),
    ],
    notes: MARSO_CUSTOMS_CODES.map((code, index) => `Line ${index + 1}: customs tariff code ${code}`),
  });
}

/** List prices MARSO prints before its discounted unit price (not a field of the normalized line). */
const MARSO_LIST_PRICES = ['71.20', '58.90', '104.50'];

export function marsoInvoicePdf(invoice: NormalizedInvoice): Promise<Buffer> {
  const n = (value: string | null) => printNumber(value!, ',');
  const date = (iso: string | null) => iso!.replaceAll('-', '.');
  const { supplier: s, customer: c } = invoice;
  const page: PrintedText[] = [
    { x: 40, y: 36, text: 'Számla / Invoice', size: 16, bold: true },
    { x: 40, y: 70, text: 'Eladó / Seller', bold: true, size: 8 },
    { x: 320, y: 70, text: 'Vevő / Customer', bold: true, size: 8 },
    { x: 40, y: 84, text: s.name!, bold: true },
    { x: 320, y: 84, text: c.name!, bold: true },
    { x: 40, y: 96, text: s.street! },
    { x: 320, y: 96, text: c.street! },
    { x: 40, y: 108, text: `H-${s.zip} ${s.city}` },
    { x: 320, y: 108, text: `SK-${c.zip} ${c.city}` },
    { x: 40, y: 120, text: 'Adószám / Tax number: 10428342-2-15' },
    { x: 40, y: 132, text: `Közösségi adószám / EU VAT No.: ${s.vat_id}` },
    { x: 320, y: 132, text: `Közösségi adószám / EU VAT No.: ${c.vat_id}` },
    { x: 40, y: 144, text: `IBAN: ${s.iban}` },
    { x: 40, y: 156, text: `Swift: ${s.bic}` },
    // The header dates are a table: bilingual labels in one row, the values in the next.
    { x: 40, y: 186, text: 'Fizetési mód', size: 7 },
    { x: 130, y: 186, text: 'Számla kelte', size: 7 },
    { x: 220, y: 186, text: 'Teljesítés', size: 7 },
    { x: 310, y: 186, text: 'Fizetési határidő', size: 7 },
    { x: 420, y: 186, text: 'Számlaszám', size: 7 },
    { x: 40, y: 195, text: 'Payment method', size: 7 },
    { x: 130, y: 195, text: 'Invoice date', size: 7 },
    { x: 220, y: 195, text: 'Delivery date', size: 7 },
    { x: 310, y: 195, text: 'Due date', size: 7 },
    { x: 420, y: 195, text: 'Invoice number', size: 7 },
    { x: 40, y: 207, text: 'transfer' },
    { x: 130, y: 207, text: date(invoice.issue_date) },
    { x: 220, y: 207, text: date(invoice.tax_point_date) },
    { x: 310, y: 207, text: date(invoice.due_date) },
    { x: 420, y: 207, text: invoice.invoice_number!, bold: true },
    { x: 40, y: 225, text: `Rendelés szám / Sales order: ${invoice.order_reference}` },
    { x: 40, y: 237, text: `Pénznem / Currency: ${invoice.currency}` },
    { x: 40, y: 262, text: 'Sor', size: 7 },
    { x: 62, y: 262, text: 'Vámtarifaszám', size: 7 },
    { x: 130, y: 262, text: 'Megnevezés', size: 7 },
    { x: 270, y: 262, text: 'Mennyiség', size: 7 },
    { x: 320, y: 262, text: 'Egység', size: 7 },
    { x: 360, y: 262, text: 'Listaár', size: 7 },
    { x: 420, y: 262, text: 'Egységár', size: 7 },
    { x: 490, y: 262, text: 'Érték', size: 7 },
    { x: 40, y: 271, text: 'No.', size: 7 },
    { x: 62, y: 271, text: 'Customs code', size: 7 },
    { x: 130, y: 271, text: 'Description', size: 7 },
    { x: 270, y: 271, text: 'Quantity', size: 7 },
    { x: 320, y: 271, text: 'Unit', size: 7 },
    { x: 360, y: 271, text: 'List price', size: 7 },
    { x: 420, y: 271, text: 'Unit price', size: 7 },
    { x: 490, y: 271, text: 'Value', size: 7 },
  ];
  invoice.lines.forEach((item, index) => {
    const y = 290 + index * 26;
    page.push(
      { x: 40, y, text: String(item.line_number) },
      { x: 62, y, text: MARSO_CUSTOMS_CODES[index]! },
      { x: 130, y, text: 'Szgk. gumiabroncs' },
      { x: 260, y, text: n(item.quantity), align: 'right', width: 50 },
      { x: 320, y, text: item.unit! },
      { x: 350, y, text: n(MARSO_LIST_PRICES[index]!), align: 'right', width: 50 },
      { x: 410, y, text: n(item.unit_price), align: 'right', width: 50 },
      { x: 470, y, text: n(item.line_net), align: 'right', width: 70 },
      { x: 130, y: y + 11, text: item.description!, size: 8 },
    );
  });
  let y = 300 + invoice.lines.length * 26;
  page.push(
    { x: 40, y, text: 'ÁFA kulcs / VAT rate', size: 7 },
    { x: 160, y, text: 'Nettó érték / Net value', size: 7 },
    { x: 280, y, text: 'ÁFA / VAT', size: 7 },
    { x: 380, y, text: 'Bruttó / Gross', size: 7 },
  );
  for (const row of invoice.vat_breakdown) {
    y += 12;
    page.push(
      { x: 40, y, text: `${row.rate}%` },
      { x: 160, y, text: n(row.base), align: 'right', width: 70 },
      { x: 270, y, text: n(row.tax), align: 'right', width: 50 },
      { x: 380, y, text: `${n(invoice.total_gross)} EUR`, align: 'right', width: 80 },
    );
  }
  y += 24;
  page.push(
    { x: 300, y, text: 'Nettó érték / Net value:' },
    { x: 440, y, text: `${n(invoice.total_net)} EUR`, align: 'right', width: 100 },
    { x: 300, y: y + 12, text: 'ÁFA / VAT:' },
    { x: 440, y: y + 12, text: `${n(invoice.total_vat)} EUR`, align: 'right', width: 100 },
    { x: 300, y: y + 26, text: 'Összesen / Grand total:', bold: true },
    { x: 440, y: y + 26, text: `${n(invoice.total_gross)} EUR`, bold: true, align: 'right', width: 100 },
    {
      x: 40,
      y: y + 56,
      text: 'Adómentes Közösségen belüli termékértékesítés / VAT exempt intra-Community supply',
      size: 7,
    },
    { x: 40, y: y + 65, text: '(Art. 138 Directive 2006/112/EC)', size: 7 },
  );
  return renderPdf([page]);
}

// ---------------------------------------------------------------------------------------------
// An unknown Slovak supplier: no template of its own, read by the generic one.

export function slovakInvoice(): NormalizedInvoice {
  const item = (
    lineNumber: number,
    code: string,
    description: string,
    quantity: string,
    unit: string,
    price: string,
    rate: string,
    net: string,
    gross: string,
  ) =>
    line({
      line_number: lineNumber,
      item_code: code,
      description,
      quantity,
      unit,
      unit_price: price,
      vat_rate: rate,
      line_net: net,
      line_gross: gross,
    });
  return invoiceOf({
    document_type: 'invoice',
    invoice_number: 'FV-2025/0412',
    issue_date: '2025-10-03',
    tax_point_date: '2025-10-01',
    due_date: '2025-10-17',
    currency: 'EUR',
    variable_symbol: '20250412',
    constant_symbol: '0308',
    order_reference: 'OBJ-2025-0917',
    supplier: {
      name: 'STAVMAT Trnava, a.s.',
      ico: '31411801',
      dic: '2020401234',
      ic_dph: 'SK2020401234',
      vat_id: 'SK2020401234',
      street: 'Hospodárska 45',
      city: 'Trnava',
      zip: '917 01',
      country: null,
      iban: 'SK8975000000000012345671',
      bic: 'CEKOSKBX',
    },
    customer: {
      name: 'Mágerstav s.r.o.',
      ico: '31436871',
      dic: '2020367151',
      ic_dph: 'SK2020367151',
      vat_id: 'SK2020367151',
      street: 'Priemyselná 5',
      city: 'Modra',
      zip: '900 01',
      country: null,
    },
    vat_breakdown: [
      { rate: '23', base: '675.00', tax: '155.25' },
      { rate: '5', base: '12.00', tax: '0.60' },
    ],
    total_net: '687.00',
    total_vat: '155.85',
    total_gross: '842.85',
    amount_due: '842.85',
    lines: [
      item(1, 'TV-1123', 'Tvárnica Ytong P2-400 300 mm', '96', 'ks', '5.45', '23', '523.20', '643.54'),
      item(2, 'LP-200', 'Lepidlo na pórobetón 25 kg', '12', 'vrece', '8.90', '23', '106.80', '131.36'),
      item(3, 'DOP-1', 'Doprava Trnava – Modra', '1', 'jazda', '45.00', '23', '45.00', '55.35'),
      item(4, 'KN-12', 'Kniha Murovanie v praxi', '1', 'ks', '12.00', '5', '12.00', '12.60'),
    ],
  });
}

export function slovakInvoicePdf(invoice: NormalizedInvoice): Promise<Buffer> {
  const n = (value: string | null) => printNumber(value!, ',');
  const { supplier: s, customer: c } = invoice;
  const page: PrintedText[] = [
    { x: 40, y: 40, text: `Faktúra č. ${invoice.invoice_number}`, size: 16, bold: true },
    { x: 40, y: 80, text: 'Dodávateľ:', bold: true },
    { x: 310, y: 80, text: 'Odberateľ:', bold: true },
    { x: 40, y: 94, text: s.name!, bold: true },
    { x: 310, y: 94, text: c.name!, bold: true },
    { x: 40, y: 106, text: s.street! },
    { x: 310, y: 106, text: c.street! },
    { x: 40, y: 118, text: `${s.zip} ${s.city}` },
    { x: 310, y: 118, text: `${c.zip} ${c.city}` },
    { x: 40, y: 134, text: `IČO: ${s.ico}` },
    { x: 150, y: 134, text: `DIČ: ${s.dic}` },
    { x: 310, y: 134, text: `IČO: ${c.ico}` },
    { x: 420, y: 134, text: `DIČ: ${c.dic}` },
    { x: 40, y: 146, text: `IČ DPH: ${s.ic_dph}` },
    { x: 310, y: 146, text: `IČ DPH: ${c.ic_dph}` },
    { x: 40, y: 176, text: 'Dátum vystavenia:' },
    { x: 140, y: 176, text: slovakDate(invoice.issue_date!) },
    { x: 310, y: 176, text: 'Variabilný symbol:' },
    { x: 420, y: 176, text: invoice.variable_symbol! },
    { x: 40, y: 188, text: 'Dátum dodania:' },
    { x: 140, y: 188, text: slovakDate(invoice.tax_point_date!) },
    { x: 310, y: 188, text: 'Konštantný symbol:' },
    { x: 420, y: 188, text: invoice.constant_symbol! },
    { x: 40, y: 200, text: 'Dátum splatnosti:' },
    { x: 140, y: 200, text: slovakDate(invoice.due_date!) },
    { x: 310, y: 200, text: 'Objednávka č.:' },
    { x: 420, y: 200, text: invoice.order_reference! },
    { x: 40, y: 212, text: 'Forma úhrady: prevodným príkazom' },
    { x: 310, y: 212, text: `IBAN: ${s.iban}` },
    { x: 310, y: 224, text: `BIC: ${s.bic}` },
    { x: 40, y: 256, text: 'Č.', size: 8, bold: true },
    { x: 58, y: 256, text: 'Kód', size: 8, bold: true },
    { x: 105, y: 256, text: 'Názov položky', size: 8, bold: true },
    { x: 262, y: 256, text: 'Množstvo', size: 8, bold: true },
    { x: 310, y: 256, text: 'MJ', size: 8, bold: true },
    { x: 350, y: 256, text: 'Cena/MJ', size: 8, bold: true },
    { x: 400, y: 256, text: 'DPH', size: 8, bold: true },
    { x: 440, y: 256, text: 'Bez DPH', size: 8, bold: true },
    { x: 500, y: 256, text: 'S DPH', size: 8, bold: true },
  ];
  invoice.lines.forEach((item, index) => {
    const y = 272 + index * 13;
    page.push(
      { x: 40, y, text: `${item.line_number}` },
      { x: 58, y, text: item.item_code! },
      { x: 105, y, text: item.description! },
      { x: 250, y, text: n(item.quantity), align: 'right', width: 50 },
      { x: 310, y, text: item.unit! },
      { x: 335, y, text: n(item.unit_price), align: 'right', width: 50 },
      { x: 395, y, text: `${item.vat_rate} %`, align: 'right', width: 30 },
      { x: 430, y, text: n(item.line_net), align: 'right', width: 50 },
      { x: 490, y, text: n(item.line_gross), align: 'right', width: 50 },
    );
  });
  let y = 286 + invoice.lines.length * 13;
  page.push(
    { x: 40, y, text: 'Rekapitulácia DPH', bold: true },
    { x: 40, y: y + 14, text: 'Sadzba', size: 8 },
    { x: 120, y: y + 14, text: 'Základ', size: 8 },
    { x: 200, y: y + 14, text: 'DPH', size: 8 },
    { x: 270, y: y + 14, text: 'Spolu', size: 8 },
  );
  y += 14;
  for (const row of invoice.vat_breakdown) {
    y += 12;
    const gross = (Number(row.base) + Number(row.tax)).toFixed(2);
    page.push(
      { x: 40, y, text: `${row.rate} %` },
      { x: 100, y, text: n(row.base), align: 'right', width: 60 },
      { x: 170, y, text: n(row.tax), align: 'right', width: 55 },
      { x: 240, y, text: n(gross), align: 'right', width: 60 },
    );
  }
  y += 30;
  page.push(
    { x: 330, y, text: 'Základ dane spolu:' },
    { x: 450, y, text: `${n(invoice.total_net)} EUR`, align: 'right', width: 90 },
    { x: 330, y: y + 12, text: 'DPH spolu:' },
    { x: 450, y: y + 12, text: `${n(invoice.total_vat)} EUR`, align: 'right', width: 90 },
    { x: 330, y: y + 28, text: 'Celkom k úhrade:', size: 11, bold: true },
    { x: 430, y: y + 28, text: `${n(invoice.amount_due)} EUR`, size: 11, bold: true, align: 'right', width: 110 },
    {
      x: 40,
      y: 790,
      text: 'Spoločnosť je zapísaná v Obchodnom registri Okresného súdu Trnava, odd. Sa, vl. č. 10123/T.',
      size: 7,
    },
  );
  return renderPdf([page]);
}
