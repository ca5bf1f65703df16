import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { LoaderError } from '../../../src/errors.ts';
import { parseInvoiceXml } from '../../../src/extract/structured/index.ts';
import { buildUbl, invoiceDifferences, slovakSampleInvoice } from '../../support/einvoices.ts';

const UBL_NS = 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2';
const CBC_NS = 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2';

function failure(t: { throws: (fn: () => unknown) => unknown }, xml: string | Buffer): LoaderError {
  const error = t.throws(() => parseInvoiceXml(xml));
  if (!(error instanceof LoaderError)) throw new Error(`expected a LoaderError, got ${String(error)}`);
  return error;
}

test('an external entity is refused as XML_UNSAFE and the file it names is never read into the result', (t) => {
  const xml = `<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="${UBL_NS}" xmlns:cbc="${CBC_NS}"><cbc:ID>&e;</cbc:ID></Invoice>`;
  const error = failure(t, xml);
  t.is(error.code, 'XML_UNSAFE');
  const everything = JSON.stringify({ message: error.message, details: error.details, stack: error.stack });
  t.false(everything.includes('root:'));
  if (existsSync('/etc/passwd')) {
    const firstLine = readFileSync('/etc/passwd', 'utf8').split('\n')[0]!;
    t.false(everything.includes(firstLine));
  }
});

test('an internal entity bomb is refused as XML_UNSAFE before anything expands', (t) => {
  const xml = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Invoice xmlns="${UBL_NS}" xmlns:cbc="${CBC_NS}"><cbc:ID>&lol2;</cbc:ID></Invoice>`;
  t.is(failure(t, xml).code, 'XML_UNSAFE');
});

test('malformed XML is XML_MALFORMED with the line and column the parser stopped at', (t) => {
  const xml = `<?xml version="1.0"?>\n<Invoice xmlns="${UBL_NS}">\n  <ID>1</Id>\n</Invoice>`;
  const error = failure(t, xml);
  t.is(error.code, 'XML_MALFORMED');
  t.regex(error.message, /line 3, column \d+/);
  t.is(error.details?.line, 3);
  t.is(failure(t, 'this is not XML').code, 'XML_MALFORMED');
  t.is(failure(t, '').code, 'XML_MALFORMED');
  t.is(failure(t, `<Invoice xmlns="${UBL_NS}"/><Invoice xmlns="${UBL_NS}"/>`).code, 'XML_MALFORMED');
});

test('XML that is not an invoice is XML_NOT_INVOICE, naming its root element', (t) => {
  const order = failure(t, '<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"><ID>1</ID></Order>');
  t.is(order.code, 'XML_NOT_INVOICE');
  t.regex(order.message, /<Order> in namespace urn:oasis:names:specification:ubl:schema:xsd:Order-2/);
  const common = failure(t, '<CommonDocument xmlns="http://isdoc.cz/namespace/2013" version="6.0.2"/>');
  t.is(common.code, 'XML_NOT_INVOICE');
  t.regex(common.message, /CommonDocument/);
  t.regex(failure(t, '<note><to>Tove</to></note>').message, /a <note>/);
});

test('character references and the predefined entities are decoded; CDATA is taken as written', (t) => {
  const name = (replacement: string) =>
    parseInvoiceXml(
      buildUbl(slovakSampleInvoice()).replace('<cbc:Name>Hydroizolačná stierka 15kg</cbc:Name>', replacement),
    ).lines[0]!.description;
  t.is(
    name('<cbc:Name>Hydroizola&#x10D;n&#225; stierka &lt;15kg&gt; &amp;lt;</cbc:Name>'),
    'Hydroizolačná stierka <15kg> &lt;',
  );
  t.is(name('<cbc:Name><![CDATA[Stierka 15kg & <viac> &amp;]]></cbc:Name>'), 'Stierka 15kg & <viac> &amp;');
  t.is(parseInvoiceXml(buildUbl(slovakSampleInvoice())).supplier.name, 'L&Š s.r.o.');
});

test('namespace prefixes do not matter: cbc:ID, b:ID and a default-namespace ID read alike', (t) => {
  const sample = slovakSampleInvoice();
  const prefixed = buildUbl(sample)
    .replaceAll('cbc:', 'b:')
    .replace(/<Invoice xmlns="/, '<inv:Invoice xmlns:inv="')
    .replace('</Invoice>', '</inv:Invoice>');
  t.true(prefixed.includes('<b:ID>FV2026001234</b:ID>'));
  t.deepEqual(invoiceDifferences(parseInvoiceXml(prefixed), sample), []);
});

test('a document in windows-1250, as older Czech and Slovak systems write, is decoded by its declaration', (t) => {
  const xml = `<?xml version="1.0" encoding="windows-1250"?>
<Invoice xmlns="${UBL_NS}" xmlns:cbc="${CBC_NS}" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2">
<cbc:ID>1</cbc:ID>
<cac:AccountingSupplierParty><cac:Party><cac:PartyName><cbc:Name>Šťastný a syn, Račianska</cbc:Name></cac:PartyName></cac:Party></cac:AccountingSupplierParty>
</Invoice>`;
  const windows1250: Record<string, number> = { Š: 0x8a, ť: 0x9d, ý: 0xfd, č: 0xe8 };
  const bytes = Buffer.from([...xml].map((character) => windows1250[character] ?? character.charCodeAt(0)));
  t.is(parseInvoiceXml(bytes).supplier.name, 'Šťastný a syn, Račianska');
});

test('a UTF-8 byte-order mark is no obstacle', (t) => {
  const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(buildUbl(slovakSampleInvoice()))]);
  t.is(parseInvoiceXml(bytes).invoice_number, 'FV2026001234');
});
