import test from 'ava';
import { LoaderError } from '../../src/errors.ts';
import { findEmbeddedInvoiceXml } from '../../src/extract/pdf/embeddedXml.ts';
import { pdfProblem } from '../../src/extract/pdf/pdfProblems.ts';
import {
  CII_INVOICE_XML,
  encryptedPdf,
  facturXPdf,
  HTML_ERROR_PAGE,
  ISDOC_INVOICE_XML,
  isdocPdf,
  pdfFile,
  plainPdf,
  truncated,
  UBL_INVOICE_XML,
} from '../support/pdfFiles.ts';

// Every test must finish on its own well inside this: a hang is a failure, not a slow pass.
const BOUND_MS = 15_000;

test('a Factur-X PDF yields its factur-x.xml byte for byte', async (t) => {
  t.timeout(BOUND_MS);
  const pdf = await facturXPdf();
  const found = await findEmbeddedInvoiceXml(pdf);
  t.is(found?.filename, 'factur-x.xml');
  t.is(found?.kind, 'facturx');
  t.true(found?.xml.equals(Buffer.from(CII_INVOICE_XML)), 'the exact embedded bytes, UTF-8 diacritics included');
  t.is(await pdfProblem(pdf), null);
});

test('an ISDOC.PDF yields its .isdoc attachment', async (t) => {
  t.timeout(BOUND_MS);
  const found = await findEmbeddedInvoiceXml(await isdocPdf());
  t.is(found?.filename, 'invoice.isdoc');
  t.is(found?.kind, 'isdoc');
  t.true(found?.xml.equals(Buffer.from(ISDOC_INVOICE_XML)));
});

test('a plain PDF has no embedded invoice and no problem', async (t) => {
  t.timeout(BOUND_MS);
  const pdf = await plainPdf();
  t.is(await findEmbeddedInvoiceXml(pdf), null);
  t.is(await pdfProblem(pdf), null);
});

test('the standard file name wins over other attachments, whatever their order', async (t) => {
  t.timeout(BOUND_MS);
  const pdf = await pdfFile({
    attachments: [
      { name: 'delivery-note.xml', content: Buffer.from(UBL_INVOICE_XML) },
      { name: 'ZUGFeRD-invoice.xml', content: Buffer.from('<old/>') },
      { name: 'factur-x.xml', content: Buffer.from(CII_INVOICE_XML) },
    ],
  });
  const found = await findEmbeddedInvoiceXml(pdf);
  t.is(found?.filename, 'factur-x.xml');
  t.is(found?.kind, 'facturx');
});

test('an invoice attached through a file attachment annotation is found too', async (t) => {
  t.timeout(BOUND_MS);
  const pdf = await pdfFile({
    attachments: [{ name: 'factur-x.xml', content: Buffer.from(CII_INVOICE_XML), asAnnotation: true }],
  });
  const found = await findEmbeddedInvoiceXml(pdf);
  t.is(found?.kind, 'facturx');
  t.true(found?.xml.equals(Buffer.from(CII_INVOICE_XML)));
});

test('an oddly named XML counts only when its root element is an invoice', async (t) => {
  t.timeout(BOUND_MS);
  const invoice = await pdfFile({
    attachments: [
      { name: 'notes.xml', content: Buffer.from('<?xml version="1.0"?><Notes>call first</Notes>') },
      { name: 'export.xml', content: Buffer.from(UBL_INVOICE_XML) },
    ],
  });
  const found = await findEmbeddedInvoiceXml(invoice);
  t.is(found?.filename, 'export.xml');
  t.is(found?.kind, 'other-xml');

  const notInvoice = await pdfFile({ attachments: [{ name: 'notes.xml', content: Buffer.from('<Notes/>') }] });
  t.is(await findEmbeddedInvoiceXml(notInvoice), null);
});

test('a broken XML inside a sound PDF is returned as it is, for the XML parser to reject', async (t) => {
  t.timeout(BOUND_MS);
  const broken = '<rsm:CrossIndustryInvoice><unclosed>';
  const found = await findEmbeddedInvoiceXml(await facturXPdf(broken));
  t.is(found?.xml.toString('utf8'), broken);
});

test('the caller’s buffer is left as it was (pdf.js gets a copy)', async (t) => {
  t.timeout(BOUND_MS);
  const pdf = await facturXPdf();
  const before = Buffer.from(pdf);
  await findEmbeddedInvoiceXml(pdf);
  await pdfProblem(pdf);
  t.true(pdf.equals(before));
});

