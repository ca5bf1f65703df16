import { printNumber, renderPdf, type PrintedText } from './pdfInvoices.ts';

/**
 * An Austrian supplier's invoice layout no shipped template knows: its own German labels
 * ("Beleg-Nr.", "Zu zahlen"), items in seven columns, totals at the foot. The generic template
 * reads its number, date and net, but not its VAT and gross; an item row without quantity and
 * unit (a flat fee) is not read as a line at all.
 */
export interface LayoutItem {
  code: string;
  name: string;
  /** Empty for a flat fee printed without quantity, unit and price. */
  qty: string;
  unit: string;
  price: string;
  net: string;
}

export interface LayoutSample {
  number: string;
  date: string;
  printedDate: string;
  net: string;
  vat: string;
  gross: string;
  items: LayoutItem[];
}

export function unknownLayoutPdf(s: LayoutSample): Promise<Buffer> {
  const money = (v: string) => printNumber(v, ',', '.');
  const columns = [40, 100, 250, 320, 370, 450, 500];
  const row = (y: number, cells: string[]): PrintedText[] =>
    cells.flatMap((text, i) => (text ? [{ x: columns[i]!, y, text }] : []));
  return renderPdf([
    [
      { x: 40, y: 40, text: 'Holzwerk Kranz GmbH', size: 14, bold: true },
      { x: 400, y: 40, text: 'Rechnungsbeleg', size: 12, bold: true },
      { x: 40, y: 60, text: 'Industriestraße 4, 4020 Linz' },
      { x: 400, y: 60, text: 'USt-IdNr. ATU12345678' },
      { x: 40, y: 100, text: 'Empfänger: Mágerstav s.r.o., Hlavná 1, 040 01 Košice' },
      { x: 40, y: 130, text: 'Beleg-Nr.' },
      { x: 140, y: 130, text: s.number },
      { x: 40, y: 145, text: 'Belegdatum' },
      { x: 140, y: 145, text: s.printedDate },
      ...row(190, ['Art.-Nr.', 'Bezeichnung', 'Menge', 'ME', 'Einzelpreis', 'USt', 'Betrag']),
      ...s.items.flatMap((item, i) =>
        row(210 + i * 16, [
          item.code,
          item.name,
          item.qty,
          item.unit,
          item.price ? money(item.price) : '',
          '20 %',
          money(item.net),
        ]),
      ),
      { x: 350, y: 300, text: 'Zwischensumme netto' },
      { x: 500, y: 300, text: money(s.net) },
      { x: 350, y: 316, text: 'zzgl. Umsatzsteuer' },
      { x: 500, y: 316, text: money(s.vat) },
      { x: 350, y: 332, text: 'Zu zahlen' },
      { x: 500, y: 332, text: `${money(s.gross)} EUR` },
    ],
  ]);
}
