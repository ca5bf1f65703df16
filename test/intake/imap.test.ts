import test, { type ExecutionContext } from 'ava';
import pg from 'pg';
import { sha256 } from '../../src/db/invoiceStore.ts';
import { freePort } from '../../src/runtime/freePort.ts';
import { startDovecot } from '../support/dovecot.ts';
import { buildUbl, slovakSampleInvoice } from '../support/einvoices.ts';
import { pdfBytes, xmlBytes } from '../support/fixtures.ts';
import { buildMail, newMessageId } from '../support/mail.ts';
import { startMailbox } from '../support/mailboxHarness.ts';
import { migratedDatabase } from '../support/migratedDatabase.ts';
import { tcpProxy } from '../support/tcpProxy.ts';

/**
 * The mailbox against a real Dovecot (installed from the Debian package when missing) and a
 * real PostgreSQL: what is stored, where each mail ends up, and that a mail is acknowledged
 * only after its documents are committed, through outages of either server.
 */

async function setUp(t: ExecutionContext, settings: Record<string, unknown> = {}) {
  const [dovecot, { pool }] = await Promise.all([startDovecot(t), migratedDatabase(t)]);
  const mailbox = await startMailbox(t, { dovecot, pool, settings });
  return { dovecot, pool, mailbox };
}

const invoices = async (pool: pg.Pool) =>
  (
    await pool.query<{
      id: string;
      filename: string;
      status: string;
      sender: string;
      mail_to: string;
      subject: string;
      message_id: string;
      sent_at: Date;
      intake_ref: string;
      media_type: string;
      sha256: string;
    }>(
      `SELECT i.id, i.filename, i.status, i.sender, i.mail_to, i.subject, i.message_id, i.sent_at, i.intake_ref,
         d.media_type, d.sha256
       FROM invoices i JOIN documents d ON d.id = i.document_id ORDER BY i.received_at, i.filename`,
    )
  ).rows;

const processedMail = async (pool: pg.Pool) =>
  (
    await pool.query<{ uid: string; message_id: string; outcome: string; rule: string; acknowledged: boolean }>(
      `SELECT uid, message_id, outcome, rule, acknowledged_at IS NOT NULL AS acknowledged FROM processed_mail ORDER BY uid`,
    )
  ).rows;

const stored = (uid: number) => (line: { msg: string; uid?: unknown }) =>
  line.uid === uid && / document\(s\) stored$/.test(line.msg);

test('a mail with one PDF: stored with the mail metadata, then moved to Processed', async (t) => {
  const { dovecot, pool, mailbox } = await setUp(t);
  const messageId = newMessageId();
  const date = new Date('2026-11-20T09:30:00Z');
  const pdf = pdfBytes('imap-one');
  const uid = await dovecot.append(
    await buildMail({
      from: 'Fakturácia Dodávateľ <Faktury@Supplier.test>',
      to: 'Invoices <invoices@customer.test>',
      cc: 'accounting@customer.test',
      subject: 'Faktúra 2026-001',
      messageId,
      date,
      attachments: [{ filename: 'faktúra 2026-001.pdf', content: pdf }],
    }),
  );
  await mailbox.logs.waitFor(stored(uid));
  const [invoice, ...others] = await invoices(pool);
  t.is(others.length, 0);
  t.is(invoice!.filename, 'faktúra 2026-001.pdf');
  t.is(invoice!.status, 'received');
  t.is(invoice!.media_type, 'application/pdf');
  t.is(invoice!.sha256, sha256(pdf), 'the bytes are the attachment, decoded');
  t.is(invoice!.sender, 'Fakturácia Dodávateľ <faktury@supplier.test>');
  t.is(invoice!.mail_to, 'Invoices <invoices@customer.test>, accounting@customer.test');
  t.is(invoice!.subject, 'Faktúra 2026-001');
  t.is(invoice!.message_id, messageId);
  t.is(invoice!.sent_at.toISOString(), date.toISOString());
  t.is(invoice!.intake_ref, `email:${messageId}#0`);

  await mailbox.reach('connected.listening');
  t.deepEqual(await dovecot.list('INBOX'), []);
  const processed = await dovecot.list('Processed');
  t.deepEqual(
    processed.map((m) => m.messageId),
    [messageId],
  );
  t.deepEqual(
    (await processedMail(pool)).map(({ uid: u, outcome, acknowledged }) => ({ uid: Number(u), outcome, acknowledged })),
    [{ uid, outcome: 'received', acknowledged: true }],
  );
});

