import assert from 'node:assert/strict';
import test from 'ava';
import { zipSync } from 'fflate';
import { LoaderError } from '../../../src/errors.ts';
import { extractDocument } from '../../../src/extract/extractDocument.ts';
import { parseInvoiceXml, readIsdocx } from '../../../src/extract/structured/index.ts';
import { MAX_ISDOC_BYTES } from '../../../src/extract/structured/isdocx.ts';
import { MAX_TEXT_CHARS, MAX_XML_ELEMENTS } from '../../../src/extract/structured/xmlBounds.ts';
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
  // 64 MiB of spaces: about 64 KiB compressed, over the 16 MiB an .isdoc may be.
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

test('an .isdoc of 20 MiB of spaces is refused by what it inflates to, before it is decoded (issue 15)', (t) => {
  // Under the old 50 MiB limit this was inflated, decoded and scanned whole: over 300 MB in a worker.
  const big = new Uint8Array(20 * 1024 * 1024).fill(0x20);
  const error = t.throws(() => readIsdocx(zipDeclaring('faktura.isdoc', big, 1_000)), { code: 'ISDOCX_INVALID' });
  t.regex(error!.message, new RegExp(`inflates to more than ${MAX_ISDOC_BYTES} bytes`));
});

const UBL_OPEN =
  '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">';

test('an XML document with more elements than any invoice is refused before it is parsed (issue 15)', (t) => {
  const xml = `${UBL_OPEN}<cbc:ID>1</cbc:ID>${'<a/>'.repeat(MAX_XML_ELEMENTS)}</Invoice>`;
  const error = t.throws(() => parseInvoiceXml(xml), { code: 'XML_TOO_LARGE' });
  t.regex(error!.message, /more than 200000 elements/);
  // Comments, declarations and end tags are not elements: the same count of them is fine.
  const comments = `${UBL_OPEN}<cbc:ID>1</cbc:ID>${'<!---->'.repeat(MAX_XML_ELEMENTS)}</Invoice>`;
  t.is(parseInvoiceXml(comments).invoice_number, '1');
});

test('an invoice with 150 000 notes is read (a spread into push() overflowed the stack)', (t) => {
  const xml = `${UBL_OPEN}<cbc:ID>N-1</cbc:ID>${'<cbc:Note>n</cbc:Note>'.repeat(150_000)}</Invoice>`;
  const invoice = parseInvoiceXml(xml);
  t.is(invoice.invoice_number, 'N-1');
  t.true(invoice.notes.filter((note) => note === 'n').length === 150_000);
});

test('a UBL invoice line has few enough elements that 6 000 lines stay under the element limit', (t) => {
  const invoice = slovakSampleInvoice();
  const count = (xml: string) => (xml.match(/<[^/!?]/g) ?? []).length;
  const oneLine = { ...invoice, lines: invoice.lines.slice(0, 1) };
  const perLine = count(buildUbl(invoice)) - count(buildUbl(oneLine));
  const each = perLine / (invoice.lines.length - 1);
  t.true(each * 6_000 < MAX_XML_ELEMENTS, `${each} elements per line`);
});

test('a UBL invoice carrying a 3 MB embedded PDF is read in full, the attachment left out with a note (issue 15)', (t) => {
  // fast-xml-parser holds a value being read at ~40 bytes a character: 20 MB of text took 800 MB.
  const sample = slovakSampleInvoice();
  const attachment = `<cac:AdditionalDocumentReference><cbc:ID>PDF</cbc:ID><cac:Attachment><cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="faktura.pdf">${'QUJD'.repeat(800_000)}</cbc:EmbeddedDocumentBinaryObject></cac:Attachment></cac:AdditionalDocumentReference>`;
  const xml = buildUbl(sample).replace(/<\/Invoice>\s*$/, `${attachment}</Invoice>`);
  const invoice = parseInvoiceXml(xml);
  t.is(invoice.invoice_number, sample.invoice_number);
  t.is(invoice.total_gross, sample.total_gross);
  t.deepEqual(invoice.lines.length, sample.lines.length);
  t.true(
    invoice.notes.some((note) =>
      /a text of 3200000 characters in <cbc:EmbeddedDocumentBinaryObject> was left out/.test(note),
    ),
    invoice.notes.join(' | '),
  );
  // At the limit nothing is left out.
  const atLimit = buildUbl(sample).replace(
    /<\/Invoice>\s*$/,
    `<cbc:Note>${'x'.repeat(MAX_TEXT_CHARS)}</cbc:Note></Invoice>`,
  );
  t.false(parseInvoiceXml(atLimit).notes.some((note) => note.includes('left out')));
});

test('a tag longer than any invoice writes (a 1 MB attribute) is refused before it is parsed (issue 15)', (t) => {
  const xml = `${UBL_OPEN}<cbc:ID schemeID="${'a'.repeat(1024 * 1024)}">1</cbc:ID></Invoice>`;
  t.throws(() => parseInvoiceXml(xml), { code: 'XML_TOO_LARGE', message: /a tag of \d+ characters/ });
});
