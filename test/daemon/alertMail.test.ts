import test from 'ava';
import { adminToken } from '../support/adminToken.ts';
import { createTestDatabase } from '../support/database.ts';
import { startDaemonProcess } from '../support/daemonProcess.ts';
import { startTestSmtp, type TestSmtp } from '../support/smtpServer.ts';
import { until } from '../support/until.ts';

/**
 * The alert mail of the real daemon, end to end: a child process configured for a real SMTP
 * server (smtp-server with AUTH, in this process) mails its start, a test mail asked for over
 * HTTP by an admin, and its stop with the reason.
 */
const servers: TestSmtp[] = [];
test.after.always(async () => {
  await Promise.all(servers.map((server) => server.stop()));
});

test('the daemon mails its start, a test mail asked for by an admin over HTTP, and its stop with the reason', async (t) => {
  const smtp = await startTestSmtp({ user: 'loader', password: 'smtp-secret' });
  servers.push(smtp);
  const databaseUrl = await createTestDatabase(t);
  const daemon = await startDaemonProcess(t, {
    databaseUrl,
    config: {
      alerts: {
        smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: 'loader', password: 'smtp-secret' },
        from: 'loader@magerstav.sk',
        to: ['it@partner.sk', 'uctovnictvo@magerstav.sk'],
        groupWaitMs: 200,
        evaluateMs: 100,
        retry: { minMs: 200, maxMs: 1_000 },
      },
      // The host's real CPU, disk and memory must not add mails this test does not expect.
      monitor: { enabled: false },
    },
  });
  await daemon.waitForStatus('/health/ready', 200);
  const subjects = () => smtp.received.map((mail) => mail.parsed.subject ?? '');

  const started = await until('the start mail', () => smtp.received.find((m) => /spustila/.test(m.parsed.text ?? '')));
  t.deepEqual(started.to.sort(), ['it@partner.sk', 'uctovnictvo@magerstav.sk']);
  t.is(started.user, 'loader', 'the mail went out through the authenticated login');

  // The integration token (role operator) may not send mail on the administrator's behalf.
  const refused = await daemon.request('/api/alerts/test', { method: 'POST' });
  t.is(refused.status, 403);
  const token = await adminToken(databaseUrl, 'zuzana');
  const asked = await daemon.request('/api/alerts/test', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    token: null,
  });
  t.is(asked.status, 200, await asked.clone().text());
  t.like(await asked.json(), { sent: true, to: ['it@partner.sk', 'uctovnictvo@magerstav.sk'] });
  const testMail = await until('the test mail', () =>
    smtp.received.find((m) => /^\[TEST\]/.test(m.parsed.subject ?? '')),
  );
  t.regex(testMail.parsed.text ?? '', /na žiadosť: zuzana \(token zuzana-token\)/, 'the mail names who asked');

  const before = smtp.received.length;
  daemon.signal('SIGTERM');
  t.is(await daemon.waitForExit(30_000), 0);
  const stopped = smtp.received.slice(before).find((m) => /zastavuje/.test(m.parsed.text ?? ''));
  t.truthy(stopped, `the stop mail arrived before the daemon exited; subjects: ${JSON.stringify(subjects())}`);
  t.regex(stopped!.parsed.text ?? '', /SIGTERM/, 'the stop mail gives the reason');
  t.is(subjects().filter((s) => /^\[TEST\]/.test(s)).length, 1, 'each mail once');
});