test('a mail with a UBL XML is stored as XML', async (t) => {
  const { dovecot, pool, mailbox } = await setUp(t);
  const xml = Buffer.from(buildUbl(slovakSampleInvoice()));
  const uid = await dovecot.append(
    await buildMail({ attachments: [{ filename: 'invoice.xml', content: xml, contentType: 'application/xml' }] }),
  );
  await mailbox.logs.waitFor(stored(uid));
  const [invoice] = await invoices(pool);
  t.is(invoice!.filename, 'invoice.xml');
  t.is(invoice!.media_type, 'application/xml');
  t.is(invoice!.sha256, sha256(xml));
});

test('a mail with several attachments: every document is committed before the mail is moved; a logo and a letter are left out', async (t) => {
  const { dovecot, pool, mailbox } = await setUp(t, {
    rules: [{ name: 'no reminders', attachmentExclude: 'reminder*' }],
  });
  const messageId = newMessageId();
  const uid = await dovecot.append(
    await buildMail({
      messageId,
      attachments: [
        { filename: 'invoice-1.pdf', content: pdfBytes('multi-1') },
        { filename: 'logo.png', content: Buffer.from('89504e470d0a1a0a', 'hex'), contentType: 'image/png' },
        { filename: 'invoice-2.xml', content: xmlBytes('multi-2') },
        { filename: 'reminder.pdf', content: pdfBytes('multi-reminder') },
        { filename: 'letter.docx', content: Buffer.from('PK not really'), contentType: 'application/octet-stream' },
        // No name, but declared as a PDF: still a document.
        { filename: '', content: pdfBytes('multi-3'), contentType: 'application/pdf' },
      ],
    }),
  );
  await mailbox.logs.waitFor(stored(uid));
  const rows = await invoices(pool);
  t.deepEqual(rows.map((r) => r.filename).sort(), ['attachment-6.pdf', 'invoice-1.pdf', 'invoice-2.xml']);
  t.deepEqual(rows.map((r) => r.intake_ref).sort(), [
    `email:${messageId}#0`,
    `email:${messageId}#2`,
    `email:${messageId}#5`,
  ]);
  // Ordering: the last commit happened before the post-action started.
  const commits = mailbox.committed.map((c) => c.arrival.filename);
  t.is(commits.length, 3);
  const [record] = await processedMail(pool);
  t.is(record!.rule, 'no reminders');
  await mailbox.reach('connected.listening');
  t.is((await dovecot.list('Processed')).length, 1);
});

test('a mail with no attachment goes to Unrecognized and the operator is told', async (t) => {
  const { dovecot, pool, mailbox } = await setUp(t);
  const uid = await dovecot.append(await buildMail({ subject: 'Just a question' }));
  const notice = await mailbox.logs.waitFor((line) => line.code === 'MAIL_UNRECOGNIZED' && line.uid === uid);
  t.is(notice.level, 40);
  t.regex(
    notice.msg,
    /"Just a question" from .* has no usable invoice document: it has no attachment; moved to Unrecognized/,
  );
  await mailbox.reach('connected.listening');
  t.is((await invoices(pool)).length, 0);
  t.deepEqual(await dovecot.list('INBOX'), []);
  t.is((await dovecot.list('Unrecognized')).length, 1);
  t.is((await processedMail(pool))[0]!.outcome, 'unrecognized');
});

test('a sender outside allowedSenders goes to Rejected and the operator is told; an allowed one is read', async (t) => {
  const { dovecot, pool, mailbox } = await setUp(t, { allowedSenders: ['*@supplier.test', 'boss@customer.test'] });
  const spamUid = await dovecot.append(
    await buildMail({
      from: 'Phisher <billing@evil.test>',
      attachments: [{ filename: 'pay.pdf', content: pdfBytes('evil') }],
    }),
  );
  const goodUid = await dovecot.append(
    await buildMail({ attachments: [{ filename: 'ok.pdf', content: pdfBytes('allowed') }] }),
  );
  const notice = await mailbox.logs.waitFor((line) => line.code === 'MAIL_SENDER_REJECTED');
  t.is(notice.uid, spamUid);
  t.regex(notice.msg, /billing@evil\.test.*not in intake\.imap\.allowedSenders; moved to Rejected/);
  await mailbox.logs.waitFor(stored(goodUid));
  await mailbox.reach('connected.listening');
  t.deepEqual(
    (await invoices(pool)).map((r) => r.filename),
    ['ok.pdf'],
  );
  t.is((await dovecot.list('Rejected')).length, 1);
  t.is((await dovecot.list('Processed')).length, 1);
});

