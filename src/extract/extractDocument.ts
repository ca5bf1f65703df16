import { errorCode, errorMessage } from '../errors.ts';
import { emptyInvoice, type NormalizedInvoice } from '../invoice/normalizedInvoice.ts';
import type { DocumentMediaType } from '../intake/mediaType.ts';
import type { OwnCompany } from './header/ownCompany.ts';
import { parseInvoiceXml, readIsdocx } from './structured/index.ts';
import type { Template } from './templates/index.ts';

export type ExtractionMode = 'auto' | 'structured' | 'text';
export type ExtractionOutcome =
  { kind: 'extracted'; invoice: NormalizedInvoice } | { kind: 'unreadable'; reason: string };

export interface ExtractionOptions {
  /** auto: embedded or structured XML when there is one, else the PDF's text; structured: XML only; text: the PDF's text only. */
  mode: ExtractionMode;
  templates: Template[];
  /** The company the loader works for: in text mode never read as the supplier. */
  ownCompany?: OwnCompany | null;
}

/**
 * One document → a normalized invoice, or the reason it cannot be read. Never throws for a
 * bad document: every parser failure becomes a reason an operator can act on.
 *
 *   PDF  → its embedded Factur-X / ZUGFeRD / XRechnung / ISDOC XML (unless mode is text),
 *          else its text through the supplier templates
 *   XML  → UBL, CII or ISDOC
 *   ZIP  → ISDOCX (the .isdoc inside)
 */
export async function extractDocument(
  bytes: Buffer,
  mediaType: string,
  options: ExtractionOptions,
): Promise<ExtractionOutcome> {
  if (bytes.length === 0) return unreadable('the file is empty');
  try {
    switch (mediaType as DocumentMediaType) {
      case 'application/pdf': {
        // pdf.js and pdf2json are loaded with the first PDF: a worker that reads only XML never holds them.
        const { fromPdf } = await import('./fromPdf.ts');
        return await fromPdf(bytes, options);
      }
      case 'application/xml':
        return options.mode === 'text'
          ? unreadable('an XML document has no text layout to read (mode text)')
          : extracted(parseInvoiceXml(bytes));
      case 'application/zip':
        return options.mode === 'text'
          ? unreadable('an ISDOCX archive has no text layout to read (mode text)')
          : extracted(parseInvoiceXml(readIsdocx(bytes)));
      case 'message/rfc822': {
        const invoice = emptyInvoice('none');
        invoice.notes.push(
          'an e-mail file: its attachments are not unpacked here yet; enter the invoice data by hand or send the attachment itself',
        );
        return extracted(invoice);
      }
      case 'text/html':
        return unreadable(
          'an HTML page (often a web server error page saved under the invoice name), not an invoice document',
        );
      default: {
        const start = bytes
          .subarray(0, 16)
          .toString('latin1')
          .replace(/[^\x20-\x7e]/g, '.');
        return unreadable(`not a PDF, XML, ISDOC or e-mail document (it starts with "${start}")`);
      }
    }
  } catch (error) {
    return unreadable(describeFailure(error));
  }
}

export function describeFailure(error: unknown): string {
  const code = errorCode(error);
  return code === 'UNEXPECTED' ? `extraction failed: ${errorMessage(error)}` : errorMessage(error);
}

export const extracted = (invoice: NormalizedInvoice): ExtractionOutcome => ({ kind: 'extracted', invoice });
export const unreadable = (reason: string): ExtractionOutcome => ({ kind: 'unreadable', reason });
