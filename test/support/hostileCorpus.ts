import {
  buildCii,
  buildIsdoc,
  buildUbl,
  slovakSampleCreditNote,
  slovakSampleInvoice,
  slovakSampleIsdocInvoice,
} from './einvoices.ts';
import { buildMail } from './mail.ts';
import { facturXPdf, isdocPdf, pdfFile, plainPdf } from './pdfFiles.ts';
import {
  lsInvoice,
  lsInvoicePdf,
  marsoInvoice,
  marsoInvoicePdf,
  slovakInvoice,
  slovakInvoicePdf,
} from './pdfInvoices.ts';
import { seededRandom, isdocx, type Random } from './hostileBuilders.ts';
import { categoryDocuments } from './hostileCategories.ts';

/**
 * A deterministic corpus of hostile documents for the intake (issue 15): from valid seeds
 * (generated PDFs, UBL/CII/ISDOC XML, .isdocx archives, mails) it derives mutants in twelve
 * categories, each sent through one intake channel and carrying what must become of it.
 * The same seed and size always give the same corpus (bytes, names, channels).
 */
export const HOSTILE_CATEGORIES = [
  'truncation',
  'bitflip',
  'objectCount',
  'nesting',
  'entityBomb',
  'externalEntity',
  'zipBomb',
  'mediaType',
  'empty',
  'oversize',
  'traversalName',
  'malformedMime',
] as const;
export type HostileCategory = (typeof HOSTILE_CATEGORIES)[number];

export const HOSTILE_CHANNELS = ['drop', 'http', 'imap'] as const;
export type HostileChannel = (typeof HOSTILE_CHANNELS)[number];

/**
 * quarantined: stored, then `unreadable` (or `dead_letter`) with a reason;
 * refused: never stored (HTTP 4xx with a code, rejected/ with a .reason.txt, the mail recorded with a reason);
 * processed: stored and read (needs_review, validated, …), the mutation being harmless;
 * ignored: left where it is by design (a drop-folder name starting with a dot counts as a file still being written).
 */
export type HostileOutcome = 'quarantined' | 'refused' | 'processed' | 'ignored';

/** One document of a category, before it is given a channel. */
export interface HostileDocument {
  variant: string;
  filename: string;
  /** Absent for the oversize file, which is generated while it is sent. */
  bytes?: Buffer;
  streamedSize?: number;
  /** The media type claimed on the way in (the HTTP part, the mail attachment); the daemon must not believe it. */
  contentType?: string;
  /** A whole raw mail (malformed MIME): sent as is over IMAP, as an .eml file elsewhere. */
  mail?: Buffer;
  /** The channels this document may take; all by default. */
  channels?: readonly HostileChannel[];
  expect: (channel: HostileChannel) => HostileOutcome[];
}

export interface HostileMutant {
  id: string;
  category: HostileCategory;
  variant: string;
  channel: HostileChannel;
  /** HTTP only: a multipart form or a JSON body with file_b64. */
  form?: 'multipart' | 'json';
  filename: string;
  bytes?: Buffer;
  streamedSize?: number;
  contentType?: string;
  /** IMAP only: the mail appended to the mailbox. */
  mail?: Buffer;
  expect: HostileOutcome[];
}

export interface Seeds {
  pdfs: Buffer[];
  xmls: Buffer[];
  isdoc: string;
}

export interface CorpusOptions {
  seed?: number;
  /** full: ≥ 500 mutants (npm run hostile); slice: about 120 over every category and channel (CI). */
  size: 'full' | 'slice';
  /** The oversize file; 100 MB by default. */
  oversizeBytes?: number;
  /** Where external entities and DTDs point (a listener counting requests); nothing may ever ask it. */
  canaryUrl: string;
}

// prettier-ignore
const COUNTS: Record<CorpusOptions['size'], Record<HostileCategory, number>> = {
  full: { truncation: 90, bitflip: 110, objectCount: 12, nesting: 24, entityBomb: 30, externalEntity: 30, zipBomb: 39, mediaType: 48, empty: 15, oversize: 3, traversalName: 48, malformedMime: 72 },
  slice: { truncation: 14, bitflip: 14, objectCount: 4, nesting: 6, entityBomb: 9, externalEntity: 9, zipBomb: 13, mediaType: 12, empty: 6, oversize: 3, traversalName: 15, malformedMime: 15 },
};

