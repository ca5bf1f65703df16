import { emptyInvoice, type NormalizedInvoice } from '../invoice/normalizedInvoice.ts';
import type { DocumentMediaType } from '../intake/mediaType.ts';

export type ExtractionOutcome =
  { kind: 'extracted'; invoice: NormalizedInvoice } | { kind: 'unreadable'; reason: string };

/**
 * One document → a normalized invoice, or the reason it cannot be read.
 *
 * Today this recognizes what a document is and rejects what is broken; reading the fields
 * (PDF text templates, UBL, CII, ISDOC, Factur-X) arrives with the extraction capability.
 * Until then a readable document yields an empty invoice with a note saying so, and
 * validation sends it to review: routed honestly, nothing invented, nothing lost.
 */
export async function extractDocument(bytes: Buffer, mediaType: string): Promise<ExtractionOutcome> {
  if (bytes.length === 0) return { kind: 'unreadable', reason: 'the file is empty' };
  const problem = structuralProblem(bytes, mediaType as DocumentMediaType);
  if (problem) return { kind: 'unreadable', reason: problem };
  const invoice = emptyInvoice('none');
  invoice.notes.push(
    `automatic extraction of ${describe(mediaType)} documents is not available yet: enter the invoice data by hand`,
  );
  return { kind: 'extracted', invoice };
}

function structuralProblem(bytes: Buffer, mediaType: DocumentMediaType): string | undefined {
  switch (mediaType) {
    case 'application/pdf': {
      const tail = bytes.subarray(Math.max(0, bytes.length - 2048)).toString('latin1');
      if (!tail.includes('%%EOF')) return 'the PDF is truncated (it has no %%EOF end marker)';
      if (/\/Encrypt\b/.test(bytes.subarray(Math.max(0, bytes.length - 65536)).toString('latin1'))) {
        return 'the PDF is encrypted; ask the supplier for an unprotected copy';
      }
      return undefined;
    }
    case 'application/xml': {
      const text = bytes.toString('utf8').trim();
      if (!/<\/[A-Za-z_][\w.:-]*\s*>\s*$|\/>\s*$/.test(text))
        return 'the XML document is incomplete (its root element is not closed)';
      return undefined;
    }
    case 'application/zip':
    case 'message/rfc822':
      return undefined;
    case 'text/html':
      return 'an HTML page (often a web server error page saved under the invoice name), not an invoice document';
    default: {
      const start = bytes
        .subarray(0, 16)
        .toString('latin1')
        .replace(/[^\x20-\x7e]/g, '.');
      return `not a PDF, XML, ISDOC or e-mail document (it starts with "${start}")`;
    }
  }
}

function describe(mediaType: string): string {
  return (
    {
      'application/pdf': 'PDF',
      'application/xml': 'XML',
      'application/zip': 'ISDOCX (zip)',
      'message/rfc822': 'e-mail',
    }[mediaType] ?? mediaType
  );
}
