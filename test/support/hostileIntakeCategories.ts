import { zipSync } from 'fflate';
import { deflatedZeros, rawZip } from './hostileBuilders.ts';
import {
  always,
  IMAP_ONLY,
  mailOutcomes,
  P,
  pdfSeed,
  Q,
  QP,
  R,
  xmlSeed,
  type CategoryContext,
  type Variant,
} from './hostileCategories.ts';
import type { HostileCategory, HostileChannel, HostileDocument, HostileOutcome } from './hostileCorpus.ts';
import { uniquely } from './hostileCorpus.ts';
import { malformedMails } from './hostileMail.ts';

/**
 * The hostile corpus's categories that attack the intake itself (see hostileCategories.ts for
 * those that attack the readers): zip bombs, lying media types, empty and oversize files,
 * path-traversal names, malformed mails.
 */
// fflate writes the current time into each entry unless told otherwise.
const FIXED_TIME = { mtime: new Date(Date.UTC(2026, 0, 1)) };

export const INTAKE_VARIANTS: Pick<
  Record<HostileCategory, (context: CategoryContext) => Variant[]>,
  'zipBomb' | 'mediaType' | 'empty' | 'oversize' | 'traversalName' | 'malformedMime'
> = {
  zipBomb: (context) => {
    const note = (id: string) => ({ name: `notes/${id}`, data: Buffer.from(id), method: 0 });
    const validIsdoc = () => ({ name: 'invoice.isdoc', data: Buffer.from(context.seeds.isdoc), method: 0 });
    const zip =
      (variant: string, bytes: Buffer, expect: HostileOutcome[] = Q): Variant =>
      (id) => ({ variant, filename: `${id}.isdocx`, bytes, expect: always(expect) });
    return [
      (id) =>
        zip(
          'root .isdoc inflating to 60 MB, size declared',
          rawZip([{ name: 'invoice.isdoc', data: deflatedZeros(60), declaredSize: 60 * 1048576 }, note(id)]),
        )(id),
      (id) =>
        zip(
          'root .isdoc inflating to 60 MB, size declared as 1 KB',
          rawZip([{ name: 'invoice.isdoc', data: deflatedZeros(60), declaredSize: 1024 }, note(id)]),
        )(id),
      (id) =>
        zip(
          'root .isdoc inflating to 15 MB of zeros (under the limit)',
          rawZip([{ name: 'invoice.isdoc', data: deflatedZeros(15), declaredSize: 1024 }, note(id)]),
        )(id),
      (id) =>
        zip(
          'a 60 MB bomb beside a valid root .isdoc',
          rawZip([validIsdoc(), { name: 'bomb.bin', data: deflatedZeros(60), declaredSize: 60 * 1048576 }, note(id)]),
          P,
        )(id),
      (id) => {
        const entries = Array.from({ length: 20_000 }, (_, i) => ({
          name: `e${i}.txt`,
          data: Buffer.from('x'),
          method: 0,
        }));
        return zip('20 000 entries, no .isdoc', rawZip([...entries, note(id)]))(id);
      },
      (id) =>
        zip(
          'an .isdoc only inside a nested zip',
          Buffer.from(
            zipSync(
              {
                'inner.zip': zipSync({ 'invoice.isdoc': Buffer.from(context.seeds.isdoc) }, FIXED_TIME),
                [`notes/${id}`]: Buffer.from(id),
              },
              FIXED_TIME,
            ),
          ),
        )(id),
      (id) =>
        zip(
          'entry ../../hostile-escape.isdoc',
          rawZip([
            { name: `../../hostile-escape-${id}.isdoc`, data: Buffer.from(context.seeds.isdoc), method: 0 },
            note(id),
          ]),
        )(id),
      (id) =>
        zip(
          'entry /tmp/hostile-escape.isdoc (absolute)',
          rawZip([
            { name: `/tmp/hostile-escape-${id}.isdoc`, data: Buffer.from(context.seeds.isdoc), method: 0 },
            note(id),
          ]),
        )(id),
      (id) =>
        zip(
          'entry ..\\..\\hostile-escape.isdoc',
          rawZip([
            { name: `..\\..\\hostile-escape-${id}.isdoc`, data: Buffer.from(context.seeds.isdoc), method: 0 },
            note(id),
          ]),
        )(id),
      (id) => zip('an encrypted root .isdoc', rawZip([{ ...validIsdoc(), flags: 1 }, note(id)]))(id),
      (id) => zip('compression method 12 (bzip2)', rawZip([{ ...validIsdoc(), method: 12 }, note(id)]))(id),
      (id) =>
        zip(
          'a central directory claiming 60 000 entries',
          rawZip([validIsdoc(), note(id)], { declaredCount: 60_000 }),
        )(id),
      (id) => zip('a ZIP64 end record', rawZip([validIsdoc(), note(id)], { zip64: true }))(id),
    ];
  },
  mediaType: (context) => {
    const doc = (
      variant: string,
      filename: string,
      bytes: Buffer,
      expect: HostileDocument['expect'],
      contentType?: string,
    ): HostileDocument => ({ variant, filename, bytes, expect, contentType });
    const executable = (id: string) =>
      Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), Buffer.alloc(512, 0x90), Buffer.from(id)]);
    return [
      (id) => doc('a PDF named .xml', `${id}.xml`, pdfSeed(context, id), always(P)),
      (id) => doc('an XML invoice named .pdf', `${id}.pdf`, xmlSeed(context, id), always(P)),
      (id) => doc('an ISDOCX named .pdf', `${id}.pdf`, uniquely('isdocx', '', id, context.seeds), always(P)),
      (id) =>
        doc('a Windows executable named .exe', `${id}.exe`, executable(id), always(R), 'application/octet-stream'),
      (id) => doc('a Windows executable named .pdf', `${id}.pdf`, executable(id), always(Q), 'application/pdf'),
      (id) =>
        doc(
          'an ELF binary named .isdoc',
          `${id}.isdoc`,
          Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01'), Buffer.alloc(256), Buffer.from(id)]),
          always(Q),
        ),
      (id) =>
        doc(
          'an HTML error page named .xml',
          `${id}.xml`,
          Buffer.from(`<!DOCTYPE html><html><body>502 Bad Gateway ${id}</body></html>`),
          always(Q),
        ),
      (id) =>
        doc(
          'a PNG named .pdf',
          `${id}.pdf`,
          Buffer.concat([
            Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
            Buffer.alloc(200),
            Buffer.from(id),
          ]),
          always(Q),
          'image/png',
        ),
      (id) =>
        doc('an XML invoice sent as application/pdf', `${id}.xml`, xmlSeed(context, id), always(P), 'application/pdf'),
      (id) =>
        doc(
          'a PDF sent as text/plain named .txt',
          `${id}.txt`,
          pdfSeed(context, id),
          always(['refused', 'processed']),
          'text/plain',
        ),
      (id) =>
        doc(
          'a UBL invoice mentioning %PDF- in its first kilobyte',
          `${id}.xml`,
          Buffer.from(
            xmlSeed(context, id)
              .toString('utf8')
              .replace(/(<\?xml[^>]*\?>)/, `$1\n<!-- converted from %PDF-1.7 by the supplier's ERP -->`),
          ),
          always(P),
        ),
      (id) =>
        doc(
          'a PDF with 900 bytes of junk before its header',
          `${id}.pdf`,
          Buffer.concat([Buffer.alloc(900, 0x20), pdfSeed(context, id)]),
          always(QP),
        ),
    ];
  },
  empty: () =>
    ['.pdf', '.xml', '.isdocx', '.isdoc', '.eml'].map((extension): Variant => (id) => ({
      variant: `0 bytes named ${extension}`,
      filename: `${id}${extension}`,
      bytes: Buffer.alloc(0),
      // Refused over HTTP; dropped, the first is quarantined as empty and later ones (one hash) are duplicates of it.
      expect: (channel) =>
        channel === 'imap'
          ? ['refused', 'quarantined']
          : channel === 'drop'
            ? ['quarantined', 'processed']
            : ['refused'],
    })),
  oversize: (context) => [
    (id) => ({
      variant: `${Math.round(context.oversizeBytes / 1048576)} MB file`,
      filename: `${id}.pdf`,
      streamedSize: context.oversizeBytes,
      expect: always(R),
    }),
  ],
  traversalName: (context) => {
    const valid = (id: string) => (context.random.next() < 0.5 ? pdfSeed(context, id) : xmlSeed(context, id));
    const ext = (bytes: Buffer) => (bytes.subarray(0, 5).toString('latin1') === '%PDF-' ? '.pdf' : '.xml');
    const named =
      (
        variant: string,
        name: (id: string) => string,
        channels: readonly HostileChannel[],
        expect: HostileDocument['expect'] = always(P),
      ): Variant =>
      (id) => {
        const bytes = valid(id);
        return { variant, filename: name(id) + ext(bytes), bytes, channels, expect };
      };
    const SENT: readonly HostileChannel[] = ['http', 'imap'];
    const DROPPED: readonly HostileChannel[] = ['drop'];
    return [
      named('../../ (Unix)', (id) => `../../hostile-escape-${id}`, SENT),
      named('..\\..\\ (Windows)', (id) => `..\\..\\hostile-escape-${id}`, SENT),
      named('an absolute path', (id) => `/tmp/hostile-escape-${id}`, SENT),
      named('a Windows drive path', (id) => `C:\\Windows\\Temp\\hostile-escape-${id}`, SENT),
      named('a NUL inside the name', (id) => `hostile-${id}\u0000.exe`, SENT),
      named('a 5 000-character name', (id) => `${'y'.repeat(5000)}-${id}`, SENT),
      named('URL-encoded ../', (id) => `%2e%2e%2fhostile-escape-${id}`, SENT),
      named('a name of only ../', () => '../../', ['http'], always(['refused', 'processed'])),
      named('..\\..\\ in a dropped file name', (id) => `..\\..\\hostile-escape-${id}`, DROPPED, always(['ignored'])),
      named('a dropped name with backslashes inside', (id) => `a..\\..\\hostile-escape-${id}`, DROPPED),
      named('a 200-character dropped name', (id) => `${'z'.repeat(200)}-${id}`, DROPPED),
      named('a dropped name with a newline and shell characters', (id) => `-rf $(touch x) \n${id} *?<>|:`, DROPPED),
      named('a dropped name with a right-to-left override', (id) => `${id}\u202Egnp`, DROPPED),
      named('a reserved Windows device name', (id) => `CON ${id}`, DROPPED),
    ];
  },
  malformedMime: (context) => {
    let made = 0;
    return Array.from({ length: 20 }, (_, index): Variant => (id) => {
      const mail = malformedMails(id, pdfSeed(context, id), context.random)[index]!();
      made += 1;
      // Every fourth one also as an .eml file through the drop folder and HTTP.
      const channels: readonly HostileChannel[] = made % 4 === 0 ? ['drop', 'http'] : IMAP_ONLY;
      return { variant: mail.variant, filename: `${id}.eml`, mail: mail.raw, channels, expect: mailOutcomes };
    });
  },
};
