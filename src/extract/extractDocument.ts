import { errorCode, errorMessage } from '../errors.ts';
import { emptyInvoice, type NormalizedInvoice, type SourceFormat } from '../invoice/normalizedInvoice.ts';
import type { DocumentMediaType } from '../intake/mediaType.ts';
import type { OwnCompany } from './header/ownCompany.ts';
import { findEmbeddedInvoiceXml } from './pdf/embeddedXml.ts';
import { extractPdfText } from './pdf/pdfText.ts';
import { pdfProblem } from './pdf/pdfProblems.ts';
import { parseInvoiceXml, readIsdocx } from './structured/index.ts';
import { extractWithTemplates, type Template } from './templates/index.ts';

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
      case 'application/pdf':
        return await fromPdf(bytes, options);
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

async function fromPdf(bytes: Buffer, options: ExtractionOptions): Promise<ExtractionOutcome> {
  const problem = await pdfProblem(bytes);
  if (problem) return unreadable(problem);
  let embeddedFailure: string | undefined;
  if (options.mode !== 'text') {
    const embedded = await findEmbeddedInvoiceXml(bytes);
    if (embedded) {
      try {
        const invoice = parseInvoiceXml(embedded.xml);
        const format: SourceFormat = embedded.kind === 'isdoc' ? 'isdoc' : 'facturx';
        return extracted({ ...invoice, source: { ...invoice.source, format } });
      } catch (error) {
        embeddedFailure = `the embedded ${embedded.filename} could not be read (${describeFailure(error)})`;
        if (options.mode === 'structured') return unreadable(embeddedFailure);
      }
    } else if (options.mode === 'structured') {
      return unreadable('the PDF carries no embedded e-invoice XML (mode structured)');
    }
  }
  const { invoice } = extractWithTemplates(await extractPdfText(bytes), options.templates, options.ownCompany ?? null);
  if (embeddedFailure) invoice.notes.push(`${embeddedFailure}; the fields were read from the PDF's text instead`);
  return extracted(invoice);
}

function describeFailure(error: unknown): string {
  const code = errorCode(error);
  return code === 'UNEXPECTED' ? `extraction failed: ${errorMessage(error)}` : errorMessage(error);
}

const extracted = (invoice: NormalizedInvoice): ExtractionOutcome => ({ kind: 'extracted', invoice });
const unreadable = (reason: string): ExtractionOutcome => ({ kind: 'unreadable', reason });
