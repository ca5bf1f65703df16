import test from 'ava';
import type { InvoiceDetail, InvoiceSummary } from '../../src/db/invoiceQueries.ts';
import { createTestDatabase } from '../support/database.ts';
import { startDaemonProcess, TOKEN, type DaemonProcess } from '../support/daemonProcess.ts';
import { pdfBytes } from '../support/fixtures.ts';

interface Receipt {
  invoice_id: string;
  status: string;
  duplicate: boolean;
  duplicate_of: string | null;
  success?: boolean;
  message?: string;
}
interface ErrorAnswer {
  error: { code: string; message: string };
}

// A genuine one-page PDF: readable, but without invoice fields, so it ends in review.
const pdf = (marker: string) => pdfBytes(marker);

function form(bytes: Buffer, filename: string, fields: Record<string, string> = {}): FormData {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  body.append('file', new Blob([new Uint8Array(bytes)], { type: 'application/pdf' }), filename);
  return body;
}

function postJson(daemon: DaemonProcess, path: string, body: unknown, token?: string | null): Promise<Response> {
  return daemon.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    token,
  });
}

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as ErrorAnswer).error.code;
}

async function invoiceCount(daemon: DaemonProcess): Promise<number> {
  const response = await daemon.request('/api/invoices');
  return ((await response.json()) as { invoices: InvoiceSummary[] }).invoices.length;
}

async function waitForStatus(daemon: DaemonProcess, id: string, status: string): Promise<InvoiceDetail> {
  const deadline = Date.now() + 20_000;
  let last: InvoiceDetail | undefined;
  while (Date.now() < deadline) {
    last = (await (await daemon.request(`/api/invoices/${id}`)).json()) as InvoiceDetail;
    if (last.status === status) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`invoice ${id} did not reach ${status}; last seen: ${JSON.stringify(last)}`);
}

test('a multipart upload is stored, processed to needs_review, and its document comes back byte for byte', async (t) => {
  const daemon = await startDaemonProcess(t, { databaseUrl: await createTestDatabase(t) });
  await daemon.waitForStatus('/health/ready', 200);
  const bytes = pdf('multipart');

  const created = await daemon.request('/api/invoices', {
    method: 'POST',
    body: form(bytes, 'faktura-2026-001.pdf', {
      message_id: '<m1@supplier.sk>',
      from: 'billing@supplier.sk',
      subject: 'Faktúra 2026001',
      received_date: '2026-11-20T09:30:00+01:00',
    }),
  });
  t.is(created.status, 201);
  const receipt = (await created.json()) as Receipt;
  t.like(receipt, { status: 'received', duplicate: false, duplicate_of: null });

  const detail = await waitForStatus(daemon, receipt.invoice_id, 'needs_review');
  t.like(detail, {
    channel: 'http',
    filename: 'faktura-2026-001.pdf',
    sender: 'billing@supplier.sk',
    subject: 'Faktúra 2026001',
    message_id: '<m1@supplier.sk>',
  });
  t.is(detail.document.media_type, 'application/pdf');
  t.true(detail.events.length >= 2);
  t.deepEqual(
    detail.events.map((event) => event.seq),
    detail.events.map((_, index) => index + 1),
  );
  t.is(detail.events.at(-1)!.to_status, 'needs_review');

  const document = await daemon.request(`/api/invoices/${receipt.invoice_id}/document`);
  t.is(document.status, 200);
  t.is(document.headers.get('content-type'), 'application/pdf');
  t.regex(document.headers.get('content-disposition') ?? '', /^attachment; filename="faktura-2026-001\.pdf"/);
  t.deepEqual(Buffer.from(await document.arrayBuffer()), bytes);

  const listed = (await (await daemon.request('/api/invoices?status=needs_review&limit=10')).json()) as {
    invoices: InvoiceSummary[];
  };
  t.deepEqual(
    listed.invoices.map((invoice) => invoice.id),
    [receipt.invoice_id],
  );

  const bogus = await daemon.request('/api/invoices?status=bogus');
  t.is(bogus.status, 400);
  t.is(await errorCode(bogus), 'INVALID_STATUS');
  const unknown = await daemon.request('/api/invoices/00000000-0000-4000-8000-000000000000');
  t.is(unknown.status, 404);
  t.is(await errorCode(unknown), 'INVOICE_NOT_FOUND');
  const unknownDocument = await daemon.request('/api/invoices/not-an-id/document');
  t.is(unknownDocument.status, 404);
  t.is(await errorCode(unknownDocument), 'INVOICE_NOT_FOUND');
});

