import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import test from 'ava';
import pg from 'pg';
import { createTestDatabase } from '../support/database.ts';
import { startDaemonProcess } from '../support/daemonProcess.ts';
import { imapIntake, startDovecot } from '../support/dovecot.ts';
import { pdfBytes } from '../support/fixtures.ts';
import { newMessageId } from '../support/mail.ts';

/**
 * Hostile document names through every channel of the real daemon: what is stored is a plain
 * file name, and nothing is written outside the daemon's own folders. (The big hostile corpus
 * is elsewhere; this is the name alone.)
 */
const marker = `il-traversal-${randomUUID()}`;
const outside = join(tmpdir(), marker);

// Each sent name, and the name the invoice must carry.
const NAMES: Array<[string, string]> = [
  [`../../../../../../../..${outside}/pwned.pdf`, 'pwned.pdf'],
  ['../../etc/passwd.pdf', 'passwd.pdf'],
  ['..\\..\\windows\\win.ini.pdf', 'win.ini.pdf'],
  ['C:\\x.pdf', 'x.pdf'],
  ['C:x.pdf', 'C_x.pdf'],
  ['in\u0000voice.pdf', 'invoice.pdf'],
  ['faktura\u202Efdp.exe.pdf', 'fakturafdp.exe.pdf'],
  ['\uFF0E\uFF0E\uFF0F\uFF0E\uFF0E\uFF0Fetc\uFF0Fshadow.pdf', 'shadow.pdf'],
  ['.hidden.pdf', 'hidden.pdf'],
  ['CON.pdf', '_CON.pdf'],
  [`${'d'.repeat(5_000)}.pdf`, `${'d'.repeat(196)}.pdf`],
];

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) found.push(relative(dir, join(entry.parentPath, entry.name)));
  }
  return found;
}

/** A mail whose attachments carry exactly these names (RFC 2231, so that any byte can be said). */
function mailWithAttachments(names: string[], tag: string): Buffer {
  const boundary = `b-${randomUUID()}`;
  const parts = names.map((name, index) => {
    const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
    return [
      `--${boundary}`,
      'Content-Type: application/pdf',
      'Content-Transfer-Encoding: base64',
      `Content-Disposition: attachment; filename*=UTF-8''${encoded}`,
      '',
      pdfBytes(`${tag}-${index}`).toString('base64'),
    ].join('\r\n');
  });
  return Buffer.from(
    [
      'From: Dodavatel <faktury@supplier.test>',
      'To: invoices@customer.test',
      'Subject: Faktury s nebezpecnymi menami',
      `Message-ID: ${newMessageId()}`,
      `Date: ${new Date().toUTCString()}`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'V prilohe faktury.',
      ...parts,
      `--${boundary}--`,
      '',
    ].join('\r\n'),
    'utf8',
  );
}

test('hostile names via HTTP (JSON and multipart), IMAP and the drop folder are stored as plain names, and nothing lands outside', async (t) => {
  const [dovecot, databaseUrl] = await Promise.all([startDovecot(t), createTestDatabase(t)]);
  const passwdBefore = statSync('/etc/passwd').mtimeMs;
  const daemon = await startDaemonProcess(t, {
    databaseUrl,
    env: { IMAP_TEST_PASSWORD: dovecot.password },
    config: {
      intake: {
        dropFolder: { pollMs: 200, stableMs: 200 },
        imap: {
          ...imapIntake(dovecot, 'IMAP_TEST_PASSWORD'),
        },
      },
    },
  });
  await daemon.waitForStatus('/health/ready', 200);
  const pool = new pg.Pool({ connectionString: databaseUrl });
  t.teardown(() => pool.end());
  const stored = async (channel: string) =>
    (
      await pool.query<{ id: string; filename: string }>('SELECT id, filename FROM invoices WHERE channel = $1', [
        channel,
      ])
    ).rows;

  // HTTP, JSON: each name with its own document.
  for (const [index, [sent, expected]] of NAMES.entries()) {
    const response = await daemon.request('/api/invoices', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ file_b64: pdfBytes(`json-${index}`).toString('base64'), filename: sent }),
    });
    t.is(response.status, 201, JSON.stringify(sent));
    const { invoice_id: id } = (await response.json()) as { invoice_id: string };
    const row = (await pool.query<{ filename: string }>('SELECT filename FROM invoices WHERE id = $1', [id])).rows[0];
    t.is(row?.filename, expected, `JSON upload named ${JSON.stringify(sent.slice(0, 60))}`);
  }

  // HTTP, multipart: the name in the form's Content-Disposition.
  const form = new FormData();
  form.append('file', new Blob([pdfBytes('multipart')], { type: 'application/pdf' }), '../../../../etc/cron.d/x.pdf');
  const multipart = await daemon.request('/invoice', { method: 'POST', body: form });
  t.is(multipart.status, 201);
  const { invoice_id: multipartId } = (await multipart.json()) as { invoice_id: string };

  // IMAP: one mail with every name.
  await dovecot.append(
    mailWithAttachments(
      NAMES.map(([sent]) => sent),
      'imap',
    ),
  );
  await daemon.waitForLog((e) => e.actor === 'mailbox' && / document\(s\) stored$/.test(e.msg), 60_000);

  // The drop folder: a name that is legal on Linux and a path on Windows (a leading dot would
  // be taken for a file still being written, and left alone).
  mkdirSync(join(daemon.dir, 'inbox'), { recursive: true });
  writeFileSync(join(daemon.dir, 'inbox', 'a\\..\\..\\drop-win.pdf'), pdfBytes('drop'));
  await daemon.waitForLog((e) => e.channel === 'drop_folder' && e.msg === 'document received', 30_000);

  const http = await stored('http');
  t.is(http.find((row) => row.id === multipartId)?.filename, 'x.pdf');
  const email = (await stored('email')).map((row) => row.filename).sort();
  t.deepEqual(email, NAMES.map(([, expected]) => expected).sort(), 'each attachment under its plain name');
  t.deepEqual(
    (await stored('drop_folder')).map((row) => row.filename),
    ['drop-win.pdf'],
  );

  for (const { filename } of await pool
    .query<{ filename: string }>('SELECT filename FROM invoices')
    .then((r) => r.rows)) {
    t.notRegex(filename, /[\\/\p{Cc}\p{Cf}:]/u, filename);
    t.false(filename.startsWith('.'), filename);
    t.true(Buffer.byteLength(filename) <= 200, filename);
  }

  // The download's Content-Disposition: one header line, the name quoted safely.
  const [first] = http;
  const download = await daemon.request(`/api/invoices/${first!.id}/document`);
  t.is(download.status, 200);
  t.regex(
    download.headers.get('content-disposition') ?? '',
    /^attachment; filename="[\x20-\x21\x23-\x5b\x5d-\x7e]*"; filename\*=UTF-8''[\w.%!~-]*$/,
  );

  // Nothing outside: no folder the traversal named, /etc/passwd untouched, and no file named
  // after a sent name anywhere under the daemon's folder except the drop folder's own move.
  t.false(existsSync(outside), `${outside} was created`);
  t.is(statSync('/etc/passwd').mtimeMs, passwdBefore);
  const files = filesUnder(daemon.dir);
  t.deepEqual(
    files.filter((path) => /pwned|passwd|shadow|win\.ini|cron/.test(path)),
    [],
  );
  t.true(
    files.some((path) => /^inbox\/processed\/\d{4}-\d{2}-\d{2}\/a\\\.\.\\\.\.\\drop-win\.pdf$/.test(path)),
    `the drop folder's file moved within processed/: ${files.filter((p) => p.startsWith('inbox')).join(', ')}`,
  );
});