test('the same mail delivered twice is stored once; a mail whose post-action failed is not read again', async (t) => {
  const { dovecot, pool, mailbox } = await setUp(t, { postAction: 'seen' });
  const raw = await buildMail({ attachments: [{ filename: 'twice.pdf', content: pdfBytes('twice') }] });
  const first = await dovecot.append(raw);
  await mailbox.logs.waitFor(stored(first));
  const second = await dovecot.append(raw);
  await mailbox.logs.waitFor((line) => line.code === 'MAIL_DUPLICATE' && line.uid === second);
  await mailbox.reach('connected.listening');
  t.is((await invoices(pool)).length, 1);
  t.deepEqual(
    (await processedMail(pool)).map((r) => r.outcome),
    ['received', 'duplicate'],
  );
  const inbox = await dovecot.list('INBOX');
  t.true(
    inbox.every((m) => m.flags.includes('\\Seen')),
    'both marked seen',
  );

  // As if the post-action had failed: the mark is gone and the record says not acknowledged.
  await pool.query('UPDATE processed_mail SET acknowledged_at = NULL WHERE uid = $1', [first]);
  const client = await dovecot.client();
  await client.mailboxOpen('INBOX');
  await client.messageFlagsRemove(String(first), ['\\Seen'], { uid: true });
  // A new mail wakes the mailbox (IDLE); its pass also finds the unmarked one.
  const third = await dovecot.append(
    await buildMail({ attachments: [{ filename: 'third.pdf', content: pdfBytes('third') }] }),
  );
  await mailbox.logs.waitFor(stored(third));
  await mailbox.reach('connected.listening');
  t.deepEqual(
    (await invoices(pool)).map((r) => r.filename),
    ['twice.pdf', 'third.pdf'],
    'nothing was stored again',
  );
  t.true(
    (await dovecot.list('INBOX')).every((m) => m.flags.includes('\\Seen')),
    'the post-action was run again',
  );
  t.true((await processedMail(pool)).every((r) => r.acknowledged));
});

test('a mail appended while IDLE is picked up without waiting for the poll', async (t) => {
  const { dovecot, mailbox } = await setUp(t, { pollMs: 600_000 });
  await mailbox.reach('connected.listening');
  await mailbox.logs.waitFor((line) => line.msg === 'mailbox connected (IMAP IDLE)');
  const started = performance.now();
  const uid = await dovecot.append(
    await buildMail({ attachments: [{ filename: 'idle.pdf', content: pdfBytes('idle') }] }),
  );
  await mailbox.logs.waitFor(stored(uid), 20_000);
  const elapsed = performance.now() - started;
  t.true(elapsed < 20_000, `picked up after ${Math.round(elapsed)} ms, long before the 600 s poll`);
  await mailbox.reach('connected.listening');
  t.is(mailbox.actor.getSnapshot().context.passes, 2, 'one pass at connect, one for the IDLE news');
});

test('without IDLE, the poll finds new mail', async (t) => {
  const [dovecot, { pool }] = await Promise.all([startDovecot(t, { noIdle: true }), migratedDatabase(t)]);
  const mailbox = await startMailbox(t, { dovecot, pool, settings: { pollMs: 300 } });
  await mailbox.logs.waitFor((line) => line.msg === 'mailbox connected (polling)');
  const uid = await dovecot.append(
    await buildMail({ attachments: [{ filename: 'poll.pdf', content: pdfBytes('poll') }] }),
  );
  await mailbox.logs.waitFor(stored(uid));
  t.is((await invoices(pool)).length, 1);
});

