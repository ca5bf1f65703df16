/**
 * Realistic invoices for the benchmarks: the three supplier layouts as PDFs (read through
 * templates) and the three e-invoice formats, each document numbered so none is a duplicate
 * of another.
 */
import type { NormalizedInvoice } from '../src/invoice/normalizedInvoice.ts';
import {
  buildCii,
  buildIsdoc,
  buildUbl,
  slovakSampleInvoice,
  slovakSampleIsdocInvoice,
} from '../test/support/einvoices.ts';
import {
  lsInvoice,
  lsInvoicePdf,
  marsoInvoice,
  marsoInvoicePdf,
  slovakInvoice,
  slovakInvoicePdf,
} from '../test/support/pdfInvoices.ts';

export interface BenchDocument {
  name: string;
  bytes: Buffer;
}

type Kind = [extension: string, make: (n: number) => Promise<Buffer>];

export const pdfKinds: Kind[] = [
  ['pdf', (n) => lsInvoicePdf(numbered(lsInvoice(), n))],
  ['pdf', (n) => marsoInvoicePdf(numbered(marsoInvoice(), n))],
  ['pdf', (n) => slovakInvoicePdf(numbered(slovakInvoice(), n))],
];
export const xmlKinds: Kind[] = [
  ['xml', async (n) => Buffer.from(buildUbl(numbered(slovakSampleInvoice(), n)))],
  ['xml', async (n) => Buffer.from(buildCii(numbered(slovakSampleInvoice(), n)))],
  ['isdoc', async (n) => Buffer.from(buildIsdoc(numbered(slovakSampleIsdocInvoice(), n)))],
];

// Each number keeps its supplier's form (MARSO's template reads exactly "11925-10338"): n is
// added to its last digits, so no document is a duplicate of another (within 10 000 of a kind).
export function numbered(invoice: NormalizedInvoice, n: number): NormalizedInvoice {
  const number = invoice.invoice_number!.replace(/\d{4,5}$/, (digits) =>
    String(Number(digits) + n)
      .padStart(digits.length, '0')
      .slice(-digits.length),
  );
  return { ...invoice, invoice_number: number, variable_symbol: null };
}

/** Document `i` of a mix: every `pdfEvery`-th one a PDF (0: none), the rest e-invoices, kinds in turn. */
export async function mixedDocument(i: number, pdfEvery: number, prefix: string): Promise<BenchDocument> {
  const pdf = pdfEvery > 0 && i % pdfEvery === 0;
  const kinds = pdf ? pdfKinds : xmlKinds;
  const turn = pdf ? i / pdfEvery : i;
  const [extension, make] = kinds[turn % kinds.length]!;
  // XML numbers are free-form, so they stay unique past 10 000; the PDF templates need their supplier's form.
  const n = pdf ? Math.floor(turn / kinds.length) : i;
  return { name: `${prefix}${i}.${extension}`, bytes: await make(n) };
}
