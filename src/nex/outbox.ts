import { join, resolve } from 'node:path';
import { writeIsdoc } from './isdoc/writer.ts';
import type { NormalizedInvoice } from '../invoice/normalizedInvoice.ts';
import { supplierKey } from '../invoice/supplierKey.ts';
import { writeFileDurably } from '../runtime/durableFiles.ts';
import { makePrivateFolder } from '../runtime/privateFiles.ts';

/**
 * Outbox mode (nex.mode: outbox): an approved invoice becomes an ISDOC 6.0.2 file for NEX's
 * own import, with a JSON sidecar carrying what ISDOC has no place for (where the invoice came
 * from, the NEX products matched, who approved it).
 *
 * The name depends only on the invoice (its id, with the supplier and number for people), so
 * writing it again after a crash replaces the same file with the same content: never two
 * files for one invoice. Each file is written to a temporary name, flushed and renamed, so a
 * reader never sees half a file; the sidecar goes first, so an ISDOC file always has its sidecar.
 */
export interface OutboxEntry {
  invoiceId: string;
  invoice: NormalizedInvoice;
  sidecar: Record<string, unknown>;
}

export async function writeToOutbox(
  dir: string,
  entry: OutboxEntry,
): Promise<{ isdocFile: string; sidecarFile: string }> {
  const folder = resolve(dir);
  makePrivateFolder(folder);
  const base = outboxName(entry);
  // The ISDOC UUID is the invoice's id: the same invoice written twice is the same document.
  const isdoc = writeIsdoc(entry.invoice, { uuid: entry.invoiceId });
  const sidecarFile = join(folder, `${base}.json`);
  const isdocFile = join(folder, `${base}.isdoc`);
  await writeFileDurably(
    sidecarFile,
    `${JSON.stringify({ invoice_id: entry.invoiceId, ...entry.sidecar }, null, 2)}\n`,
  );
  await writeFileDurably(isdocFile, isdoc);
  return { isdocFile, sidecarFile };
}

/**
 * `<supplier key>_<invoice number>_<invoice id>`, the supplier as duplicates are matched
 * (src/invoice/supplierKey.ts: IČO, else VAT id, else name + IBAN), reduced to characters
 * every file system accepts (none of Windows' reserved `<>:"/\|?*`, no leading or trailing dot).
 */
export function outboxName(entry: Pick<OutboxEntry, 'invoiceId' | 'invoice'>): string {
  const safe = (text: string | null, fallback: string) =>
    (text ?? '')
      .replace(/[^0-9A-Za-z._-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 40) || fallback;
  return `${safe(supplierKey(entry.invoice.supplier), 'unknown-supplier')}_${safe(entry.invoice.invoice_number, 'no-number')}_${entry.invoiceId}`;
}
