import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DaemonProcess } from '../support/daemonProcess.ts';
import type { Dovecot } from '../support/dovecot.ts';
import { buildUbl } from '../support/einvoices.ts';
import { buildMail } from '../support/mail.ts';
import { numberedInvoice } from '../support/stagedInvoices.ts';
import type { Channel, SubmittedDocument } from './ledger.ts';

/**
 * The documents of a scenario and the three ways in: the drop folder, the upload API and the
 * mailbox. Each document is a UBL invoice with its own number (small enough to be approved by
 * the rules, so it ends posted). Uploads and mails are retried until they are taken, under the
 * same message id, as a real client would: a replay is the daemon's to recognize.
 */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function corpus(count: number, channels: Channel[], firstNumber = 1): SubmittedDocument[] {
  return Array.from({ length: count }, (_, i) => {
    const n = firstNumber + i;
    const channel = channels[i % channels.length]!;
    const filename = `${channel}-${n}.xml`;
    return {
      channel,
      filename,
      invoiceNumber: numberedInvoice(n).invoice_number!,
      messageId: `<chaos-${n}-${process.pid}@supplier.test>`,
    };
  });
}

export function documentBytes(doc: SubmittedDocument): Buffer {
  return Buffer.from(buildUbl(numberedInvoice(Number(/-(\d+)\.xml$/.exec(doc.filename)![1]))));
}

export interface FeedTargets {
  /** The daemon that runs now (a scenario that kills it replaces it). */
  daemon: () => DaemonProcess;
  inbox: string;
  dovecot?: Dovecot;
  /** Gives up a document after this long (default 180 s). */
  patienceMs?: number;
}

async function upload(targets: FeedTargets, doc: SubmittedDocument): Promise<void> {
  const deadline = Date.now() + (targets.patienceMs ?? 180_000);
  for (;;) {
    const body = new FormData();
    body.append('message_id', doc.messageId);
    body.append('file', new Blob([documentBytes(doc)], { type: 'application/xml' }), doc.filename);
    const daemon = targets.daemon();
    const answer = await daemon.request('/api/invoices', { method: 'POST', body }).catch(() => undefined);
    if (answer && answer.status < 300) return;
    if (Date.now() > deadline) throw new Error(`upload of ${doc.filename} not taken: last answer ${answer?.status}`);
    await sleep(150);
  }
}

async function mail(targets: FeedTargets, doc: SubmittedDocument): Promise<void> {
  const dovecot = targets.dovecot;
  if (!dovecot) throw new Error('an imap document needs the scenario to run Dovecot');
  const raw = await buildMail({
    messageId: doc.messageId,
    subject: `Faktúra ${doc.invoiceNumber}`,
    attachments: [{ filename: doc.filename, content: documentBytes(doc), contentType: 'application/xml' }],
  });
  const deadline = Date.now() + (targets.patienceMs ?? 180_000);
  for (;;) {
    try {
      await dovecot.append(raw);
      return;
    } catch (error) {
      // Dovecot restarted under us: an APPEND without an answer may still have been stored, so
      // a second one would be a second mail. Look before trying again.
      const there = await Promise.all(['INBOX', 'Processed'].map((folder) => dovecot.list(folder))).catch(
        () => undefined,
      );
      if (there?.flat().some((m) => m.messageId === doc.messageId)) return;
      if (Date.now() > deadline)
        throw new Error(`mail ${doc.filename} not appended: ${(error as Error).message}`, { cause: error });
      await sleep(300);
    }
  }
}

/** Submits the documents in batches of `batch`, `pauseMs` apart; resolves once every one was taken. */
export async function feed(
  targets: FeedTargets,
  docs: SubmittedDocument[],
  { batch = 10, pauseMs = 100 }: { batch?: number; pauseMs?: number } = {},
): Promise<void> {
  for (let i = 0; i < docs.length; i += batch) {
    const slice = docs.slice(i, i + batch);
    for (const doc of slice.filter((d) => d.channel === 'drop'))
      writeFileSync(join(targets.inbox, doc.filename), documentBytes(doc));
    await Promise.all(
      slice.flatMap((doc) =>
        doc.channel === 'http' ? [upload(targets, doc)] : doc.channel === 'imap' ? [mail(targets, doc)] : [],
      ),
    );
    await sleep(pauseMs);
  }
}
