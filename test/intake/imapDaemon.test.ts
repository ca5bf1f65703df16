import test from 'ava';
import pg from 'pg';
import type { ActorNode } from '../../src/runtime/actorTree.ts';
import { createTestDatabase } from '../support/database.ts';
import { startDaemonProcess } from '../support/daemonProcess.ts';
import { imapIntake, startDovecot } from '../support/dovecot.ts';
import { pdfBytes } from '../support/fixtures.ts';
import { buildMail, newMessageId } from '../support/mail.ts';

/** The mailbox in the real daemon: wiring, password from the environment, inspect and heartbeat. */
function find(node: ActorNode, id: string): ActorNode | undefined {
  if (node.id === id) return node;
  for (const child of node.children) {
    const found = find(child, id);
    if (found) return found;
  }
  return undefined;
}

test('the daemon reads mail under intake; its backoff shows in inspect and the heartbeat', async (t) => {
  const [dovecot, url] = await Promise.all([startDovecot(t), createTestDatabase(t)]);
  const daemon = await startDaemonProcess(t, {
    databaseUrl: url,
    env: { IMAP_TEST_PASSWORD: dovecot.password },
    config: {
      heartbeat: { intervalMs: 300 },
      intake: {
        dropFolder: { enabled: false },
        imap: {
          ...imapIntake(dovecot, 'IMAP_TEST_PASSWORD'),
          reconnect: { minMs: 200, maxMs: 1_000, jitter: 0 },
        },
      },
    },
  });
  await daemon.waitForStatus('/health/ready', 200);
  await daemon.waitForLog((e) => e.msg === 'mailbox connected (IMAP IDLE)');
  const messageId = newMessageId();
  await dovecot.append(
    await buildMail({
      messageId,
      subject: 'Faktúra 77',
      attachments: [{ filename: 'f77.pdf', content: pdfBytes('d77') }],
    }),
  );
  await daemon.waitForLog((e) => e.actor === 'mailbox' && / document\(s\) stored$/.test(e.msg));
  const pool = new pg.Pool({ connectionString: url });
  t.teardown(() => pool.end());
  const row = (await pool.query('SELECT filename, subject, message_id, mail_to FROM invoices')).rows[0];
  t.deepEqual(row, {
    filename: 'f77.pdf',
    subject: 'Faktúra 77',
    message_id: messageId,
    mail_to: 'invoices@customer.test',
  });

  const tree = (await (await daemon.request('/api/actors')).json()) as ActorNode;
  t.deepEqual(
    find(tree, 'intake')!.children.map((c) => c.id),
    ['http', 'singleton:mailbox'],
  );
  // The only daemon on its database holds the mailbox's lock and runs it (scale-out, machines/singleton.ts).
  t.like(find(tree, 'singleton:mailbox'), { state: 'leading.running', notes: { lock: 'held here' } });
  t.truthy(find(tree, 'mailbox'));
  const beat = await daemon.waitForLog((e) => e.msg === 'heartbeat' && !!e.mailbox);
  t.like(beat.mailbox, { connected: true, idle: true, failures: 0 });

  // The server goes away: a state with backoff, visible in both places, not an actor failure.
  await dovecot.stop();
  const mark = daemon.logs.length;
  await daemon.waitForLog((e) => e.code === 'IMAP_UNAVAILABLE', 20_000, mark);
  const down = await daemon.waitForLog(
    (e) => e.msg === 'heartbeat' && (e.mailbox as { state?: string } | null)?.state === 'backoff',
    20_000,
    mark,
  );
  t.like(down.mailbox, { connected: false });
  t.true(((down.mailbox as { failures: number }).failures ?? 0) >= 1);
  const during = (await (await daemon.request('/api/actors')).json()) as ActorNode;
  t.regex(find(during, 'mailbox')!.state, /^(backoff|connecting)$/);
  await dovecot.start();
  await daemon.waitForLog((e) => e.msg === 'mailbox connected (IMAP IDLE)', 20_000, mark);
  t.is(
    daemon.logs.filter((e) => String(e.msg).startsWith('actor mailbox failed')).length,
    0,
    'a lost mail server is a state, not an actor failure',
  );
  t.false(JSON.stringify(daemon.logs).includes(dovecot.password), 'the password is never logged');
});