export async function buildSeeds(): Promise<Seeds> {
  const rendered = await Promise.all([
    slovakInvoicePdf(slovakInvoice()),
    lsInvoicePdf(lsInvoice()),
    marsoInvoicePdf(marsoInvoice()),
    facturXPdf(),
    isdocPdf(),
    plainPdf(),
    pdfFile({ attachments: [{ name: 'factur-x.xml', content: Buffer.from(buildCii(slovakSampleInvoice())) }] }),
  ]);
  const pdfs = rendered.map(withFixedDates);
  const xmls = [
    buildUbl(slovakSampleInvoice()),
    buildCii(slovakSampleInvoice()),
    buildIsdoc(slovakSampleIsdocInvoice()),
    buildUbl(slovakSampleCreditNote(), 'CreditNote'),
  ].map((xml) => Buffer.from(xml));
  return { pdfs, xmls, isdoc: buildIsdoc(slovakSampleIsdocInvoice()) };
}

/**
 * pdfkit writes the time of rendering as CreationDate, and the file /ID from it: the same
 * invoice renders to other bytes every second. Both are overwritten in place (same length, so
 * the xref offsets stay right) so that the corpus is the same on every run.
 */
export function withFixedDates(pdf: Buffer): Buffer {
  const text = pdf
    .toString('latin1')
    .replace(/\(D:\d{14}Z\)/g, '(D:20261206100000Z)')
    .replace(
      /\/ID \[<([0-9a-f]+)> <([0-9a-f]+)>\]/g,
      (_all, a: string, b: string) => `/ID [<${'0'.repeat(a.length)}> <${'0'.repeat(b.length)}>]`,
    );
  return Buffer.from(text, 'latin1');
}

/** Makes a seed's bytes unique to one mutant without changing what they mean, so no two mutants are duplicates. */
export function uniquely(kind: 'pdf' | 'xml' | 'isdocx', bytes: Buffer | string, id: string, seeds: Seeds): Buffer {
  if (kind === 'pdf') return Buffer.concat([Buffer.from(bytes), Buffer.from(`\n%hostile ${id}\n`)]);
  if (kind === 'xml') return Buffer.concat([Buffer.from(bytes), Buffer.from(`\n<!-- hostile ${id} -->\n`)]);
  // The mutant's own entry first: a prefix of the archive (a truncation) is then unique too.
  return isdocx(seeds.isdoc, { [`notes/${id}.txt`]: Buffer.from(id) }, true);
}

export async function buildHostileCorpus(options: CorpusOptions): Promise<HostileMutant[]> {
  const seeds = await buildSeeds();
  const counts = COUNTS[options.size];
  const mutants: HostileMutant[] = [];
  let http = 0;
  for (const category of HOSTILE_CATEGORIES) {
    // One PRNG per category: changing one category's count leaves the others' bytes as they were.
    const random: Random = seededRandom((options.seed ?? 15) * 1000 + HOSTILE_CATEGORIES.indexOf(category));
    const documents = await categoryDocuments(category, counts[category], {
      random,
      seeds,
      oversizeBytes: options.oversizeBytes ?? 100 * 1024 * 1024,
      canaryUrl: options.canaryUrl,
    });
    // Round robin over each document's channels, counted per set of channels so every set is spread.
    const turns = new Map<string, number>();
    for (const [index, document] of documents.entries()) {
      const id = `${category}-${String(index).padStart(3, '0')}`;
      const channels = document.channels ?? HOSTILE_CHANNELS;
      const turn = turns.get(channels.join()) ?? 0;
      turns.set(channels.join(), turn + 1);
      const channel = channels[turn % channels.length]!;
      const mutant: HostileMutant = {
        id,
        category,
        variant: document.variant,
        channel,
        filename: document.filename,
        bytes: document.bytes,
        streamedSize: document.streamedSize,
        contentType: document.contentType,
        expect: document.expect(channel),
      };
      if (channel === 'http') mutant.form = http++ % 2 === 0 ? 'multipart' : 'json';
      if (channel === 'imap' && !document.streamedSize) mutant.mail = document.mail ?? (await asMail(id, document));
      if (channel !== 'imap' && document.mail) mutant.bytes = document.mail;
      mutants.push(mutant);
    }
  }
  return mutants;
}

/** MailComposer draws the shared part of its boundaries at random: fixed here, for a corpus that is the same on every run. */
export function withFixedBoundaries(mail: Buffer): Buffer {
  return Buffer.from(
    mail.toString('latin1').replace(/_NmP-[0-9a-f]{16}-Part_/g, '_NmP-0123456789abcdef-Part_'),
    'latin1',
  );
}

/** A document as the one attachment of an ordinary mail. */
async function asMail(id: string, document: HostileDocument): Promise<Buffer> {
  return withFixedBoundaries(
    await buildMail({
      subject: `hostile ${id}`,
      messageId: `<${id}@hostile.test>`,
      date: new Date(Date.UTC(2026, 11, 6, 10)),
      attachments: [{ filename: document.filename, content: document.bytes!, contentType: document.contentType }],
    }),
  );
}
