/**
 * Invoices in layouts no shipped template knows, generated with pdfkit: each layout is its data
 * (what the generic reader must return, field by field and line by line) and a renderer that
 * prints exactly that data. Column orders, languages, decimal marks and table shapes differ.
 */
import { emptyLine, type InvoiceLine } from '../../../src/invoice/normalizedInvoice.ts';
import { printNumber, renderPdf, type PrintedText } from '../../support/pdfInvoices.ts';

export interface Column {
  header: string;
  x: number;
  width: number;
  align?: 'left' | 'right';
  /** The printed cell; several strings are several text lines under each other. */
  cell: (line: InvoiceLine) => string | string[];
}

export interface Layout {
  /** The header block of the first page. */
  top: PrintedText[];
  columns: Column[];
  lines: InvoiceLine[];
  /** The totals block, placed under the table (y relative to its first line). */
  bottom: PrintedText[];
  /** Items per page; the header is repeated on every page. */
  perPage?: number;
  tableTop?: number;
}

export const line = (fields: Partial<InvoiceLine> & { line_number: number }): InvoiceLine => ({
  ...emptyLine(fields.line_number),
  ...fields,
});

const ROW = 12;

export function layoutPdf(layout: Layout): Promise<Buffer> {
  const pages: PrintedText[][] = [];
  const perPage = layout.perPage ?? layout.lines.length;
  let page: PrintedText[] = [...layout.top];
  let y = 0;
  const header = (top: number) => {
    for (const column of layout.columns) {
      page.push({
        x: column.x,
        y: top,
        text: column.header,
        size: 8,
        bold: true,
      });
    }
    return top + 16;
  };
  y = header(layout.tableTop ?? 230);
  layout.lines.forEach((item, index) => {
    if (index > 0 && index % perPage === 0) {
      page.push({ x: 480, y: 800, text: `Seite ${pages.length + 1} von ${Math.ceil(layout.lines.length / perPage)}` });
      pages.push(page);
      page = [{ x: 40, y: 40, text: 'Fortsetzung', size: 10 }];
      y = header(70);
    }
    let height = 1;
    for (const column of layout.columns) {
      const printed = column.cell(item);
      const texts = Array.isArray(printed) ? printed : [printed];
      height = Math.max(height, texts.length);
      texts.forEach((text, at) => {
        if (text === '') return;
        page.push({
          x: column.x,
          y: y + at * ROW,
          text,
          ...(column.align === 'right' ? { align: 'right' as const, width: column.width } : {}),
        });
      });
    }
    y += height * ROW + 2;
  });
  for (const text of layout.bottom) page.push({ ...text, y: text.y + y + 10 });
  pages.push(page);
  return renderPdf(pages);
}

/** Number printers of the layouts. */
export const comma = (value: string | null) => (value === null ? '' : printNumber(value, ',', ' '));
export const point = (value: string | null) => (value === null ? '' : printNumber(value, '.', ','));
export const germanNumber = (value: string | null) => (value === null ? '' : printNumber(value, ',', '.'));
