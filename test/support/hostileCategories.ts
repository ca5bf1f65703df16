import {
  billionLaughs,
  flipBits,
  isdocx,
  pdfNested,
  pdfWithObjects,
  pdfWithPages,
  quadraticBlowup,
  truncateAt,
  xmlNested,
  xmlWithElements,
  type Random,
} from './hostileBuilders.ts';
import type { HostileCategory, HostileChannel, HostileDocument, HostileOutcome, Seeds } from './hostileCorpus.ts';
import { uniquely, withFixedBoundaries } from './hostileCorpus.ts';
import { INTAKE_VARIANTS } from './hostileIntakeCategories.ts';
import { buildMail } from './mail.ts';
import { pdfFile } from './pdfFiles.ts';

/** What each category's mutants are made of (see hostileCorpus.ts for the categories and outcomes). */
export interface CategoryContext {
  random: Random;
  seeds: Seeds;
  oversizeBytes: number;
  /** Where an external entity or DTD points: a listener that counts every request it gets. */
  canaryUrl: string;
}

export type Variant = (id: string) => HostileDocument | Promise<HostileDocument>;

export const Q: HostileOutcome[] = ['quarantined'];
export const QP: HostileOutcome[] = ['quarantined', 'processed'];
export const P: HostileOutcome[] = ['processed'];
export const R: HostileOutcome[] = ['refused'];
export const always = (outcomes: HostileOutcome[]) => () => outcomes;
/** A mail may be refused whole (no usable document) or give up a document to store. */
export const mailOutcomes = (channel: HostileChannel): HostileOutcome[] =>
  channel === 'imap' ? ['refused', 'quarantined', 'processed'] : QP;

export async function categoryDocuments(
  category: HostileCategory,
  count: number,
  context: CategoryContext,
): Promise<HostileDocument[]> {
  const variants = VARIANTS[category](context);
  const documents: HostileDocument[] = [];
  for (let index = 0; index < count; index++) {
    const id = `${category}-${String(index).padStart(3, '0')}`;
    documents.push(await variants[index % variants.length]!(id));
  }
  return documents;
}

export const pdfSeed = ({ random, seeds }: CategoryContext, id: string) =>
  uniquely('pdf', random.pick(seeds.pdfs), id, seeds);
export const xmlSeed = ({ random, seeds }: CategoryContext, id: string) =>
  uniquely('xml', random.pick(seeds.xmls), id, seeds);
export const mailSeed = async (context: CategoryContext, id: string) =>
  withFixedBoundaries(
    await buildMail({
      subject: `hostile ${id}`,
      messageId: `<${id}@hostile.test>`,
      date: new Date(Date.UTC(2026, 11, 6, 10)),
      attachments: [{ filename: `${id}.pdf`, content: pdfSeed(context, id) }],
    }),
  );
export const IMAP_ONLY: readonly HostileChannel[] = ['imap'];

