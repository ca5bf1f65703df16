import { AnnotationType } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { withPdfDocument, type PdfReadOptions } from './pdfProblems.ts';

export type EmbeddedInvoiceKind = 'facturx' | 'zugferd' | 'xrechnung' | 'isdoc' | 'other-xml';

export type EmbeddedInvoiceXml = {
  /** The attachment's file name as the PDF gives it, without any folder part. */
  filename: string;
  /** The attachment's bytes exactly as embedded: no decoding, no re-serialization. */
  xml: Buffer;
  kind: EmbeddedInvoiceKind;
};

/**
 * The structured invoice a hybrid PDF carries (Factur-X / ZUGFeRD / XRechnung CII, or the
 * ISDOC of an ISDOC.PDF), or null when the PDF has none.
 *
 * Looks in the EmbeddedFiles name tree first (where the standards put the invoice) and only
 * then in file attachment annotations. The XML is returned unvalidated: a broken invoice XML
 * inside a sound PDF is for the XML parser downstream to reject with its own reason.
 *
 * Throws LoaderError PDF_UNREADABLE (not a PDF, damaged, too slow) or PDF_ENCRYPTED.
 */
export async function findEmbeddedInvoiceXml(
  pdf: Buffer,
  options: PdfReadOptions = {},
): Promise<EmbeddedInvoiceXml | null> {
  return withPdfDocument(pdf, options, async (document, checkpoint) => {
    const reader: AttachmentReader = { document, checkpoint };
    const named = await namedAttachments(reader);
    const byName = await firstWithKnownName(reader, named);
    if (byName) return byName;

    const annotated = await annotationAttachments(reader);
    return (
      (await firstWithKnownName(reader, annotated)) ?? (await firstInvoiceLookingXml(reader, [...named, ...annotated]))
    );
  });
}

type AttachmentReader = { document: PDFDocumentProxy; checkpoint: () => Promise<void> };

type Attachment = { id: string; filename: string; content: Uint8Array | null | undefined };

/** File names the standards prescribe, most specific first. */
const KNOWN_NAMES: { matches: (lowerCaseName: string) => boolean; kind: EmbeddedInvoiceKind }[] = [
  { matches: (name) => name === 'factur-x.xml', kind: 'facturx' },
  { matches: (name) => name === 'xrechnung.xml', kind: 'xrechnung' },
  // ZUGFeRD 2.0 wrote zugferd-invoice.xml, ZUGFeRD 1.0 ZUGFeRD-invoice.xml.
  { matches: (name) => name === 'zugferd-invoice.xml', kind: 'zugferd' },
  { matches: (name) => name.endsWith('.isdoc'), kind: 'isdoc' },
];

/** Root elements of CII (CrossIndustryInvoice, ZUGFeRD 1.0 CrossIndustryDocument) and UBL (Invoice, CreditNote) documents. */
const INVOICE_ROOTS = new Set(['CrossIndustryInvoice', 'CrossIndustryDocument', 'Invoice', 'CreditNote']);

async function namedAttachments({ document, checkpoint }: AttachmentReader): Promise<Attachment[]> {
  const attachments = await document.getAttachments();
  await checkpoint();
  return [...(attachments ?? [])].map(([id, { filename, content }]) => ({ id, filename, content }));
}

async function annotationAttachments({ document, checkpoint }: AttachmentReader): Promise<Attachment[]> {
  const annotations = await document.getAnnotationsByType(new Set([AnnotationType.FILEATTACHMENT]), new Set());
  await checkpoint();
  const attachments: Attachment[] = [];
  for (const annotation of annotations as { fileId?: unknown; file?: { filename?: unknown } }[]) {
    // Annotations whose file specification has no embedded stream get no fileId.
    if (typeof annotation.fileId !== 'string' || typeof annotation.file?.filename !== 'string') continue;
    attachments.push({ id: annotation.fileId, filename: annotation.file.filename, content: undefined });
  }
  return attachments;
}

async function firstWithKnownName(
  reader: AttachmentReader,
  attachments: Attachment[],
): Promise<EmbeddedInvoiceXml | null> {
  for (const { matches, kind } of KNOWN_NAMES) {
    for (const attachment of attachments) {
      if (!matches(attachment.filename.toLowerCase())) continue;
      const xml = await contentOf(reader, attachment);
      if (xml) return { filename: attachment.filename, xml, kind };
    }
  }
  return null;
}

async function firstInvoiceLookingXml(
  reader: AttachmentReader,
  attachments: Attachment[],
): Promise<EmbeddedInvoiceXml | null> {
  for (const attachment of attachments) {
    if (!attachment.filename.toLowerCase().endsWith('.xml')) continue;
    const xml = await contentOf(reader, attachment);
    if (xml && INVOICE_ROOTS.has(rootElementName(xml) ?? '')) {
      return { filename: attachment.filename, xml, kind: 'other-xml' };
    }
  }
  return null;
}

/** The attachment's bytes, or null when its file specification points at no content. */
async function contentOf({ document, checkpoint }: AttachmentReader, attachment: Attachment): Promise<Buffer | null> {
  const content = attachment.content ?? (await document.getAttachmentContent(attachment.id));
  await checkpoint();
  return content && content.length > 0 ? Buffer.from(content) : null;
}

/**
 * The local name of the first element, skipping the prolog (declaration, comments,
 * processing instructions, doctype). Good enough to recognize a document, not to parse it.
 */
function rootElementName(xml: Buffer): string | null {
  const head = xml
    .subarray(0, 4096)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  const prolog = /^(?:\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)*/;
  const rest = head.slice(prolog.exec(head)![0].length);
  const start = /^<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)/.exec(rest);
  return start ? start[2]! : null;
}
