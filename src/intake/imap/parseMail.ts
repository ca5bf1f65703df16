import type { Readable } from 'node:stream';
import { MailParser, type AddressObject, type AttachmentStream, type MessageText } from 'mailparser';
import type { MailAddress, MailFacts, MailHeaderFacts } from './rules.ts';

/**
 * Reads one mail from a stream (the IMAP download, fetched in 64 KB pieces) without ever
 * holding the whole mail. What stays in memory is bounded:
 *
 * - an attachment that can never be a document (a logo, a Word letter), or one the rule
 *   decided by the headers does not take, is drained as it arrives: only its name and size stay;
 * - a candidate document is collected up to `maxBytes`; one that grows past it is dropped;
 * - the raw mail is kept (up to `maxBytes`) only when a rule may store it as .eml;
 * - past `maxMailBytes` the parsing stops: the rest of the download is drained, and the result
 *   says `oversize` (the caller refuses the mail);
 * - HTML longer than `maxHtmlBytes` (default 2 MB) is not converted to text (the body filter
 *   then sees none of it).
 */
export interface MailAttachment {
  index: number;
  filename: string | undefined;
  contentType: string;
  /** Bytes seen, also for an attachment that was not kept. */
  size: number;
  /** false: drained without being kept, as no rule could store it (not a document, or left out by the rule). */
  candidate: boolean;
  /** null when the attachment was not a candidate, or larger than the limit. */
  bytes: Buffer | null;
}

export interface ParsedMail extends MailFacts {
  messageId: string | null;
  attachments: MailAttachment[];
  /** The whole mail, when asked for and within the limit. */
  raw: Buffer | null;
  rawSize: number;
  /** The mail was larger than `maxMailBytes`: parsing stopped there, nothing of it is usable. */
  oversize: boolean;
  /** The most bytes of this mail held at once (kept attachments and raw mail): what memory it cost. */
  peakHeldBytes: number;
}

export interface AttachmentPart {
  index: number;
  filename: string | undefined;
  contentType: string;
}

export interface ParseOptions {
  /** Per attachment, and for the raw mail. */
  maxBytes: number;
  /** The whole mail. */
  maxMailBytes: number;
  keepRaw: boolean;
  /** HTML parts longer than this are not turned into text. */
  maxHtmlBytes?: number;
  /** Whether an attachment may become a document, decided from its name, type and the mail's headers. */
  keep?: (part: AttachmentPart, headers: MailHeaderFacts) => boolean;
}

const MB = 1024 * 1024;

/** PostgreSQL text cannot hold NUL: a header or file name carrying one (encoded) would fail every insert. */
export function withoutNul(value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
}

/** What the mail holds in memory now, and at most. */
interface Meter {
  held: number;
  peak: number;
}

/**
 * Collects a stream's chunks until `maxBytes`; beyond it keeps counting but drops the data.
 * What it holds is counted on `meter`.
 */
function capped(maxBytes: number, meter: Meter) {
  const chunks: Buffer[] = [];
  let size = 0;
  let kept = 0;
  const release = () => {
    chunks.length = 0;
    meter.held -= kept;
    kept = 0;
  };
  return {
    add(chunk: Buffer) {
      size += chunk.length;
      if (size > maxBytes) return release();
      chunks.push(chunk);
      kept += chunk.length;
      meter.held += chunk.length;
      meter.peak = Math.max(meter.peak, meter.held);
    },
    drop() {
      release();
      size = Number.POSITIVE_INFINITY;
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
      else if (entry.address)
        flat.push({ name: withoutNul(entry.name ?? ''), address: withoutNul(entry.address.toLowerCase()) });
    }
  };
  for (const object of list) walk(object.value);
  return flat;
}

export function formatAddresses(list: MailAddress[]): string {
  return list.map(({ name, address }) => (name ? `${name} <${address}>` : address)).join(', ');
}

