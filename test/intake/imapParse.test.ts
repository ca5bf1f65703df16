import { Readable } from 'node:stream';
import test from 'ava';
import pg from 'pg';
import { freePort } from '../../src/runtime/freePort.ts';
import { isUnavailable } from '../../src/intake/imap/failures.ts';
import { parseMail, withoutNul, type ParseOptions } from '../../src/intake/imap/parseMail.ts';
import { documentName } from '../../src/intake/imap/rules.ts';
import { pdfBytes } from '../support/fixtures.ts';
import { buildMail } from '../support/mail.ts';
import { migratedDatabase } from '../support/migratedDatabase.ts';

/**
 * Parsing a mail as a stream without a server: what is kept in memory, what is drained, the
 * whole-mail limit; and which failures are an outage rather than the mail's own fault.
 */
const MB = 1024 * 1024;

/** The mail in 64 KB pieces, as the IMAP download delivers it. */
function pieces(raw: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < raw.length; at += 65_536) chunks.push(raw.subarray(at, at + 65_536));
  return Readable.from(chunks);
}

const options = (overrides: Partial<ParseOptions> = {}): ParseOptions => ({
  maxBytes: MB,
  maxMailBytes: 50 * MB,
  keepRaw: false,
  keep: (part) => documentName(part.filename, part.contentType, part.index) !== null,
  ...overrides,
});

test('an attachment that is no document is drained and never kept; a document is kept', async (t) => {
  const pdf = pdfBytes('parse-keep', 30_000);
  const raw = await buildMail({
    attachments: [
      { filename: 'photo.png', content: Buffer.alloc(700 * 1024, 1), contentType: 'image/png' },
      { filename: 'invoice.pdf', content: pdf },
    ],
  });
  const mail = await parseMail(pieces(raw), options());
  t.false(mail.oversize);
  t.deepEqual(
    mail.attachments.map((a) => [a.filename, a.candidate, a.size, a.bytes?.length ?? null]),
    [
      ['photo.png', false, 700 * 1024, null],
      ['invoice.pdf', true, pdf.length, pdf.length],
    ],
  );
  t.is(mail.peakHeldBytes, pdf.length);
  t.is(mail.rawSize, raw.length);
});

test('the headers are known when the attachments are judged', async (t) => {
  const seen: string[] = [];
  const raw = await buildMail({
    from: 'faktury@lidl.sk',
    subject: 'Faktúra 12',
    attachments: [{ filename: 'a.pdf', content: pdfBytes('headers') }],
  });
  await parseMail(
    pieces(raw),
    options({
      keep: (part, headers) => {
        seen.push(`${part.filename} ${headers.from[0]?.address} ${headers.subject}`);
        return true;
      },
    }),
  );
  t.deepEqual(seen, ['a.pdf faktury@lidl.sk Faktúra 12']);
});

test('past maxMailBytes the parsing stops, the rest is drained, and the mail is oversize with nothing kept', async (t) => {
  const raw = await buildMail({
    attachments: [
      { filename: 'a.pdf', content: pdfBytes('cap-a', 400_000) },
      { filename: 'b.pdf', content: pdfBytes('cap-b', 400_000) },
    ],
  });
  const source = pieces(raw);
  const mail = await parseMail(source, options({ maxMailBytes: 600_000 }));
  t.true(mail.oversize);
  t.deepEqual(mail.attachments, []);
  t.is(mail.raw, null);
  t.is(mail.rawSize, raw.length, 'the download was drained to its end');
  t.true(mail.peakHeldBytes <= 600_000);
  t.true(source.readableEnded);
});

test('HTML above maxHtmlBytes is not turned into text, and the mail is still read', async (t) => {
  const html = `<html><body>${'<p>dobropis</p>'.repeat(2_000)}</body></html>`;
  // Alone (mailparser converts it) and beside an attachment (only tags stripped here).
  for (const attachments of [[], [{ filename: 'a.pdf', content: pdfBytes('html') }]]) {
    const raw = await buildMail({ text: null, html, attachments });
    const within = await parseMail(pieces(raw), options({ maxHtmlBytes: 1_000_000 }));
    t.true(within.text.includes('dobropis'), `converted within the limit (${attachments.length} attachments)`);
    const above = await parseMail(pieces(raw), options({ maxHtmlBytes: 10_000 }));
    t.is(above.attachments.length, attachments.length);
    t.false(above.text.includes('dobropis'), `not converted above the limit (${attachments.length} attachments)`);
  }
});

test('a NUL is taken out of the texts that go to PostgreSQL', async (t) => {
  t.is(withoutNul('a\u0000b\u0000'), 'ab');
  const raw = await buildMail({
    subject: 'Fak\u0000túra',
    attachments: [{ filename: 'f\u0000.pdf', content: pdfBytes('nul') }],
  });
  const mail = await parseMail(pieces(raw), options());
  t.is(mail.subject, 'Faktúra');
  t.is(mail.attachments[0]!.filename, 'f.pdf');
});

test('an outage (database or network) is not the mail failing; a bad value is', async (t) => {
  const { pool } = await migratedDatabase(t);
  // A NUL in text: 22021, the mail's own fault.
  const nul = await pool.query('SELECT $1::text', ['a\u0000b']).catch((error: unknown) => error);
  t.is((nul as { code?: string }).code, '22021');
  t.false(isUnavailable(nul));
  // Nobody listening: the database is away.
  const away = new pg.Pool({ connectionString: `postgres://x@127.0.0.1:${await freePort()}/x` });
  t.teardown(() => away.end());
  const refused = await away.query('SELECT 1').catch((error: unknown) => error);
  t.true(isUnavailable(refused), String(refused));
  // What node-postgres and the server say when the database goes away mid-way.
  t.true(isUnavailable(new Error('Connection terminated unexpectedly')));
  t.true(isUnavailable(new Error('timeout exceeded when trying to connect')));
  t.true(
    isUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })),
  );
  t.true(isUnavailable(Object.assign(new Error('could not serialize access'), { code: '40001' })));
  t.true(isUnavailable(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) })));
  t.false(isUnavailable(new Error('the PDF library crashed on this file')));
  t.false(isUnavailable(Object.assign(new Error('value too long'), { code: '22001' })));
});
