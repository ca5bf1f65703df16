import { request } from 'node:http';
import test from 'ava';
import { adminToken } from '../support/adminToken.ts';
import { createTestDatabase } from '../support/database.ts';
import { startDaemonProcess, TOKEN, type DaemonProcess } from '../support/daemonProcess.ts';
import { pdfBytes } from '../support/fixtures.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { error?: { code: string; message: string } } & Record<string, unknown>;
}

let uploads = 0;

/**
 * One upload from a chosen loopback address (Linux answers on all of 127/8), so that one
 * caller can be seen from several addresses and several callers from one.
 */
function upload(daemon: DaemonProcess, token: string, from: string, path = '/api/invoices'): Promise<Answer> {
  uploads += 1;
  const body = JSON.stringify({
    file_b64: pdfBytes(`rate-${uploads}`).toString('base64'),
    filename: `r${uploads}.pdf`,
  });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: daemon.port,
        path,
        method: 'POST',
        localAddress: from,
        headers: { 'content-type': 'application/json', 'x-api-key': token, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Answer['body'],
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

test('uploads are limited per caller and per client address, with 429 UPLOAD_RATE_LIMITED and Retry-After', async (t) => {
  const databaseUrl = await createTestDatabase(t);
  const daemon = await startDaemonProcess(t, {
    databaseUrl,
    config: { http: { uploadRateLimit: { max: 3, windowMs: 60_000 } } },
  });
  await daemon.waitForStatus('/health/ready', 200);
  const [second, third] = [await adminToken(databaseUrl, 'anna'), await adminToken(databaseUrl, 'boris')];

  // http.token from 127.0.0.1: three uploads, across both upload routes, then refused.
  t.is((await upload(daemon, TOKEN, '127.0.0.1')).status, 201);
  t.is((await upload(daemon, TOKEN, '127.0.0.1', '/invoice')).status, 201);
  t.is((await upload(daemon, TOKEN, '127.0.0.1')).status, 201);
  const refused = await upload(daemon, TOKEN, '127.0.0.1');
  t.is(refused.status, 429);
  t.is(refused.body.error?.code, 'UPLOAD_RATE_LIMITED');
  t.regex(refused.body.error?.message ?? '', /at most 3 per 60 s \(http\.uploadRateLimit\)/);
  const retryAfter = Number(refused.headers['retry-after']);
  t.true(retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${String(refused.headers['retry-after'])}`);
  t.is((await upload(daemon, TOKEN, '127.0.0.1', '/invoice')).status, 429, 'the older route counts the same');

  // The same caller from a fresh address is still refused (its own counter) …
  t.is((await upload(daemon, TOKEN, '127.0.0.3')).status, 429);
  // … another caller from the used address too (the address's counter) …
  t.is((await upload(daemon, second, '127.0.0.1')).status, 429);
  // … and another caller from another address is served.
  t.is((await upload(daemon, third, '127.0.0.2')).status, 201);

  // Reads are not uploads.
  t.is((await daemon.request('/api/invoices')).status, 200);
  // A caller without a valid token is refused by sign-in (401) before it is counted.
  t.is((await upload(daemon, 'not-a-token', '127.0.0.4')).status, 401);

  const logged = await daemon.waitForLog((e) => e.code === 'UPLOAD_RATE_LIMITED');
  t.is(logged.level, 40);
  t.is(logged.caller, 'http.token');
  t.false(JSON.stringify(daemon.logs).includes(TOKEN), 'the token itself is never logged');
});