const VARIANTS: Record<HostileCategory, (context: CategoryContext) => Variant[]> = {
  ...INTAKE_VARIANTS,
  truncation: (context) => [
    (id) => ({
      variant: 'PDF cut short',
      filename: `${id}.pdf`,
      bytes: truncateAt(pdfSeed(context, id), context.random).bytes,
      expect: always(QP),
    }),
    (id) => {
      const seed = xmlSeed(context, id);
      const { bytes, at } = truncateAt(seed, context.random);
      const rootEnd = seed.lastIndexOf('</') + 2;
      return { variant: `XML cut at ${at}`, filename: `${id}.xml`, bytes, expect: always(at < rootEnd ? Q : QP) };
    },
    (id) => ({
      variant: 'ISDOCX cut short',
      filename: `${id}.isdocx`,
      bytes: truncateAt(uniquely('isdocx', '', id, context.seeds), context.random, 64).bytes,
      expect: always(Q),
    }),
    async (id) => {
      const mail = truncateAt(await mailSeed(context, id), context.random).bytes;
      return { variant: 'mail cut short', filename: `${id}.eml`, mail, channels: IMAP_ONLY, expect: mailOutcomes };
    },
  ],
  bitflip: (context) => {
    const flips = () => context.random.int(1, 16);
    return [
      (id) => ({
        variant: 'PDF with flipped bits',
        filename: `${id}.pdf`,
        bytes: flipBits(pdfSeed(context, id), context.random, flips()),
        expect: always(QP),
      }),
      (id) => ({
        variant: 'XML with flipped bits',
        filename: `${id}.xml`,
        bytes: flipBits(xmlSeed(context, id), context.random, flips()),
        expect: always(QP),
      }),
      (id) => ({
        variant: 'ISDOCX with flipped bits',
        filename: `${id}.isdocx`,
        bytes: flipBits(uniquely('isdocx', '', id, context.seeds), context.random, flips()),
        expect: always(QP),
      }),
      async (id) => ({
        variant: 'mail with flipped bits',
        filename: `${id}.eml`,
        mail: flipBits(await mailSeed(context, id), context.random, flips()),
        channels: IMAP_ONLY,
        expect: mailOutcomes,
      }),
    ];
  },
  objectCount: (context) => [
    (id) => ({
      variant: 'PDF with 100 000 objects',
      filename: `${id}.pdf`,
      bytes: uniquely('pdf', pdfWithObjects(100_000), id, context.seeds),
      expect: always(QP),
    }),
    (id) => ({
      variant: 'XML with 1 000 000 elements',
      filename: `${id}.xml`,
      bytes: uniquely('xml', xmlWithElements(1_000_000), id, context.seeds),
      expect: always(QP),
    }),
    (id) => ({
      variant: 'PDF with 5 000 pages',
      filename: `${id}.pdf`,
      bytes: uniquely('pdf', pdfWithPages(5_000), id, context.seeds),
      expect: always(QP),
    }),
    (id) => ({
      variant: 'XML with 1 000 000 repeatable Notes',
      filename: `${id}.xml`,
      bytes: uniquely('xml', xmlWithElements(1_000_000, '<cbc:Note>n</cbc:Note>'), id, context.seeds),
      expect: always(QP),
    }),
    (id) => {
      const entries: Record<string, Uint8Array> = {};
      for (let i = 0; i < 30_000; i++) entries[`parts/${i}.txt`] = new Uint8Array([i & 0xff]);
      return {
        variant: 'ISDOCX with 30 000 entries beside the invoice',
        filename: `${id}.isdocx`,
        bytes: isdocx(context.seeds.isdoc, { ...entries, [`notes/${id}`]: Buffer.from(id) }),
        expect: always(P),
      };
    },
  ],
  nesting: (context) => [
    (id) => ({
      variant: 'XML nested 1 000 deep',
      filename: `${id}.xml`,
      bytes: uniquely('xml', xmlNested(1_000), id, context.seeds),
      expect: always(QP),
    }),
    (id) => ({
      variant: 'XML nested 10 000 deep',
      filename: `${id}.xml`,
      bytes: uniquely('xml', xmlNested(10_000), id, context.seeds),
      expect: always(QP),
    }),
    (id) => ({
      variant: 'XML nested 100 000 deep',
      filename: `${id}.xml`,
      bytes: uniquely('xml', xmlNested(100_000), id, context.seeds),
      expect: always(QP),
    }),
    (id) => ({
      variant: 'PDF dictionaries nested 10 000 deep',
      filename: `${id}.pdf`,
      bytes: uniquely('pdf', pdfNested(10_000, 'dictionary'), id, context.seeds),
      expect: always(QP),
    }),
    (id) => ({
      variant: 'PDF dictionaries nested 100 000 deep',
      filename: `${id}.pdf`,
      bytes: uniquely('pdf', pdfNested(100_000, 'dictionary'), id, context.seeds),
      expect: always(QP),
    }),
    (id) => ({
      variant: 'PDF arrays nested 100 000 deep',
      filename: `${id}.pdf`,
      bytes: uniquely('pdf', pdfNested(100_000, 'array'), id, context.seeds),
      expect: always(QP),
    }),
    (id) => ({
      variant: 'PDF page tree 3 000 levels deep',
      filename: `${id}.pdf`,
      bytes: uniquely('pdf', pdfNested(3_000, 'pageTree'), id, context.seeds),
      expect: always(QP),
    }),
    (id) => ({
      variant: 'ISDOCX whose .isdoc nests 100 000 deep',
      filename: `${id}.isdocx`,
      bytes: isdocx(xmlNested(100_000), { [`notes/${id}`]: Buffer.from(id) }),
      expect: always(QP),
    }),
  ],
  entityBomb: (context) => [
    (id) => ({
      variant: 'billion laughs (10 levels)',
      filename: `${id}.xml`,
      bytes: uniquely('xml', billionLaughs(10), id, context.seeds),
      expect: always(Q),
    }),
    (id) => ({
      variant: 'quadratic blow-up (50 KB × 10 000)',
      filename: `${id}.xml`,
      bytes: uniquely('xml', quadraticBlowup(50_000, 10_000), id, context.seeds),
      expect: always(Q),
    }),
    (id) => ({
      variant: 'billion laughs in an ISDOCX',
      filename: `${id}.isdocx`,
      bytes: isdocx(billionLaughs(10), { [`notes/${id}`]: Buffer.from(id) }),
      expect: always(Q),
    }),
    async (id) => ({
      variant: "billion laughs as a PDF's factur-x.xml",
      filename: `${id}.pdf`,
      bytes: uniquely(
        'pdf',
        await pdfFile({ attachments: [{ name: 'factur-x.xml', content: Buffer.from(billionLaughs(10)) }] }),
        id,
        context.seeds,
      ),
      expect: always(QP),
    }),
    (id) => ({
      variant: 'billion laughs with parameter entities',
      filename: `${id}.xml`,
      bytes: uniquely(
        'xml',
        billionLaughs(10).replace('<!ENTITY lol0 "lol">', '<!ENTITY % p "<!ENTITY lol0 \'lol\'>"> %p;'),
        id,
        context.seeds,
      ),
      expect: always(Q),
    }),
    (id) => ({
      variant: 'billion laughs, 30 levels of fan-out 2',
      filename: `${id}.xml`,
      bytes: uniquely('xml', billionLaughs(30, 2), id, context.seeds),
      expect: always(Q),
    }),
  ],
  externalEntity: (context) => {
    const ubl = (id: string) =>
      xmlSeed(context, id)
        .toString('utf8')
        .replace(/^<\?xml[^>]*\?>\s*/, '');
    const withEntity = (id: string, declaration: string) =>
      Buffer.from(
        `<?xml version="1.0"?>\n<!DOCTYPE Invoice [${declaration}]>\n${ubl(id).replace(/<\/(\w+)>\s*\n<!--/, '<Note>&e;</Note></$1>\n<!--')}`,
      );
    const canary = (what: string) => `${context.canaryUrl}/${what}`;
    return [
      (id) => ({
        variant: 'entity SYSTEM file:///etc/passwd',
        filename: `${id}.xml`,
        bytes: withEntity(id, '<!ENTITY e SYSTEM "file:///etc/passwd">'),
        expect: always(Q),
      }),
      (id) => ({
        variant: 'entity SYSTEM http:// (canary)',
        filename: `${id}.xml`,
        bytes: withEntity(id, `<!ENTITY e SYSTEM "${canary(id)}">`),
        expect: always(Q),
      }),
      (id) => ({
        variant: 'parameter entity from http:// (canary)',
        filename: `${id}.xml`,
        bytes: withEntity(id, `<!ENTITY % remote SYSTEM "${canary(id)}"> %remote;`),
        expect: always(Q),
      }),
      (id) => ({
        variant: 'external DTD over http:// (canary), no entity',
        filename: `${id}.xml`,
        bytes: Buffer.from(`<?xml version="1.0"?>\n<!DOCTYPE Invoice SYSTEM "${canary(id)}">\n${ubl(id)}`),
        expect: always(QP),
      }),
      (id) => ({
        variant: 'XInclude of file:///etc/passwd',
        filename: `${id}.xml`,
        bytes: Buffer.from(
          ubl(id).replace(
            /<\/(\w+)>\s*\n<!--/,
            '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/></$1>\n<!--',
          ),
        ),
        expect: always(QP),
      }),
      (id) => ({
        variant: 'xml-stylesheet and schemaLocation over http:// (canary)',
        filename: `${id}.xml`,
        bytes: Buffer.from(
          `<?xml version="1.0"?>\n<?xml-stylesheet type="text/xsl" href="${canary(id)}"?>\n${ubl(id).replace(/^<(\w+)/, `<$1 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:x ${canary(id)}"`)}`,
        ),
        expect: always(QP),
      }),
      (id) => ({
        variant: 'entity SYSTEM /etc/passwd in an ISDOCX',
        filename: `${id}.isdocx`,
        bytes: isdocx(
          `<?xml version="1.0"?>\n<!DOCTYPE Invoice [<!ENTITY e SYSTEM "/etc/passwd">]>\n${context.seeds.isdoc.replace(/^<\?xml[^>]*\?>\s*/, '').replace('</Invoice>', '<Note>&e;</Note></Invoice>')}`,
          { [`notes/${id}`]: Buffer.from(id) },
        ),
        expect: always(Q),
      }),
      async (id) => ({
        variant: "entity SYSTEM file:///etc/passwd in a PDF's factur-x.xml",
        filename: `${id}.pdf`,
        bytes: uniquely(
          'pdf',
          await pdfFile({
            attachments: [{ name: 'factur-x.xml', content: withEntity(id, '<!ENTITY e SYSTEM "file:///etc/passwd">') }],
          }),
          id,
          context.seeds,
        ),
        expect: always(QP),
      }),
    ];
  },
};
