import test, { type ExecutionContext } from 'ava';
import pg from 'pg';
import { sha256 } from '../../src/db/invoiceStore.ts';
import { freePort } from '../../src/runtime/freePort.ts';
import { startDovecot, type Dovecot } from '../support/dovecot.ts';
import { buildUbl, slovakSampleInvoice } from '../support/einvoices.ts';
import { pdfBytes, xmlBytes } from '../support/fixtures.ts';
import { buildMail, newMessageId } from '../support/mail.ts';
import { startMailbox } from '../support/mailboxHarness.ts';
import { migratedDatabase } from '../support/migratedDatabase.ts';
import { tcpProxy } from '../support/tcpProxy.ts';

/**
 * The mailbox against a real Dovecot (scripts/install-test-deps.sh, run by `npm test`) and a
 * real PostgreSQL: what is stored, where each mail ends up, and that a mail is acknowledged
 * only after its documents are committed, through outages of either server.
 */

type Hooks = Pick<Parameters<typeof startMailbox>[1], 'onCommitted' | 'beforeIngest'>;

async function setUp(
  t: ExecutionContext,
  settings: Record<string, unknown> = {},
  hooks: (dovecot: Dovecot) => Hooks = () => ({}),
) {
  const [dovecot, { pool }] = await Promise.all([startDovecot(t), migratedDatabase(t)]);
  const mailbox = await startMailbox(t, { dovecot, pool, settings, ...hooks(dovecot) });
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
    await pool.query<{
      account: string;
      uid: string;
      message_id: string | null;
      outcome: string;
      rule: string;
      detail: string | null;
      invoice_ids: string[];
      acknowledged: boolean;
    }>(
      `SELECT account, uid, message_id, outcome, rule, detail, invoice_ids, acknowledged_at IS NOT NULL AS acknowledged
       FROM processed_mail ORDER BY processed_at, uid`,
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

test('a mail with several attachments: every document is committed while the mail is still in INBOX; a logo and a letter are left out', async (t) => {
  const messageId = newMessageId();
  // At each commit, where the mail is on the server (another connection looks).
  const atCommit: Array<{ filename: string; inbox: string[]; processed: string[] }> = [];
  const { dovecot, pool, mailbox } = await setUp(
    t,
    { rules: [{ name: 'no reminders', attachmentExclude: 'reminder*' }] },
    (server) => ({
      onCommitted: async (_n, arrival) => {
        atCommit.push({
          filename: arrival.filename,
          inbox: (await server.list('INBOX')).map((m) => m.messageId),
          processed: (await server.list('Processed')).map((m) => m.messageId),
        });
      },
    }),
  );
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
  await mailbox.reach('connected.listening');
  const rows = await invoices(pool);
  t.deepEqual(rows.map((r) => r.filename).sort(), ['attachment-6.pdf', 'invoice-1.pdf', 'invoice-2.xml']);
  t.deepEqual(rows.map((r) => r.intake_ref).sort(), [
    `email:${messageId}#0`,
    `email:${messageId}#2`,
    `email:${messageId}#5`,
  ]);
  t.deepEqual(
    atCommit.map((c) => c.filename),
    ['invoice-1.pdf', 'invoice-2.xml', 'attachment-6.pdf'],
  );
  for (const commit of atCommit) {
    t.deepEqual(commit.inbox, [messageId], `${commit.filename} was committed while the mail was still in INBOX`);
    t.deepEqual(commit.processed, [], `${commit.filename} was committed before the mail was moved`);
  }
  const [record] = await processedMail(pool);
  t.is(record!.rule, 'no reminders');
  t.true(record!.acknowledged);
  t.deepEqual(await dovecot.list('INBOX'), []);
  t.deepEqual(
    (await dovecot.list('Processed')).map((m) => m.messageId),
    [messageId],
  );
});

test('a burst of mail is handled several mails at once: each stored once and moved only after its commit; a copy in the same burst is a duplicate of the first', async (t) => {
  const [dovecot, { pool }] = await Promise.all([startDovecot(t), migratedDatabase(t)]);
  const ids: string[] = [];
  const uids: number[] = [];
  for (let i = 0; i < 16; i++) {
    const messageId = newMessageId();
    ids.push(messageId);
    uids.push(
      await dovecot.append(
        await buildMail({ messageId, attachments: [{ filename: `burst-${i}.pdf`, content: pdfBytes(`burst ${i}`) }] }),
      ),
    );
  }
  const copy = await buildMail({ attachments: [{ filename: 'copy.pdf', content: pdfBytes('the copied one') }] });
  const firstCopy = await dovecot.append(copy);
  const secondCopy = await dovecot.append(copy);
  // Ingests wait until three are in flight at once (or 5 s pass): only a concurrent pass gets there.
  let inFlight = 0;
  let concurrent = false;
  let release!: () => void;
  const together = new Promise<void>((resolve) => (release = resolve));
  setTimeout(() => release(), 5_000).unref();
  const inInbox: Array<{ messageId: string | null | undefined; inbox: boolean }> = [];
  const mailbox = await startMailbox(t, {
    dovecot,
    pool,
    settings: { concurrency: 4 },
    beforeIngest: async () => {
      if (++inFlight >= 3) {
        concurrent = true;
        release();
      }
      await together;
    },
    onCommitted: async (_n, arrival) => {
      inFlight--;
      const inbox = (await dovecot.list('INBOX')).map((m) => m.messageId);
      inInbox.push({ messageId: arrival.messageId, inbox: inbox.includes(arrival.messageId ?? '') });
    },
  });
  await mailbox.logs.waitFor((line) => line.code === 'MAIL_DUPLICATE' && line.uid === secondCopy, 60_000);
  for (;;) {
    await mailbox.reach('connected.listening', 60_000);
    if ((await dovecot.list('INBOX')).length === 0) break;
    await mailbox.reach('connected.syncing', 60_000);
  }
  t.true(concurrent, 'three mails were being stored at once');
  t.is(inInbox.length, 18);
  for (const commit of inInbox) t.true(commit.inbox, `${commit.messageId} was committed while still in INBOX`);
  const rows = await invoices(pool);
  t.deepEqual(
    rows.map((r) => r.message_id).sort(),
    [...ids, rows.find((r) => r.filename === 'copy.pdf')!.message_id].sort(),
  );
  const records = new Map((await processedMail(pool)).map((r) => [Number(r.uid), r]));
  t.is(records.size, 18);
  t.true([...records.values()].every((r) => r.acknowledged));
  t.is(records.get(firstCopy)!.outcome, 'received', 'the copy with the lower UID is the one stored');
  t.is(records.get(secondCopy)!.outcome, 'duplicate');
  t.deepEqual(records.get(secondCopy)!.invoice_ids, records.get(firstCopy)!.invoice_ids);
  t.true(uids.every((uid) => records.get(uid)!.outcome === 'received'));
  t.is((await dovecot.list('Processed')).length, 18);
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

test('the same mail delivered twice is stored once; a different mail reusing its Message-ID is stored; the sender check comes first', async (t) => {
  const { dovecot, pool, mailbox } = await setUp(t, { postAction: 'seen', allowedSenders: ['*@supplier.test'] });
  const messageId = '<fixed-id@scanner.supplier.test>'; // a scanner that sends every mail with this one
  const date = new Date('2026-11-20T08:00:00Z');
  const raw = await buildMail({
    messageId,
    date,
    subject: 'Scan',
    attachments: [{ filename: 'twice.pdf', content: pdfBytes('twice') }],
  });
  const first = await dovecot.append(raw);
  await mailbox.logs.waitFor(stored(first));
  const second = await dovecot.append(raw);
  const duplicate = await mailbox.logs.waitFor((line) => line.code === 'MAIL_DUPLICATE' && line.uid === second);
  t.regex(duplicate.msg, new RegExp(`the same documents as mail ${first} in INBOX\\); nothing is stored again`));
  // Same Message-ID, sender, subject and date, other content: another invoice, not a duplicate.
  const third = await dovecot.append(
    await buildMail({
      messageId,
      date,
      subject: 'Scan',
      attachments: [{ filename: 'next-scan.pdf', content: pdfBytes('next scan') }],
    }),
  );
  await mailbox.logs.waitFor(stored(third));
  // That Message-ID from a sender who is not allowed: rejected, not a "duplicate".
  const fourth = await dovecot.append(
    await buildMail({
      messageId,
      from: 'billing@evil.test',
      attachments: [{ filename: 'twice.pdf', content: pdfBytes('twice') }],
    }),
  );
  await mailbox.logs.waitFor((line) => line.code === 'MAIL_SENDER_REJECTED' && line.uid === fourth);
  await mailbox.reach('connected.listening');
  const rows = await invoices(pool);
  t.deepEqual(
    rows.map((r) => [r.filename, r.status, r.message_id]),
    [
      ['twice.pdf', 'received', messageId],
      ['next-scan.pdf', 'received', messageId],
    ],
  );
  const records = await processedMail(pool);
  t.deepEqual(
    records.map((r) => [Number(r.uid), r.outcome]),
    [
      [first, 'received'],
      [second, 'duplicate'],
      [third, 'received'],
      [fourth, 'rejected'],
    ],
  );
  t.deepEqual(records[1]!.invoice_ids, records[0]!.invoice_ids, 'the duplicate names the invoice stored first');
  t.true(
    (await dovecot.list('INBOX')).every((m) => m.flags.includes('\\Seen')),
    'the three read mails are marked seen',
  );
  t.is((await dovecot.list('Rejected')).length, 1);
});

test('a move that fails (its folder deleted meanwhile) is warned about and retried by the next pass; nothing is stored twice', async (t) => {
  const { dovecot, pool, mailbox } = await setUp(t);
  const before = await dovecot.append(
    await buildMail({ attachments: [{ filename: 'before.pdf', content: pdfBytes('before') }] }),
  );
  await mailbox.logs.waitFor(stored(before));
  await mailbox.reach('connected.listening');
  // The mailbox knows Processed exists; someone deletes it (with the mail in it).
  const admin = await dovecot.client();
  await admin.mailboxDelete('Processed');
  await admin.logout();
  const uid = await dovecot.append(
    await buildMail({
      subject: 'Moved later',
      attachments: [{ filename: 'moved-later.pdf', content: pdfBytes('later') }],
    }),
  );
  const failed = await mailbox.logs.waitFor((line) => line.code === 'MAIL_POST_ACTION_FAILED');
  t.is(failed.uid, uid);
  t.is(failed.level, 40);
  t.regex(failed.msg, /"Moved later" .* is recorded, but move:Processed failed .*; the next pass tries again/);
  await mailbox.reach('connected.listening');
  t.deepEqual(
    (await dovecot.list('INBOX')).map((m) => m.uid),
    [uid],
    'still in INBOX',
  );
  t.deepEqual(
    (await processedMail(pool)).map((r) => [Number(r.uid), r.acknowledged]),
    [
      [before, true],
      [uid, false],
    ],
  );
  // The next pass (woken by a new mail) moves it, creating the folder again; it is not read again.
  const next = await dovecot.append(
    await buildMail({ attachments: [{ filename: 'next.pdf', content: pdfBytes('next') }] }),
  );
  await mailbox.logs.waitFor(stored(next));
  await mailbox.reach('connected.listening');
  t.deepEqual(await dovecot.list('INBOX'), []);
  t.is((await dovecot.list('Processed')).length, 2);
  t.deepEqual(
    (await invoices(pool)).map((r) => r.filename),
    ['before.pdf', 'moved-later.pdf', 'next.pdf'],
    'nothing was stored again',
  );
  t.true((await processedMail(pool)).every((r) => r.acknowledged));
  t.is(
    mailbox.logs.count((line) => line.uid === uid && / document\(s\) stored$/.test(line.msg)),
    1,
  );
});

test('a mail appended while IDLE is picked up without waiting for the poll', async (t) => {
  const { dovecot, mailbox } = await setUp(t, { pollMs: 600_000 });
  await mailbox.reach('connected.listening');
  await mailbox.logs.waitFor((line) => line.msg === 'mailbox connected (IMAP IDLE)');
  const uid = await dovecot.append(
    await buildMail({ attachments: [{ filename: 'idle.pdf', content: pdfBytes('idle') }] }),
  );
  // The poll is 600 s away (longer than the test may run): only the IDLE news can have started this pass.
  await mailbox.logs.waitFor(stored(uid));
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
  // Sorted: mails are handled several at once (intake.imap.concurrency), so invoices need not follow UID order.
  t.deepEqual(rows.map((r) => r.message_id).sort(), [...ids].sort(), 'each mail once');
  const processed = await dovecot.list('Processed');
  t.is(processed.length, 16);
  t.deepEqual(processed.map((m) => m.messageId).sort(), [...ids].sort());
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

  // seen: proves the download itself does not mark the mail (BODY.PEEK). maxMailAttempts 2: the
  // outage outlasts it, and a mail waiting for the database must never be given up.
  const mailbox = await startMailbox(t, { dovecot, pool, settings: { postAction: 'seen', maxMailAttempts: 2 } });
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
  // Retries keep failing while the database is away, more often than maxMailAttempts; the mail stays.
  let last = deferred;
  for (let i = 0; i < 3; i++) {
    last = await mailbox.logs.waitFor(
      (line) => line.code === 'MAIL_DEFERRED',
      30_000,
      mailbox.logs.lines.indexOf(last) + 1,
    );
  }
  t.deepEqual((await dovecot.list('INBOX'))[0]!.flags, []);

  await proxy.open();
  await mailbox.logs.waitFor(stored(uid), 60_000);
  await mailbox.reach('connected.listening');
  t.is((await invoices(direct)).length, 1);
  t.deepEqual((await dovecot.list('INBOX'))[0]!.flags, ['\\Seen']);
  t.is(
    mailbox.logs.count((line) => line.code === 'MAIL_UNPROCESSABLE'),
    0,
    'an outage is not the mail failing',
  );
  t.deepEqual((await direct.query('SELECT * FROM mail_attempts')).rows, [], 'no attempt was counted');
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

test('a mail without a Message-ID is stored under its place in the mailbox; a second one like it is a mail of its own', async (t) => {
  const { dovecot, pool, mailbox } = await setUp(t);
  const date = new Date('2026-11-21T07:00:00Z');
  const scan = (tag: string) =>
    buildMail({
      messageId: null,
      date,
      subject: 'Scan',
      attachments: [{ filename: 'scan.pdf', content: pdfBytes(tag) }],
    });
  const first = await dovecot.append(await scan('scan one'));
  await mailbox.logs.waitFor(stored(first));
  const second = await dovecot.append(await scan('scan two'));
  await mailbox.logs.waitFor(stored(second));
  await mailbox.reach('connected.listening');
  const uidValidity = await dovecot.uidValidity();
  const rows = await invoices(pool);
  t.deepEqual(
    rows.map((r) => [r.message_id, r.intake_ref, r.status]),
    [
      [null, `imap:invoices@127.0.0.1/INBOX:${uidValidity}:${first}#0`, 'received'],
      [null, `imap:invoices@127.0.0.1/INBOX:${uidValidity}:${second}#0`, 'received'],
    ],
  );
  t.deepEqual(
    (await processedMail(pool)).map((r) => [Number(r.uid), r.message_id, r.outcome, r.acknowledged]),
    [
      [first, null, 'received', true],
      [second, null, 'received', true],
    ],
  );
  t.is((await dovecot.list('Processed')).length, 2);
});

test('a NUL in the subject and a file name (PostgreSQL text cannot hold it) is dropped; the mail is stored', async (t) => {
  const { dovecot, pool, mailbox } = await setUp(t);
  const uid = await dovecot.append(
    await buildMail({
      subject: 'Fak\u0000túra 9',
      attachments: [{ filename: 'fak\u0000tura-9.pdf', content: pdfBytes('nul') }],
    }),
  );
  await mailbox.logs.waitFor(stored(uid));
  await mailbox.reach('connected.listening');
  const [invoice] = await invoices(pool);
  t.is(invoice!.subject, 'Faktúra 9');
  t.is(invoice!.filename, 'faktura-9.pdf');
  t.is((await processedMail(pool))[0]!.outcome, 'received');
  t.is(
    mailbox.logs.count((line) => line.code === 'MAIL_DEFERRED'),
    0,
  );
});

test('a mail that always fails is given up after maxMailAttempts: told (MAIL_UNPROCESSABLE), moved to Unrecognized; other mail goes on', async (t) => {
  const messageId = newMessageId();
  const { dovecot, pool, mailbox } = await setUp(t, { maxMailAttempts: 3 }, () => ({
    beforeIngest: (arrival) => {
      if (arrival.filename === 'poisoned.pdf') throw new Error('the PDF library crashed on this file');
    },
  }));
  const poisoned = await dovecot.append(
    await buildMail({
      messageId,
      subject: 'Poisoned',
      attachments: [{ filename: 'poisoned.pdf', content: pdfBytes('poisoned') }],
    }),
  );
  const good = await dovecot.append(
    await buildMail({ attachments: [{ filename: 'good.pdf', content: pdfBytes('good') }] }),
  );
  await mailbox.logs.waitFor(stored(good));
  const given = await mailbox.logs.waitFor((line) => line.code === 'MAIL_UNPROCESSABLE');
  t.is(given.level, 40);
  t.like(given, {
    uid: poisoned,
    message_id: messageId,
    from: 'Fakturácia Dodávateľ <faktury@supplier.test>',
    subject: 'Poisoned',
    attempts: 3,
    err: { message: 'the PDF library crashed on this file' },
  });
  t.regex(
    given.msg,
    /"Poisoned" from .*faktury@supplier\.test.* \(Message-ID <.*>\) could not be read in 3 attempts and is given up: the PDF library crashed on this file; moved to Unrecognized/,
  );
  const deferrals = mailbox.logs.lines.filter((line) => line.code === 'MAIL_DEFERRED' && line.uid === poisoned);
  t.deepEqual(
    deferrals.map((line) => line.attempts),
    [1, 2],
  );
  await mailbox.reach('connected.listening');
  t.deepEqual(await dovecot.list('INBOX'), []);
  t.deepEqual(
    (await dovecot.list('Unrecognized')).map((m) => m.messageId),
    [messageId],
  );
  const record = (await processedMail(pool)).find((r) => Number(r.uid) === poisoned)!;
  t.is(record.outcome, 'failed');
  t.is(record.detail, 'given up after 3 failed attempts: the PDF library crashed on this file');
  t.true(record.acknowledged);
  t.deepEqual((await pool.query('SELECT * FROM mail_attempts')).rows, [], 'its attempts are forgotten once recorded');
  t.deepEqual(
    (await invoices(pool)).map((r) => r.filename),
    ['good.pdf'],
  );
});

test('a large mail: a 20 MB attachment that is no document is drained, not kept; the PDF beside it is stored', async (t) => {
  const { dovecot, pool, mailbox } = await setUp(t, { maxAttachmentMb: 1 });
  const video = Buffer.alloc(20 * 1024 * 1024, 0x5a);
  const photo = Buffer.alloc(600 * 1024, 0x17); // under maxAttachmentMb, and still no document
  const pdf = pdfBytes('beside the video', 50_000);
  const uid = await dovecot.append(
    await buildMail({
      attachments: [
        { filename: 'site-visit.mp4', content: video, contentType: 'video/mp4' },
        { filename: 'photo.png', content: photo, contentType: 'image/png' },
        { filename: 'invoice.pdf', content: pdf },
      ],
    }),
  );
  const done = await mailbox.logs.waitFor(stored(uid), 60_000);
  t.true(Number(done.mail_bytes) > 20 * 1024 * 1024, `the whole mail went by: ${String(done.mail_bytes)} bytes`);
  t.is(done.peak_held_bytes, pdf.length, 'only the PDF was ever held in memory');
  t.is(
    mailbox.logs.count((line) => line.code === 'MAIL_ATTACHMENT_TOO_LARGE'),
    0,
    'the video is no document',
  );
  const [invoice, ...others] = await invoices(pool);
  t.is(others.length, 0);
  t.is(invoice!.sha256, sha256(pdf));
});

test('a mail over maxMailMb is not read: moved to Unrecognized and the operator is told', async (t) => {
  const { dovecot, pool, mailbox } = await setUp(t, { maxMailMb: 2, maxAttachmentMb: 1 });
  const uid = await dovecot.append(
    await buildMail({
      subject: 'Everything at once',
      attachments: [
        { filename: 'a.pdf', content: pdfBytes('big-a', 900_000) },
        { filename: 'b.pdf', content: pdfBytes('big-b', 900_000) },
      ],
    }),
  );
  const notice = await mailbox.logs.waitFor((line) => line.code === 'MAIL_TOO_LARGE');
  t.is(notice.uid, uid);
  t.is(notice.level, 40);
  t.regex(
    notice.msg,
    /"Everything at once" .* was not read: it is larger \(2\.\d MB\) than intake\.imap\.maxMailMb \(2 MB\); moved to Unrecognized/,
  );
  await mailbox.reach('connected.listening');
  t.is((await invoices(pool)).length, 0);
  t.is((await dovecot.list('Unrecognized')).length, 1);
  t.is((await processedMail(pool))[0]!.outcome, 'unrecognized');
});

test('a rule with its own post-action: its mails, marked in place, are not listed again by later passes', async (t) => {
  const { dovecot, pool, mailbox } = await setUp(t, {
    postAction: 'move',
    rules: [
      { name: 'keep scans', subject: 'scan*', postAction: 'seen' },
      { name: 'rest', consume: 'attachments' },
    ],
  });
  const kept = await dovecot.append(
    await buildMail({ subject: 'Scan 1', attachments: [{ filename: 'scan.pdf', content: pdfBytes('kept') }] }),
  );
  await mailbox.logs.waitFor(stored(kept));
  await mailbox.reach('connected.listening');
  const mark = mailbox.logs.lines.length;
  const moved = await dovecot.append(
    await buildMail({ subject: 'Invoice', attachments: [{ filename: 'invoice.pdf', content: pdfBytes('moved') }] }),
  );
  await mailbox.logs.waitFor(stored(moved));
  await mailbox.reach('connected.listening');
  const passes = mailbox.logs.lines.slice(mark).filter((line) => String(line.msg).startsWith('pass over'));
  t.true(passes.length >= 1);
  for (const pass of passes) t.is(pass.mails, 1, `the seen mail is left out: ${JSON.stringify(pass)}`);
  t.deepEqual(
    (await dovecot.list('INBOX')).map((m) => [m.uid, m.flags.includes('\\Seen')]),
    [[kept, true]],
  );
  t.deepEqual(
    (await processedMail(pool)).map((r) => [Number(r.uid), r.rule, r.acknowledged]),
    [
      [kept, 'keep scans', true],
      [moved, 'rest', true],
    ],
  );
});

test('another account whose INBOX has the same UIDVALIDITY: its mail at a UID seen before is read (the account is part of the key)', async (t) => {
  const [dovecot, { pool }] = await Promise.all([startDovecot(t, { extraUsers: ['scans'] }), migratedDatabase(t)]);
  // One scanner, one fixed Message-ID, Subject and Date: only the content differs.
  const scan = (tag: string) =>
    buildMail({
      messageId: '<scan@copier.supplier.test>',
      date: new Date('2026-11-21T07:00:00Z'),
      subject: 'Scan',
      attachments: [{ filename: `${tag}.pdf`, content: pdfBytes(tag) }],
    });
  const first = await dovecot.append(await scan('first-account'));
  const invoicesBox = await startMailbox(t, { dovecot, pool });
  await invoicesBox.logs.waitFor(stored(first));
  await invoicesBox.reach('connected.listening');
  await invoicesBox.stop();

  // The daemon now reads another account (a new server, say) that reuses UIDVALIDITY and UIDs.
  await dovecot.list('INBOX', 'scans'); // creates its INBOX
  await dovecot.setUidValidity(await dovecot.uidValidity(), 'INBOX', 'scans');
  const second = await dovecot.append(await scan('second-account'), 'INBOX', [], 'scans');
  t.is(second, first, 'the same UID under the same UIDVALIDITY');
  const scansBox = await startMailbox(t, { dovecot, pool, settings: { user: 'scans' } });
  await scansBox.logs.waitFor(stored(second));
  await scansBox.reach('connected.listening');
  t.deepEqual(
    (await invoices(pool)).map((r) => r.filename),
    ['first-account.pdf', 'second-account.pdf'],
  );
  t.deepEqual(
    (await processedMail(pool)).map((r) => [r.account, Number(r.uid), r.outcome]),
    [
      ['invoices@127.0.0.1', first, 'received'],
      ['scans@127.0.0.1', second, 'received'],
    ],
  );
  t.deepEqual(await dovecot.list('INBOX', 'scans'), []);
});

test('a mailbox replaced with the same UIDVALIDITY: a record of another mail at that UID is not trusted', async (t) => {
  const [dovecot, { pool }] = await Promise.all([startDovecot(t), migratedDatabase(t)]);
  const before = newMessageId();
  const uid = await dovecot.append(
    await buildMail({ messageId: before, attachments: [{ filename: 'before.pdf', content: pdfBytes('before') }] }),
  );
  const uidValidity = await dovecot.uidValidity();
  const old = await startMailbox(t, { dovecot, pool });
  await old.logs.waitFor(stored(uid));
  await old.reach('connected.listening');
  await old.stop();

  // Restored from elsewhere: empty, the same UIDVALIDITY, UIDs from 1 again.
  dovecot.wipe();
  await dovecot.list('INBOX');
  await dovecot.setUidValidity(uidValidity);
  const after = newMessageId();
  const reused = await dovecot.append(
    await buildMail({ messageId: after, attachments: [{ filename: 'after.pdf', content: pdfBytes('after') }] }),
  );
  t.is(reused, uid);
  const mailbox = await startMailbox(t, { dovecot, pool });
  const mismatch = await mailbox.logs.waitFor((line) => line.code === 'MAIL_RECORD_MISMATCH');
  t.is(mismatch.level, 40);
  t.is(mismatch.recorded_message_id, before);
  await mailbox.logs.waitFor(stored(reused));
  await mailbox.reach('connected.listening');
  t.deepEqual(
    (await invoices(pool)).map((r) => r.filename),
    ['before.pdf', 'after.pdf'],
  );
  t.deepEqual(
    (await processedMail(pool)).map((r) => [Number(r.uid), r.message_id, r.acknowledged]),
    [[uid, after, true]],
    'the record now describes the mail at that place',
  );
  t.deepEqual(
    (await dovecot.list('Processed')).map((m) => m.messageId),
    [after],
  );
});
