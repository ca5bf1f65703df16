/**
 * The media type of a document from its first bytes, never from its name: a `.pdf` that is
 * really an HTML error page must not be treated as a PDF.
 */
export type DocumentMediaType =
  | 'application/pdf'
  | 'application/xml'
  | 'application/zip'
  | 'message/rfc822'
  | 'text/html'
  | 'application/octet-stream';

const EMAIL_HEADER =
  /^(Return-Path|Received|From|To|Subject|Date|Message-ID|MIME-Version|Delivered-To|Reply-To|X-[\w-]+):/i;

export function sniffMediaType(bytes: Buffer): DocumentMediaType {
  const head = bytes
    .subarray(0, 4096)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  // Readers accept a PDF header anywhere in the first kilobyte (some mailers prepend junk), but
  // a document that opens as markup is markup: an XML invoice may well mention "%PDF-" in a
  // comment or note near its top.
  const pdfHeaderAt = bytes.subarray(0, 1024).indexOf('%PDF-');
  if (pdfHeaderAt >= 0 && (pdfHeaderAt === 0 || !head.startsWith('<'))) return 'application/pdf';
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04)
    return 'application/zip';
  // Comments and processing instructions may come first (licence headers are common).
  const markup = head.replace(/^(?:\s*(?:<!--[\s\S]*?-->|<\?(?!xml\b)[\s\S]*?\?>))*\s*/, '');
  // Checked before XML: a web server's error page saved under an invoice's name is common.
  if (/^<(!doctype\s+html|html[\s>])/i.test(markup)) return 'text/html';
  if (head.startsWith('<?xml') || /^<[A-Za-z_][\w.:-]*[\s>/]/.test(markup)) return 'application/xml';
  if (EMAIL_HEADER.test(head)) return 'message/rfc822';
  return 'application/octet-stream';
}

/** File name endings the intake accepts as invoice documents. */
export const ACCEPTED_EXTENSIONS = ['.pdf', '.xml', '.isdoc', '.isdocx', '.eml'] as const;

/** Why a file of another type is not taken, as the drop folder and the HTTP upload say it. */
export const NOT_AN_INVOICE_TYPE = `not an invoice document type: only ${ACCEPTED_EXTENSIONS.join(' ')} files are read`;

export function hasAcceptedExtension(filename: string): boolean {
  const lower = filename.toLowerCase();
  return ACCEPTED_EXTENSIONS.some((extension) => lower.endsWith(extension));
}
