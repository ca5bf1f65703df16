import type { Readable } from 'node:stream';
import { MailParser, type AddressObject, type AttachmentStream, type MessageText } from 'mailparser';
import type { MailAddress, MailFacts } from './rules.ts';

/**
 * Reads one mail from a stream (the IMAP download, fetched in 64 KB pieces) without ever
 * holding the whole mail: each attachment is collected from its own stream up to the size
 * limit, and one that grows past it is drained and dropped, keeping only its name and size.
 * The raw mail is kept (up to the same limit) only when a rule may store it as .eml.
 */
export interface MailAttachment {
  index: number;
  filename: string | undefined;
  contentType: string;
  /** Bytes seen, also for an attachment that was too large to keep. */
  size: number;
  /** null when the attachment was larger than the limit. */
  bytes: Buffer | null;
}

export interface ParsedMail extends MailFacts {
  messageId: string | null;
  attachments: MailAttachment[];
  /** The whole mail, when asked for and within the limit. */
  raw: Buffer | null;
  rawSize: number;
}

/** Collects a stream's chunks until `maxBytes`; beyond it keeps counting but drops the data. */
function capped(maxBytes: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    add(chunk: Buffer) {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
      else chunks.length = 0;
    },
    get size() {
      return size;
    },
    result: (): Buffer | null => (size <= maxBytes ? Buffer.concat(chunks, size) : null),
  };
}

function addresses(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const flat: MailAddress[] = [];
  const walk = (entries: AddressObject['value']) => {
    for (const entry of entries) {
      if (entry.group) walk(entry.group);
      else if (entry.address) flat.push({ name: entry.name ?? '', address: entry.address.toLowerCase() });
    }
  };
  for (const object of list) walk(object.value);
  return flat;
}

export function formatAddresses(list: MailAddress[]): string {
  return list.map(({ name, address }) => (name ? `${name} <${address}>` : address)).join(', ');
}

export async function parseMail(
  source: Readable,
  options: { maxBytes: number; keepRaw: boolean },
): Promise<ParsedMail> {
  const parser = new MailParser({ skipImageLinks: true, skipTextToHtml: true });
  const raw = capped(options.keepRaw ? options.maxBytes : -1);
  const attachments: MailAttachment[] = [];
  const pending: Promise<void>[] = [];
  let headers = new Map<string, unknown>();
  let text = '';

  return new Promise<ParsedMail>((resolve, reject) => {
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      source.unpipe(parser);
      source.destroy();
      parser.destroy();
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    source.on('error', fail);
    parser.on('error', fail);
    source.on('data', (chunk: Buffer) => raw.add(chunk));
    parser.on('headers', (parsed: Map<string, unknown>) => (headers = parsed));
    parser.on('data', (data: AttachmentStream | MessageText) => {
      if (data.type === 'text') {
        text = data.text ?? (typeof data.html === 'string' ? data.html.replace(/<[^>]*>/g, ' ') : '');
        return;
      }
      const part = data as AttachmentStream;
      const index = attachments.length;
      const collected = capped(options.maxBytes);
      const attachment: MailAttachment = {
        index,
        filename: part.filename,
        contentType: part.contentType,
        size: 0,
        bytes: null,
      };
      attachments.push(attachment);
      pending.push(
        new Promise<void>((done) => {
          part.content.on('data', (chunk: Buffer) => collected.add(chunk));
          part.content.on('error', (error: unknown) => fail(error));
          part.content.on('end', () => {
            attachment.size = collected.size;
            attachment.bytes = collected.result();
            // The parser waits for this before it reads on: that is what keeps memory bounded.
            part.release?.();
            done();
          });
        }),
      );
    });
    parser.on('end', () => {
      void Promise.all(pending).then(() => {
        if (failed) return;
        const date = headers.get('date');
        const subject = headers.get('subject');
        const messageId = headers.get('message-id');
        resolve({
          from: addresses(headers.get('from') as AddressObject | undefined),
          to: [
            ...addresses(headers.get('to') as AddressObject | AddressObject[] | undefined),
            ...addresses(headers.get('cc') as AddressObject | AddressObject[] | undefined),
          ],
          subject: typeof subject === 'string' ? subject : '',
          text,
          date: date instanceof Date && !Number.isNaN(date.getTime()) ? date : null,
          messageId: typeof messageId === 'string' && messageId.trim() ? messageId.trim() : null,
          attachments,
          raw: options.keepRaw ? raw.result() : null,
          rawSize: raw.size,
        });
      });
    });
    source.pipe(parser);
  });
}
