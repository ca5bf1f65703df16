import assert from 'node:assert/strict';
import test from 'ava';
import { zipSync } from 'fflate';
import { LoaderError } from '../../../src/errors.ts';
import { extractDocument } from '../../../src/extract/extractDocument.ts';
import { parseInvoiceXml, readIsdocx } from '../../../src/extract/structured/index.ts';
import { buildIsdoc, buildUbl, slovakSampleInvoice, slovakSampleIsdocInvoice } from '../../support/einvoices.ts';

const SUPPLIER = 'L&amp;Š s.r.o.';

/** The sample UBL invoice with the supplier's name (trade and registered) written as `name`. */
function ublWithSupplierName(name: string): string {
  const xml = buildUbl(slovakSampleInvoice());
  assert.ok(xml.includes(SUPPLIER), 'the sample no longer names its supplier this way');
  return xml.replaceAll(SUPPLIER, name);
}

function refusal(t: { throws: (fn: () => unknown) => unknown }, xml: string | Buffer): LoaderError {
  const error = t.throws(() => parseInvoiceXml(xml));
  if (!(error instanceof LoaderError)) throw new Error(`expected a LoaderError, got ${String(error)}`);
  return error;
}

test('a reference to a character XML does not allow is refused with its code point, whatever its spelling', (t) => {
  for (const [reference, codePoint] of [
    ['&#0;', 'U+0000'],
    ['&#x0;', 'U+0000'],
    ['&#x00000;', 'U+0000'],
    ['&#1;', 'U+0001'],
    ['&#x1F;', 'U+001F'],
    ['&#xD800;', 'U+D800'],
    ['&#57343;', 'U+DFFF'],
    ['&#xFFFE;', 'U+FFFE'],
    ['&#xFFFF;', 'U+FFFF'],
  ] as const) {
    const error = refusal(t, ublWithSupplierName(`ACME${reference} s.r.o.`));
    t.is(error.code, 'XML_FORBIDDEN_CHARACTER', reference);
    t.true(error.message.includes(codePoint), `${reference}: ${error.message}`);
    t.true(error.message.includes(reference), `${reference} is named in: ${error.message}`);
  }
  const inAttribute = buildUbl(slovakSampleInvoice()).replace('currencyID="EUR"', 'currencyID="EUR&#0;"');
  t.not(inAttribute, buildUbl(slovakSampleInvoice()));
  t.is(refusal(t, inAttribute).code, 'XML_FORBIDDEN_CHARACTER');
});

test('a literal NUL, C0 control or lone surrogate is refused with its line and column', (t) => {
  for (const [character, codePoint] of [
    ['\u0000', 'U+0000'],
    ['\u0008', 'U+0008'],
    ['\u001b', 'U+001B'],
    ['\ud800', 'U+D800'],
    ['\udc00', 'U+DC00'],
    ['\uffff', 'U+FFFF'],
  ] as const) {
    const error = refusal(t, ublWithSupplierName(`ACME${character} s.r.o.`));
    t.is(error.code, 'XML_FORBIDDEN_CHARACTER', codePoint);
    t.regex(error.message, new RegExp(`${codePoint.replace('+', '\\+')} \\(line \\d+, column \\d+\\)`));
  }
  // The same NUL as UTF-8 bytes from a file.
  const bytes = Buffer.from(ublWithSupplierName('ACME\u0000 s.r.o.'), 'utf8');
  t.is(refusal(t, bytes).code, 'XML_FORBIDDEN_CHARACTER');
});

test('tab, line feed, carriage return and every other character stay allowed, written or referenced', (t) => {
  const invoice = parseInvoiceXml(ublWithSupplierName('ACME&#9;&#xA;&#13;Čierny &#x1F600; \u{1F600}\t s.r.o.'));
  // Whitespace is tidied by the reader; what matters is that nothing was refused or lost.
  t.regex(invoice.supplier.name ?? '', /^ACME\s+Čierny \u{1F600} \u{1F600}\s+s\.r\.o\.$/u);
});

test('extraction turns such a document into unreadable at once, with the reason', async (t) => {
  const bytes = Buffer.from(ublWithSupplierName('ACME&#0; s.r.o.'), 'utf8');
  const outcome = await extractDocument(bytes, 'application/xml', { mode: 'auto', templates: [] });
  t.is(outcome.kind, 'unreadable');
  t.regex((outcome as { reason: string }).reason, /U\+0000.*XML does not allow/);
});

/** A zip whose one entry says it inflates to `declared` bytes, whatever it really inflates to. */
function zipDeclaring(name: string, content: Uint8Array, declared: number): Buffer {
  const zip = Buffer.from(zipSync({ [name]: [content, { level: 9 }] }));
  const local = zip.indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  assert.ok(local === 0 && central > 0, 'zipSync wrote an unexpected layout');
  zip.writeUInt32LE(declared, local + 22);
  zip.writeUInt32LE(declared, central + 24);
  return zip;
}

test('an .isdocx entry that claims a small size but inflates past the limit is stopped by what it inflates to', (t) => {
  // 64 MiB of spaces: about 64 KiB compressed, over the 50 MiB an .isdoc may be.
  const bomb = new Uint8Array(64 * 1024 * 1024).fill(0x20);
  const zip = zipDeclaring('faktura.isdoc', bomb, 1_000);
  t.true(zip.length < 1024 * 1024, `the bomb is ${zip.length} bytes`);
  const error = t.throws(() => readIsdocx(zip), { code: 'ISDOCX_INVALID' });
  t.regex(error!.message, /faktura\.isdoc inflates to more than \d+ bytes/);

  // An honest declaration of the same size is refused before anything is inflated.
  const honest = zipDeclaring('faktura.isdoc', bomb, bomb.length);
  t.throws(() => readIsdocx(honest), { code: 'ISDOCX_INVALID', message: /would inflate to 67108864 bytes/ });
});

test('an .isdocx entry with an understated size still yields its whole .isdoc', (t) => {
  const sample = slovakSampleIsdocInvoice();
  const isdoc = new TextEncoder().encode(buildIsdoc(sample));
  const zip = zipDeclaring('FV2026001234.isdoc', isdoc, 10);
  const read = readIsdocx(zip);
  t.is(read.length, isdoc.length);
  t.is(parseInvoiceXml(read).invoice_number, sample.invoice_number);
});

test('a stored (uncompressed) .isdoc and a truncated deflate stream', (t) => {
  const isdoc = new TextEncoder().encode(buildIsdoc(slovakSampleIsdocInvoice()));
  const stored = Buffer.from(zipSync({ 'a.isdoc': [isdoc, { level: 0 }] }));
  t.deepEqual(readIsdocx(stored), Buffer.from(isdoc));

  const truncated = Buffer.from(zipSync({ 'a.isdoc': [isdoc, { level: 9 }] }));
  const central = truncated.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  // Claim the data ends 40 bytes early: the inflater runs out before the stream's end.
  const compressedSize = truncated.readUInt32LE(central + 20);
  truncated.writeUInt32LE(compressedSize - 40, central + 20);
  t.throws(() => readIsdocx(truncated), { code: 'ISDOCX_INVALID', message: /does not inflate/ });
});