test('JSON uploads, the n8n route, duplicates and replays of the same message', async (t) => {
  const daemon = await startDaemonProcess(t, { databaseUrl: await createTestDatabase(t) });
  await daemon.waitForStatus('/health/ready', 200);
  const first = pdf('first');
  const second = pdf('second');

  const json = await postJson(daemon, '/api/invoices', {
    file_b64: first.toString('base64'),
    filename: 'first.pdf',
    message_id: 'msg-1',
    received_date: '2026-11-20',
  });
  t.is(json.status, 201);
  const original = (await json.json()) as Receipt;
  t.like(original, { status: 'received', duplicate: false, duplicate_of: null });

  // n8n sends X-API-Key, which daemon.request does.
  const legacy = await postJson(daemon, '/invoice', { file_b64: second.toString('base64'), filename: 'second.pdf' });
  t.is(legacy.status, 201);
  const legacyReceipt = (await legacy.json()) as Receipt;
  t.like(legacyReceipt, { success: true, duplicate: false, duplicate_of: null });
  t.regex(legacyReceipt.message!, /received/);
  t.not(legacyReceipt.invoice_id, original.invoice_id);

  const copy = await postJson(daemon, '/api/invoices', {
    file_b64: first.toString('base64'),
    filename: 'first-again.pdf',
    message_id: 'msg-2',
  });
  t.is(copy.status, 200);
  const copyReceipt = (await copy.json()) as Receipt;
  t.like(copyReceipt, { status: 'duplicate', duplicate: true, duplicate_of: original.invoice_id });
  t.not(copyReceipt.invoice_id, original.invoice_id);

  const before = await invoiceCount(daemon);
  t.is(before, 3);
  // A client that lost our first answer posts the same message again, here through the n8n route.
  const retry = await postJson(daemon, '/invoice', {
    file_b64: first.toString('base64'),
    filename: 'first.pdf',
    message_id: 'msg-1',
  });
  t.is(retry.status, 200);
  t.like((await retry.json()) as Receipt, {
    success: true,
    invoice_id: original.invoice_id,
    duplicate: true,
    duplicate_of: original.invoice_id,
  });
  t.is(await invoiceCount(daemon), before);
});

test('the intake refuses what it cannot take: no token, too large, bad base64, ambiguous dates', async (t) => {
  const daemon = await startDaemonProcess(t, {
    databaseUrl: await createTestDatabase(t),
    config: { intake: { http: { maxUploadMb: 0.01 } } },
  });
  await daemon.waitForStatus('/health/ready', 200);
  const small = { file_b64: pdf('small').toString('base64'), filename: 'small.pdf' };

  for (const path of ['/api/invoices', '/invoice']) {
    const missing = await postJson(daemon, path, small, null);
    t.is(missing.status, 401, path);
    t.is(await errorCode(missing), 'AUTH_MISSING', path);
    const wrong = await postJson(daemon, path, small, 'wrong');
    t.is(wrong.status, 401, path);
    t.is(await errorCode(wrong), 'AUTH_INVALID', path);
  }
  const bearer = await fetch(daemon.url('/api/invoices'), {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(small),
  });
  t.is(bearer.status, 201);

  const big = Buffer.alloc(20 * 1024, 'x');
  const bigJson = await postJson(daemon, '/api/invoices', { file_b64: big.toString('base64'), filename: 'big.pdf' });
  t.is(bigJson.status, 413);
  const bigJsonError = ((await bigJson.json()) as ErrorAnswer).error;
  t.is(bigJsonError.code, 'FILE_TOO_LARGE');
  t.regex(bigJsonError.message, /0\.01 MB/);
  const bigForm = await daemon.request('/api/invoices', { method: 'POST', body: form(big, 'big.pdf') });
  t.is(bigForm.status, 413);
  t.is(await errorCode(bigForm), 'FILE_TOO_LARGE');
  // Beyond even the JSON body limit, fastify refuses before our check; the answer is the same.
  const huge = Buffer.alloc(200 * 1024, 'x');
  const hugeJson = await postJson(daemon, '/invoice', { file_b64: huge.toString('base64'), filename: 'huge.pdf' });
  t.is(hugeJson.status, 413);
  t.is(await errorCode(hugeJson), 'FILE_TOO_LARGE');

  const refusals: Array<[string, unknown, string]> = [
    ['/api/invoices', { ...small, file_b64: 'not base64!' }, 'INVALID_BASE64'],
    ['/api/invoices', { ...small, file_b64: 'QR==' }, 'INVALID_BASE64'],
    ['/invoice', { filename: 'x.pdf' }, 'MISSING_FILE'],
    ['/api/invoices', { file_b64: small.file_b64 }, 'MISSING_FILENAME'],
    ['/api/invoices', { ...small, received_date: '20.11.2026' }, 'INVALID_DATE'],
    ['/api/invoices', { ...small, received_date: '2026-02-30' }, 'INVALID_DATE'],
  ];
  for (const [path, body, code] of refusals) {
    const refused = await postJson(daemon, path, body);
    t.is(refused.status, 400, code);
    t.is(await errorCode(refused), code);
  }
  const noFile = await daemon.request('/api/invoices', { method: 'POST', body: new FormData() });
  t.is(noFile.status, 400);
  const badDateForm = await daemon.request('/api/invoices', {
    method: 'POST',
    body: form(pdf('dated'), 'dated.pdf', { received_date: '20.11.2026' }),
  });
  t.is(badDateForm.status, 400);
  t.is(await errorCode(badDateForm), 'INVALID_DATE');

  // What the drop folder and the mailbox refuse at once is refused here too, and nothing is stored.
  const empty = await postJson(daemon, '/api/invoices', { file_b64: '', filename: 'empty.pdf' });
  t.is(empty.status, 400);
  t.is(await errorCode(empty), 'EMPTY_FILE');
  const program = await daemon.request('/api/invoices', { method: 'POST', body: form(pdf('exe'), 'setup.exe') });
  t.is(program.status, 415);
  t.is(await errorCode(program), 'UNSUPPORTED_FILE_TYPE');
  t.is(await invoiceCount(daemon), 1);
});
