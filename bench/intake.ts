/**
 * bench/intake: how long a mail takes from its IMAP APPEND to its invoice committed as
 * `received`, with IMAP IDLE (the poll is set to 10 minutes, so only IDLE news can explain a
 * fast pickup). Prints p50, p95 and the maximum over the mails; the target is p95 < 2 s.
 *
 *   npm run bench:intake -- [--mails 200] [--interval 0] [--senders 4] [--concurrency 1,8] [--daemon]
 *
 * `--interval 0` (the default) is a burst: every mail is appended at once, from `senders`
 * IMAP connections in parallel; otherwise one mail every `interval` ms. The run is repeated for
 * each value of `--concurrency` (intake.imap.concurrency, mails handled at once), so the
 * one-after-another mailbox (1) and the concurrent one are measured side by side in one run.
 *
 * A real Dovecot (installed if missing, as the tests do) in a temp folder, the mailbox actor as
 * the daemon wires it (real machine, real ingest), a scratch database on TEST_DATABASE_URL,
 * else the local server on 127.0.0.1:5432, else an embedded one. Each mail carries a 20 KB
 * PDF; the clock runs from just before the mail's APPEND to the commit of its invoice.
 *
 * `--daemon` runs the real daemon instead (`bin/invoice-loader.js run`, a fresh database per
 * run, extraction with its default threads), so the burst shares the machine with the
 * extraction of the invoices it brings; the clock then stops at the invoice row's
 * `received_at` (the same host's clock).
 */
import { parseArgs } from 'node:util';
import { ImapFlow } from 'imapflow';
import pg from 'pg';
import { migrate } from '../src/db/migrate.ts';
import { createScratchDatabase } from '../test/support/database.ts';
import { imapIntake, startDovecot, type Dovecot } from '../test/support/dovecot.ts';
import { pdfBytes } from '../test/support/fixtures.ts';
import { buildMail, newMessageId } from '../test/support/mail.ts';
import { DaemonProcess, disposeDaemon, prepareDaemonFolder } from '../test/support/daemonProcess.ts';
import { startMailbox } from '../test/support/mailboxHarness.ts';

const { values } = parseArgs({
  options: {
    mails: { type: 'string', default: '200' },
    interval: { type: 'string', default: '0' },
    senders: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '1,8' },
    daemon: { type: 'boolean', default: false },
  },
});
const count = Number(values.mails);
const intervalMs = Number(values.interval);
const senderCount = Math.max(1, Number(values.senders));
const concurrencies = values.concurrency.split(',').map(Number);
const TARGET_P95_MS = 2_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function connectSender(dovecot: Dovecot): Promise<ImapFlow> {
  const sender = new ImapFlow({
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: dovecot.user, pass: dovecot.password },
    logger: false,
    disableAutoIdle: true,
  });
  sender.on('error', () => {});
  await sender.connect();
  return sender;
}

/** Built before the clock runs: composing a mail is the sender's work, not the intake's. */
function composeMails(run: number) {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const messageId = newMessageId();
      const raw = await buildMail({
        messageId,
        subject: `Faktúra bench ${run}-${i}`,
        attachments: [{ filename: `bench-${i}.pdf`, content: pdfBytes(`bench-${run}-${i}-${messageId}`, 20_000) }],
      });
      return { messageId, raw };
    }),
  );
}

/** Appends the mails (a burst, or paced) and answers when each APPEND was started. */
async function appendAll(senders: ImapFlow[], mails: Array<{ messageId: string; raw: Buffer }>) {
  /** performance.now() when each APPEND began, and the wall clock then (for a daemon's timestamps). */
  const appendedAt = new Map<string, number>();
  const start = performance.now();
  const wallClockAtStart = Date.now();
  if (intervalMs <= 0) {
    let next = 0;
    await Promise.all(
      senders.map(async (sender) => {
        while (next < mails.length) {
          const mail = mails[next++]!;
          appendedAt.set(mail.messageId, performance.now());
          await sender.append('INBOX', mail.raw);
        }
      }),
    );
  } else {
    for (const [i, mail] of mails.entries()) {
      const wait = start + i * intervalMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      appendedAt.set(mail.messageId, performance.now());
      await senders[0]!.append('INBOX', mail.raw);
    }
  }
  return { appendedAt, start, wallClockAtStart, appendMs: performance.now() - start };
}

async function sendBurst(dovecot: Dovecot, run: number) {
  const senders = await Promise.all(Array.from({ length: senderCount }, () => connectSender(dovecot)));
  const mails = await composeMails(run);
  const appended = await appendAll(senders, mails);
  await Promise.all(senders.map((sender) => sender.logout()));
  return appended;
}

