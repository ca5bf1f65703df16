import type { SourceFormat } from '../invoice/normalizedInvoice.ts';
import {
  describeFailure,
  extracted,
  unreadable,
  type ExtractionOptions,
  type ExtractionOutcome,
} from './extractDocument.ts';
import { findEmbeddedInvoiceXml } from './pdf/embeddedXml.ts';
import { extractPdfText } from './pdf/pdfText.ts';
import { pdfProblem } from './pdf/pdfProblems.ts';
import { parseInvoiceXml } from './structured/index.ts';
import { extractWithTemplates } from './templates/index.ts';

/**
 * A PDF → its embedded e-invoice XML, else its text through the supplier templates. Its own
 * module because it brings pdf.js and pdf2json (about 40 MB of heap and code per thread):
 * extractDocument loads it with the first PDF.
 */
export async function fromPdf(bytes: Buffer, options: ExtractionOptions): Promise<ExtractionOutcome> {
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