test('the IMAP server stopped and restarted mid-run: nothing lost, nothing twice', async (t) => {
  const [dovecot, { pool }] = await Promise.all([startDovecot(t), migratedDatabase(t)]);
  const ids: string[] = [];
  const append = async (tag: string) => {
    const messageId = newMessageId();
    ids.push(messageId);
    await dovecot.append(
      await buildMail({ messageId, attachments: [{ filename: `${tag}.pdf`, content: pdfBytes(tag, 20_000) }] }),
    );
  };
  for (let i = 0; i < 12; i++) await append(`before-${i}`);
  // Stopped at the worst moment: the third mail's invoice is committed, the mail not yet moved.
  const mailbox = await startMailbox(t, {
    dovecot,
    pool,
    onCommitted: (n) => (n === 3 ? dovecot.stop() : undefined),
  });
  const lost = await mailbox.logs.waitFor((line) => line.code === 'IMAP_UNAVAILABLE');
  t.is(lost.level, 50);
  await mailbox.reach('backoff');
  t.is(mailbox.actor.getSnapshot().value, 'backoff', 'a lost server is a state, not a crash');
  // While down, every attempt fails and the wait grows.
  await mailbox.logs.waitFor((line) => line.code === 'IMAP_UNAVAILABLE' && Number(line.failures) >= 3);
  const failures = mailbox.logs.lines.filter((line) => line.code === 'IMAP_UNAVAILABLE').map((l) => l.retry_in_ms);
  t.true(Number(failures.at(-1)) > Number(failures[0]), `backoff grows: ${failures.join(', ')}`);
  await dovecot.start();
  for (let i = 0; i < 4; i++) await append(`after-${i}`);
  await mailbox.logs.waitFor((line) => line.msg.startsWith('mailbox connected'), 30_000, 1);
  // Done when every mail has left the inbox and the mailbox rests.
  for (;;) {
    await mailbox.reach('connected.listening', 60_000);
    if ((await dovecot.list('INBOX')).length === 0) break;
    await mailbox.reach('connected.syncing', 60_000);
  }
  const rows = await invoices(pool);
  t.is(rows.length, 16, 'every mail stored');
  t.deepEqual(new Set(rows.map((r) => r.message_id)), new Set(ids), 'each mail once');
  const processed = await dovecot.list('Processed');
  t.is(processed.length, 16);
  t.deepEqual(new Set(processed.map((m) => m.messageId)), new Set(ids));
  t.is((await processedMail(pool)).length, 16);
});

test('the database down when mail arrives: the mail stays unacknowledged until its invoice is stored', async (t) => {
  const [dovecot, { url }] = await Promise.all([startDovecot(t), migratedDatabase(t)]);
  const real = new URL(url);
  const port = await freePort();
  const proxy = tcpProxy(port, real.hostname, Number(real.port || 5432));
  t.teardown(() => proxy.close());
  await proxy.open();
  const proxied = new URL(url);
  proxied.host = `127.0.0.1:${port}`;
  const pool = new pg.Pool({ connectionString: proxied.toString(), connectionTimeoutMillis: 2_000 });
  pool.on('error', () => {});
  t.teardown(() => pool.end());
  const direct = new pg.Pool({ connectionString: url });
  t.teardown(() => direct.end());

  // seen: proves the download itself does not mark the mail (BODY.PEEK).
  const mailbox = await startMailbox(t, { dovecot, pool, settings: { postAction: 'seen' } });
  await mailbox.reach('connected.listening');
  await proxy.close();
  const uid = await dovecot.append(
    await buildMail({ attachments: [{ filename: 'waits.pdf', content: pdfBytes('db-down') }] }),
  );
  const deferred = await mailbox.logs.waitFor((line) => line.code === 'MAIL_DEFERRED');
  t.regex(String(deferred.msg), /stay on the server, unacknowledged|stays on the server, unacknowledged/);
  await mailbox.reach('connected.retrying');
  const waiting = await dovecot.list('INBOX');
  t.is(waiting.length, 1);
  t.deepEqual(waiting[0]!.flags, [], 'not marked while its invoice is not stored');
  t.is((await invoices(direct)).length, 0);
  // Retries keep failing while the database is away; the mail stays.
  await mailbox.logs.waitFor((line) => line.code === 'MAIL_DEFERRED', 30_000, mailbox.logs.lines.indexOf(deferred) + 1);
  t.deepEqual((await dovecot.list('INBOX'))[0]!.flags, []);

  await proxy.open();
  await mailbox.logs.waitFor(stored(uid), 60_000);
  await mailbox.reach('connected.listening');
  t.is((await invoices(direct)).length, 1);
  t.deepEqual((await dovecot.list('INBOX'))[0]!.flags, ['\\Seen']);
});