async function measure(dovecot: Dovecot, pool: pg.Pool, concurrency: number, run: number) {
  const mailbox = await startMailbox(undefined, { dovecot, pool, settings: { pollMs: 600_000, concurrency } });
  try {
    await mailbox.reach('connected.listening');
    await mailbox.logs.waitFor((line) => line.msg === 'mailbox connected (IMAP IDLE)');
    const { appendedAt, start, appendMs } = await sendBurst(dovecot, run);
    const deadline = Date.now() + 120_000;
    while (mailbox.committed.length < count) {
      if (Date.now() > deadline) throw new Error(`only ${mailbox.committed.length} of ${count} mails arrived in 2 min`);
      await mailbox.logs.waitFor(() => mailbox.committed.length >= count, 5_000).catch(() => undefined);
    }
    const elapsed = Math.max(...mailbox.committed.map(({ at }) => at)) - start;
    const latencies = mailbox.committed
      .map(({ arrival, at }) => at - appendedAt.get(arrival.messageId!)!)
      .sort((a, b) => a - b);
    return { latencies, elapsed, appendMs };
  } finally {
    await mailbox.stop();
  }
}

/** The same burst into the real daemon; each invoice's `received_at` is when it was committed. */
async function measureDaemon(dovecot: Dovecot, concurrency: number, run: number) {
  const scratch = await createScratchDatabase('bench_intake_daemon');
  const folder = await prepareDaemonFolder({
    databaseUrl: scratch.url,
    config: {
      logging: { level: 'info' },
      extraction: { workers: 0 }, // the production default: one thread per core
      intake: {
        dropFolder: { enabled: false },
        imap: {
          ...imapIntake(dovecot, 'BENCH_IMAP_PASSWORD'),
          pollMs: 600_000,
          concurrency,
        },
      },
    },
  });
  const daemon = new DaemonProcess(folder.dir, folder.configFile, folder.port, {
    BENCH_IMAP_PASSWORD: dovecot.password,
    ...(process.env.BENCH_DAEMON_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_DAEMON_NODE_OPTIONS } : {}),
  });
  const pool = new pg.Pool({ connectionString: scratch.url, max: 2 });
  pool.on('error', () => {});
  try {
    await daemon.waitForStatus('/health/ready', 200);
    await daemon.waitForLog((entry) => entry.msg === 'mailbox connected (IMAP IDLE)', 30_000);
    const { appendedAt, start, wallClockAtStart, appendMs } = await sendBurst(dovecot, run);
    const deadline = Date.now() + 120_000;
    let rows: Array<{ message_id: string; received: number }> = [];
    while (rows.length < count) {
      if (Date.now() > deadline) throw new Error(`only ${rows.length} of ${count} mails arrived in 2 min`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      rows = (
        await pool.query<{ message_id: string; received: number }>(
          `SELECT message_id, (extract(epoch FROM received_at) * 1000)::float8 AS received FROM invoices WHERE channel = 'email'`,
        )
      ).rows;
    }
    // performance.now() of each APPEND, moved onto the wall clock of the database's stamps.
    const wall = (at: number) => wallClockAtStart + (at - start);
    const latencies = rows.map((row) => row.received - wall(appendedAt.get(row.message_id)!)).sort((a, b) => a - b);
    const elapsed = Math.max(...rows.map((row) => row.received)) - wallClockAtStart;
    return { latencies, elapsed, appendMs };
  } finally {
    await pool.end();
    await disposeDaemon(daemon);
    await scratch.drop();
  }
}

const dovecot = await startDovecot(undefined);
const scratch = await createScratchDatabase('bench_intake');
const pool = new pg.Pool({ connectionString: scratch.url, max: 10 });
pool.on('error', () => {});
const fmt = (ms: number) => `${Math.round(ms)} ms`;
let allMet = true;
try {
  const client = await pool.connect();
  await migrate(client).finally(() => client.release());
  const where = values.daemon ? 'the real daemon (extraction running)' : 'the mailbox actor';
  const how =
    intervalMs <= 0 ? `appended at once from ${senderCount} IMAP connections` : `one APPEND every ${intervalMs} ms`;
  console.log(`bench/intake: ${count} mails of a 20 KB PDF, ${how}, into ${where}, IMAP IDLE (poll 600 s)`);
  for (const [run, concurrency] of concurrencies.entries()) {
    const { latencies, elapsed, appendMs } = values.daemon
      ? await measureDaemon(dovecot, concurrency, run)
      : await measure(dovecot, pool, concurrency, run);
    const p95 = percentile(latencies, 95);
    const met = p95 < TARGET_P95_MS;
    allMet &&= met || concurrency === 1;
    console.log(`  intake.imap.concurrency ${concurrency}${concurrency === 1 ? ' (one mail after another)' : ''}`);
    console.log(
      `    APPEND → received  p50 ${fmt(percentile(latencies, 50))}  p95 ${fmt(p95)}  max ${fmt(latencies.at(-1)!)}` +
        `   target p95 < 2 s: ${met ? 'met' : 'NOT met'}`,
    );
    console.log(
      `    throughput         ${(count / (elapsed / 1000)).toFixed(1)} mails/s (last commit ${(elapsed / 1000).toFixed(2)} s after the first APPEND; appending took ${(appendMs / 1000).toFixed(2)} s)`,
    );
  }
  process.exitCode = allMet ? 0 : 1;
} finally {
  await pool.end();
  await scratch.drop();
  await dovecot.cleanUp();
}