function headerFacts(headers: Map<string, unknown>): MailHeaderFacts {
  const date = headers.get('date');
  const subject = headers.get('subject');
  return {
    from: addresses(headers.get('from') as AddressObject | undefined),
    to: [
      ...addresses(headers.get('to') as AddressObject | AddressObject[] | undefined),
      ...addresses(headers.get('cc') as AddressObject | AddressObject[] | undefined),
    ],
    subject: typeof subject === 'string' ? withoutNul(subject) : '',
    date: date instanceof Date && !Number.isNaN(date.getTime()) ? date : null,
  };
}

export async function parseMail(source: Readable, options: ParseOptions): Promise<ParsedMail> {
  const maxHtml = options.maxHtmlBytes ?? 2 * MB;
  const parser = new MailParser({ skipImageLinks: true, skipTextToHtml: true, maxHtmlLengthToParse: maxHtml });
  const meter: Meter = { held: 0, peak: 0 };
  const raw = capped(options.keepRaw ? options.maxBytes : -1, meter);
  const attachments: MailAttachment[] = [];
  const pending: Promise<void>[] = [];
  let headers = new Map<string, unknown>();
  let facts: MailHeaderFacts = headerFacts(headers);
  let text = '';
  let total = 0;
  let oversize = false;

  return new Promise<ParsedMail>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      source.unpipe(parser);
      source.destroy();
      parser.destroy();
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    const finish = (mail: ParsedMail) => {
      if (settled) return;
      settled = true;
      resolve(mail);
    };
    // Once the mail is oversize the parser is destroyed on purpose: what it says then is moot.
    const parserFail = (error: unknown) => (oversize ? undefined : fail(error));
    source.on('error', fail);
    parser.on('error', parserFail);
    source.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (oversize) return;
      if (total > options.maxMailBytes) {
        // Stop parsing and drop what was kept; drain the rest, so the connection stays in step.
        oversize = true;
        raw.drop();
        attachments.length = 0;
        source.unpipe(parser);
        parser.destroy();
        source.resume();
        return;
      }
      raw.add(chunk);
    });
    source.on('end', () => {
      if (!oversize) return;
      finish({
        ...facts,
        text: '',
        messageId: null,
        attachments: [],
        raw: null,
        rawSize: total,
        oversize: true,
        peakHeldBytes: meter.peak,
      });
    });
    parser.on('headers', (parsed: Map<string, unknown>) => {
      headers = parsed;
      facts = headerFacts(parsed);
    });
    parser.on('data', (data: AttachmentStream | MessageText) => {
      if (data.type === 'text') {
        // An HTML-only mail with attachments comes without text: its tags are stripped here, under the same limit.
        const html = typeof data.html === 'string' && data.html.length <= maxHtml ? data.html : '';
        text = withoutNul(data.text ?? html.replace(/<[^>]*>/g, ' '));
        return;
      }
      const part = data as AttachmentStream;
      const index = attachments.length;
      const filename = part.filename === undefined ? undefined : withoutNul(part.filename);
      const candidate = options.keep ? options.keep({ index, filename, contentType: part.contentType }, facts) : true;
      // Not a candidate: counted, never kept (a limit of -1 keeps nothing).
      const collected = capped(candidate ? options.maxBytes : -1, meter);
      const attachment: MailAttachment = {
        index,
        filename,
        contentType: part.contentType,
        size: 0,
        candidate,
        bytes: null,
      };
      attachments.push(attachment);
      pending.push(
        new Promise<void>((done) => {
          part.content.on('data', (chunk: Buffer) => collected.add(chunk));
          part.content.on('error', parserFail);
          part.content.on('end', () => {
            attachment.size = collected.size;
            attachment.bytes = candidate ? collected.result() : null;
            // The parser waits for this before it reads on: that is what keeps memory bounded.
            part.release?.();
            done();
          });
        }),
      );
    });
    parser.on('end', () => {
      void Promise.all(pending).then(() => {
        if (settled || oversize) return;
        const messageId = headers.get('message-id');
        const keptRaw = options.keepRaw ? raw.result() : null;
        finish({
          ...facts,
          text,
          messageId: typeof messageId === 'string' && messageId.trim() ? withoutNul(messageId.trim()) : null,
          attachments,
          raw: keptRaw,
          rawSize: total,
          oversize: false,
          peakHeldBytes: meter.peak,
        });
      });
    });
    source.pipe(parser);
  });
}