const brokenFiles: { title: string; bytes: () => Promise<Buffer>; problem: RegExp; code: string }[] = [
  {
    title: 'a zero-byte file',
    bytes: async () => Buffer.alloc(0),
    problem: /^the file is empty$/,
    code: 'PDF_UNREADABLE',
  },
  {
    title: 'the first half of a good PDF',
    bytes: async () => truncated(await facturXPdf()),
    problem: /^the PDF is truncated or damaged: .+/,
    code: 'PDF_UNREADABLE',
  },
  {
    title: 'a password-protected PDF',
    bytes: encryptedPdf,
    problem: /^the PDF is password-protected; ask the supplier for an unprotected copy$/,
    code: 'PDF_ENCRYPTED',
  },
  {
    title: 'an HTML error page saved as .pdf',
    bytes: async () => HTML_ERROR_PAGE,
    problem: /^not a PDF \(it starts with "<!DOCTYPE html>\."\)$/,
    code: 'PDF_UNREADABLE',
  },
];

for (const { title, bytes, problem, code } of brokenFiles) {
  test(`${title}: pdfProblem says why, findEmbeddedInvoiceXml throws ${code}`, async (t) => {
    t.timeout(BOUND_MS);
    const pdf = await bytes();
    t.regex((await pdfProblem(pdf)) ?? 'no problem found', problem);
    const error = await t.throwsAsync(findEmbeddedInvoiceXml(pdf), { instanceOf: LoaderError });
    t.is(error?.code, code);
    t.regex(error?.message ?? '', problem);
  });
}

test('the time limit turns a slow read into PDF_UNREADABLE instead of waiting', async (t) => {
  t.timeout(BOUND_MS);
  const pdf = await facturXPdf();
  const error = await t.throwsAsync(findEmbeddedInvoiceXml(pdf, { timeoutMs: 0 }), { instanceOf: LoaderError });
  t.is(error?.code, 'PDF_UNREADABLE');
  t.regex(error?.message ?? '', /took longer than 0 ms/);
  t.regex((await pdfProblem(pdf, { timeoutMs: 0 })) ?? '', /took longer than 0 ms/);
});

test('many damaged files at once: every call settles, none throws past its promise', async (t) => {
  t.timeout(BOUND_MS);
  const good = await facturXPdf();
  const inputs = [
    Buffer.alloc(0),
    HTML_ERROR_PAGE,
    await encryptedPdf(),
    ...[0.1, 0.25, 0.5, 0.75, 0.9, 0.99].map((share) => good.subarray(0, Math.floor(good.length * share))),
    // Damage in the middle, keeping the header and the end of file intact.
    Buffer.concat([good.subarray(0, 600), Buffer.alloc(400, 0x20), good.subarray(1000)]),
  ];
  const settled = await Promise.allSettled(inputs.flatMap((pdf) => [pdfProblem(pdf), findEmbeddedInvoiceXml(pdf)]));
  for (const [i, outcome] of settled.entries()) {
    if (outcome.status === 'rejected') t.true(outcome.reason instanceof LoaderError, `call ${i}: ${outcome.reason}`);
    else if (i % 2 === 0) t.true(outcome.value === null || typeof outcome.value === 'string');
  }
});

test('a PDF with more pages than an invoice is refused before its text is read (issue 15)', async (t) => {
  // 5 000 pages took pdf2json 10 s and over 500 MB; the page tree's count is known at once.
  const pages = 600;
  const kids = Array.from({ length: pages }, (_, i) => `${i + 3} 0 R`).join(' ');
  const bodies = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`,
    ...Array.from({ length: pages }, () => '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>'),
  ];
  let pdf = '%PDF-1.7\n';
  const offsets = bodies.map((body, i) => {
    const at = pdf.length;
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return at;
  });
  const xref = offsets.map((at) => `${String(at).padStart(10, '0')} 00000 n \n`).join('');
  pdf += `xref\n0 ${bodies.length + 1}\n0000000000 65535 f \n${xref}trailer\n<< /Size ${bodies.length + 1} /Root 1 0 R >>\nstartxref\n${pdf.length}\n%%EOF\n`;
  t.regex((await pdfProblem(Buffer.from(pdf, 'latin1'))) ?? '', /has 600 pages, more than the 500/);
});
