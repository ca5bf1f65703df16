import test from 'ava';
import { hasAcceptedExtension, sniffMediaType } from '../../src/intake/mediaType.ts';
import { pdfBytes, xmlBytes } from '../support/fixtures.ts';

const sniff = (text: string | Buffer) => sniffMediaType(typeof text === 'string' ? Buffer.from(text) : text);

test('documents are recognized by their content, not their name', (t) => {
  t.is(sniff(pdfBytes('a')), 'application/pdf');
  t.is(sniff(xmlBytes('a')), 'application/xml');
  t.is(sniff('\uFEFF<?xml version="1.0"?><Invoice/>'), 'application/xml', 'with a byte order mark');
  t.is(
    sniff('<!-- Licensed under EUPL -->\n<Invoice xmlns="urn:x"><ID>1</ID></Invoice>'),
    'application/xml',
    'after a comment',
  );
  t.is(sniff('<?xml-stylesheet href="a.xsl"?><Invoice/>'), 'application/xml', 'after a processing instruction');
  t.is(sniff(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0])), 'application/zip');
  t.is(sniff('Return-Path: <a@b.sk>\nFrom: a@b.sk\nSubject: Faktúra\n\nbody'), 'message/rfc822');
});

test('an HTML page is not XML, even after a comment', (t) => {
  t.is(sniff('<!DOCTYPE html><html><body>502 Bad Gateway</body></html>'), 'text/html');
  t.is(sniff('<!-- error --><html lang="sk"><body>Chyba</body></html>'), 'text/html');
  t.is(sniff('<html>\n<head></head></html>'), 'text/html');
});

test('anything else is plain bytes', (t) => {
  t.is(sniff('hello'), 'application/octet-stream');
  t.is(sniff(''), 'application/octet-stream');
  t.is(
    sniff(Buffer.from([0xff, 0xd8, 0xff, 0xe0])),
    'application/octet-stream',
    'a JPEG scan is not a document we read',
  );
});

test('only invoice document endings are accepted by name', (t) => {
  for (const name of ['a.pdf', 'A.PDF', 'b.xml', 'c.isdoc', 'd.isdocx', 'e.eml'])
    t.true(hasAcceptedExtension(name), name);
  for (const name of ['a.docx', 'b.jpg', 'c.pdf.tmp', 'xml']) t.false(hasAcceptedExtension(name), name);
});

test('an XML invoice that mentions %PDF- near its top is XML; a PDF after a little junk is still a PDF', (t) => {
  // Found by the hostile corpus (issue 15): such an invoice was handed to the PDF reader and called damaged.
  t.is(
    sniff(
      '<?xml version="1.0"?>\n<!-- converted from %PDF-1.7 by the ERP -->\n<Invoice xmlns="urn:x"><ID>1</ID></Invoice>',
    ),
    'application/xml',
  );
  t.is(sniff('<Invoice xmlns="urn:x"><Note>see %PDF-1.4 copy</Note></Invoice>'), 'application/xml');
  t.is(sniff(Buffer.concat([Buffer.alloc(900, 0x20), pdfBytes('a')])), 'application/pdf', 'blank junk first');
  t.is(sniff(Buffer.concat([Buffer.from('garbage\r\n'), pdfBytes('a')])), 'application/pdf', 'a mailer line first');
  t.is(
    sniff(Buffer.concat([Buffer.alloc(1100, 0x20), pdfBytes('a')])),
    'application/octet-stream',
    'past the first kilobyte',
  );
});
