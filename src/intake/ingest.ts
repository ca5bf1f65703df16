import type pg from 'pg';
import { receiveDocument, type Arrival, type ReceiveResult } from '../db/invoiceStore.ts';
import type { Logger } from '../runtime/logger.ts';
import { sniffMediaType } from './mediaType.ts';
import { safeFilename } from './safeFilename.ts';

export type Ingest = (arrival: Arrival) => Promise<ReceiveResult>;

/**
 * The one way documents enter the pipeline, whatever the channel: the bytes and the
 * `received` invoice are committed together; only then may the caller acknowledge (move the
 * file, answer the upload, mark the mail). Then the invoices actor is woken. The name the
 * sender gave is stored as a plain file name (safeFilename), whichever channel brought it.
 */
export function createIngest(deps: { pool: () => pg.Pool; logger: Logger; wake: () => void; actor: string }): Ingest {
  const log = deps.logger.child({ component: 'intake' });
  return async (sent) => {
    const arrival = { ...sent, filename: safeFilename(sent.filename) };
    const mediaType = sniffMediaType(arrival.bytes);
    const result = await receiveDocument(deps.pool(), { ...arrival, mediaType }, deps.actor);
    log.info(
      {
        invoice: result.invoiceId,
        channel: arrival.channel,
        filename: arrival.filename,
        renamed: arrival.filename !== sent.filename || undefined,
        media_type: mediaType,
        bytes: arrival.bytes.length,
        duplicate_of: result.duplicateOf,
        replay: result.replay || undefined,
      },
      result.replay
        ? 'document already received'
        : result.duplicate
          ? 'duplicate document received'
          : 'document received',
    );
    if (!result.duplicate) deps.wake();
    return result;
  };
}
