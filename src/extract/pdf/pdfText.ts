/**
 * The text of a PDF as lines, the input of template extraction. Lines are rebuilt from the
 * positioned runs (see lineLayout.ts) rather than taken in content-stream order, which for
 * generated invoices is often column by column instead of row by row.
 */
import { layoutLines } from './lineLayout.ts';
import { readPdfRuns, type ReadOptions } from './pdf2jsonRuns.ts';
import { joinSpacedOut } from './spacedOut.ts';

export interface PdfPage {
  lines: string[];
}

export interface PdfText {
  pages: PdfPage[];
  /** Every page's lines joined by "\n"; pages are separated by a line holding only PAGE_BREAK. */
  text: string;
}

export const PAGE_BREAK = '\f';

/** Rejects with LoaderError PDF_TEXT_FAILED (details.reason) when pdf2json cannot read the file. */
export async function extractPdfText(pdf: Buffer, options: ReadOptions = {}): Promise<PdfText> {
  const pages = (await readPdfRuns(pdf, options)).map((page): PdfPage => ({
    lines: layoutLines(page.runs).map((line) => joinSpacedOut(line).trimEnd()),
  }));
  return pdfTextOf(pages);
}

/** The PdfText of lines already known, for tests and for text that did not come from a PDF. */
export function pdfTextOf(pages: PdfPage[]): PdfText {
  return { pages, text: pages.map((page) => page.lines.join('\n')).join(`\n${PAGE_BREAK}\n`) };
}