test('an attachment over maxAttachmentMb is not stored and the operator is told; the rest of the mail is', async (t) => {
  const { dovecot, pool, mailbox } = await setUp(t, { maxAttachmentMb: 0.05 });
  const uid = await dovecot.append(
    await buildMail({
      attachments: [
        { filename: 'huge.pdf', content: pdfBytes('huge', 200_000) },
        { filename: 'small.xml', content: xmlBytes('small') },
      ],
    }),
  );
  const notice = await mailbox.logs.waitFor((line) => line.code === 'MAIL_ATTACHMENT_TOO_LARGE');
  t.regex(notice.msg, /huge\.pdf \(0\.2 MB\) not stored: larger than intake\.imap\.maxAttachmentMb \(0\.05 MB\)/);
  await mailbox.logs.waitFor(stored(uid));
  t.deepEqual(
    (await invoices(pool)).map((r) => r.filename),
    ['small.xml'],
  );
});

test('consume eml stores the whole mail; rules pick by subject and sender, first match wins', async (t) => {
  const { dovecot, pool, mailbox } = await setUp(t, {
    rules: [
      { name: 'scans', subject: 'scan*', consume: 'eml' },
      { name: 'both', from: '*@both.test', consume: 'both' },
      { name: 'rest', consume: 'attachments', attachmentInclude: '*.xml' },
    ],
  });
  const scan = await buildMail({
    subject: 'Scan from the copier',
    attachments: [{ filename: 'a.pdf', content: pdfBytes('eml-a') }],
  });
  const scanUid = await dovecot.append(scan);
  await mailbox.logs.waitFor(stored(scanUid));
  const bothUid = await dovecot.append(
    await buildMail({
      from: 'x@both.test',
      subject: 'Both',
      attachments: [{ filename: 'b.pdf', content: pdfBytes('eml-b') }],
    }),
  );
  await mailbox.logs.waitFor(stored(bothUid));
  const restUid = await dovecot.append(
    await buildMail({
      subject: 'Rest',
      attachments: [
        { filename: 'c.pdf', content: pdfBytes('eml-c') },
        { filename: 'c.xml', content: xmlBytes('eml-c') },
      ],
    }),
  );
  await mailbox.logs.waitFor(stored(restUid));
  const rows = await invoices(pool);
  t.deepEqual(
    rows.map((r) => [r.filename, r.media_type]),
    [
      ['Scan from the copier.eml', 'message/rfc822'],
      ['b.pdf', 'application/pdf'],
      ['Both.eml', 'message/rfc822'],
      ['c.xml', 'application/xml'],
    ],
  );
  t.is(rows[0]!.sha256, sha256(scan), 'the .eml is the mail exactly as the server holds it');
  t.deepEqual(
    (await processedMail(pool)).map((r) => r.rule),
    ['scans', 'both', 'rest'],
  );
});

test('STARTTLS and TLS with a self-signed certificate trusted through caFile; an untrusted one is refused with a reason', async (t) => {
  const [dovecot, { pool }] = await Promise.all([startDovecot(t, { tls: true }), migratedDatabase(t)]);
  const starttls = await startMailbox(t, {
    dovecot,
    pool,
    settings: { host: 'localhost', security: 'starttls', caFile: dovecot.certFile },
  });
  await starttls.logs.waitFor((line) => String(line.msg).startsWith('mailbox connected'));
  await starttls.stop();
  const tls = await startMailbox(t, {
    dovecot,
    pool,
    settings: { host: 'localhost', port: dovecot.tlsPort, security: 'tls', caFile: dovecot.certFile },
  });
  const uid = await dovecot.append(
    await buildMail({ attachments: [{ filename: 'tls.pdf', content: pdfBytes('tls') }] }),
  );
  await tls.logs.waitFor(stored(uid));
  await tls.stop();
  const untrusted = await startMailbox(t, {
    dovecot,
    pool,
    settings: { host: 'localhost', port: dovecot.tlsPort, security: 'tls' },
  });
  const refused = await untrusted.logs.waitFor((line) => line.code === 'IMAP_UNAVAILABLE');
  t.regex(refused.msg, /certificate is not trusted .*: set intake\.imap\.caFile to its CA/);
  t.false(refused.msg.includes(dovecot.password));
});
