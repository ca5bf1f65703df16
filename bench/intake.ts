/**
 * bench/intake: how long a mail takes from its IMAP APPEND to its invoice committed as
 * `received`, with IMAP IDLE (the poll is set to 10 minutes, so only IDLE news can explain a
 * fast pickup). Prints p50, p95 and the maximum over the mails; the target is p95 < 2 s.
 *
 *   npm run bench:intake -- [--mails 200] [--interval 50]
 *
 * A real Dovecot (installed if missing, as the tests do) in a temp folder, the mailbox actor as
 * the daemon wires it (real machine, real ingest), a scratch database on TEST_DATABASE_URL,
 * else the local server on 127.0.0.1:5432, else an embedded one. Mails are appended one every
 * `interval` ms from a separate IMAP connection, each with a 20 KB PDF, and the clock runs
 * from just before the APPEND to the commit of the mail's invoice.
 */
import { parseArgs } from 'node:util';
import { ImapFlow } from 'imapflow';
import pg from 'pg';
import { migrate } from '../src/db/migrate.ts';
import { createScratchDatabase } from '../test/support/database.ts';
import { startDovecot } from '../test/support/dovecot.ts';
import { pdfBytes } from '../test/support/fixtures.ts';
import { buildMail, newMessageId } from '../test/support/mail.ts';
import { startMailbox } from '../test/support/mailboxHarness.ts';

const { values } = parseArgs({
  options: { mails: { type: 'string', default: '200' }, interval: { type: 'string', default: '50' } },
});
const count = Number(values.mails);
const intervalMs = Number(values.interval);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const dovecot = await startDovecot(undefined);
const scratch = await createScratchDatabase('bench_intake');
const pool = new pg.Pool({ connectionString: scratch.url, max: 8 });
pool.on('error', () => {});
try {
  const client = await pool.connect();
  await migrate(client).finally(() => client.release());
  const mailbox = await startMailbox(undefined, { dovecot, pool, settings: { pollMs: 600_000 } });
  await mailbox.reach('connected.listening');
  await mailbox.logs.waitFor((line) => line.msg === 'mailbox connected (IMAP IDLE)');

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

  // Built before the clock runs: composing a mail is the sender's work, not the intake's.
  const mails = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const messageId = newMessageId();
      const raw = await buildMail({
        messageId,
        subject: `Faktúra bench ${i}`,
        attachments: [{ filename: `bench-${i}.pdf`, content: pdfBytes(`bench-${i}-${messageId}`, 20_000) }],
      });
      return { messageId, raw };
    }),
  );
  const appendedAt = new Map<string, number>();
  const benchStart = performance.now();
  for (const [i, mail] of mails.entries()) {
    const due = benchStart + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    appendedAt.set(mail.messageId, performance.now());
    await sender.append('INBOX', mail.raw);
  }
  await sender.logout();
  // Every mail committed: its committed arrival is in the harness's list.
  const deadline = Date.now() + 120_000;
  while (mailbox.committed.length < count) {
    if (Date.now() > deadline) throw new Error(`only ${mailbox.committed.length} of ${count} mails arrived in 2 min`);
    await mailbox.logs.waitFor(() => mailbox.committed.length >= count, 5_000).catch(() => undefined);
  }
  const elapsed = performance.now() - benchStart;
  const latencies = mailbox.committed
    .map(({ arrival, at }) => at - appendedAt.get(arrival.messageId!)!)
    .sort((a, b) => a - b);
  await mailbox.stop();

  const fmt = (ms: number) => `${Math.round(ms)} ms`;
  const p95 = percentile(latencies, 95);
  console.log(`bench/intake: ${count} mails, one APPEND every ${intervalMs} ms, IMAP IDLE (poll 600 s)`);
  console.log(
    `  APPEND → received  p50 ${fmt(percentile(latencies, 50))}  p95 ${fmt(p95)}  max ${fmt(latencies.at(-1)!)}`,
  );
  console.log(
    `  throughput         ${(count / (elapsed / 1000)).toFixed(1)} mails/s over ${(elapsed / 1000).toFixed(1)} s`,
  );
  console.log(`  target p95 < 2 s   ${p95 < 2_000 ? 'met' : 'NOT met'}`);
  process.exitCode = p95 < 2_000 ? 0 : 1;
} finally {
  await pool.end();
  await scratch.drop();
  await dovecot.cleanUp();
}
