import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import pino from 'pino';
import { createActor } from 'xstate';
import type pg from 'pg';
import type { FiringCondition } from '../../machines/monitor.ts';
import { createAlerter } from '../../src/alerts/alerterService.ts';
import { addSilence, listAlerts } from '../../src/alerts/alertStore.ts';
import type { AlertsConfig } from '../../src/config/alertsSchema.ts';
import { loadConfig } from '../../src/config/load.ts';
import { migratedPool } from '../support/migratedDatabase.ts';
import { selfSignedCertificate, startTestSmtp, type TestSmtp } from '../support/smtpServer.ts';

const T0 = Date.parse('2026-12-07T08:00:00Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const servers: TestSmtp[] = [];
const dirs: string[] = [];
test.after.always(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const defaults = loadConfig({ env: {} }).config;
const mailContext = {
  locale: 'sk' as const,
  timeZone: 'Europe/Bratislava',
  customer: 'Mágerstav s.r.o.',
  host: 'test-host',
};

function settingsFor(smtp: TestSmtp, overrides: Partial<AlertsConfig['smtp']> = {}): AlertsConfig {
  return {
    ...defaults.alerts,
    smtp: {
      ...defaults.alerts.smtp,
      host: '127.0.0.1',
      port: smtp.port,
      user: 'alerts',
      password: 'secret',
      ...overrides,
    },
    from: 'loader@magerstav.sk',
    to: ['it@partner.sk', 'uctovnictvo@magerstav.sk'],
  };
}

async function harness(
  t: ExecutionContext,
  smtpOptions: Parameters<typeof startTestSmtp>[0] = { user: 'alerts', password: 'secret' },
) {
  const smtp = await startTestSmtp(smtpOptions);
  servers.push(smtp);
  const pool = await migratedPool(t);
  const make = (settings = settingsFor(smtp)) => {
    const alerter = createAlerter({ settings, mail: mailContext, pool: () => pool, logger: pino({ level: 'silent' }) });
    t.teardown(() => alerter.close());
    return alerter;
  };
  return { smtp, pool, make };
}

const condition = (key: string, severity: FiringCondition['severity'], at: number, summary = key): FiringCondition => {
  const [name, ...rest] = key.split(':');
  return { key, condition: name!, component: rest.join(':'), severity, summary, at };
};
const sync = (firing: FiringCondition[], at: number) => ({
  type: 'alert.sync' as const,
  source: 'monitor',
  firing,
  at,
});
const subjects = (smtp: TestSmtp) => smtp.received.map((m) => m.parsed.subject ?? '');
const textOf = (smtp: TestSmtp, i: number) => smtp.received[i]!.parsed.text ?? '';

test('each severity goes out, grouped into one mail after the group wait, with AUTH and to every recipient', async (t) => {
  const { smtp, make } = await harness(t);
  const alerter = make();
  alerter.enqueue(
    sync([condition('cpu:host', 'critical', T0, 'CPU 97 %'), condition('disk:/data', 'warning', T0, 'Disk 85 %')], T0),
  );
  alerter.notice({
    condition: 'daemon_started',
    component: 'test-host',
    severity: 'info',
    summary: 'Služba beží',
    at: T0 + 5 * SECOND,
  });
  t.is(await alerter.dispatch(T0 + 10 * SECOND), 0, 'the group waits groupWaitMs (30 s)');
  t.is(smtp.received.length, 0);
  t.is(await alerter.dispatch(T0 + 30 * SECOND), 1);
  t.is(smtp.received.length, 1, 'three alerts, one mail');
  const mail = smtp.received[0]!;
  t.is(mail.user, 'alerts');
  t.deepEqual(mail.to.sort(), ['it@partner.sk', 'uctovnictvo@magerstav.sk']);
  t.regex(mail.parsed.subject!, /^\[KRITICKÉ\] 3 upozornení: CPU 97 %/);
  const text = mail.parsed.text!;
  t.log(`Subject: ${mail.parsed.subject}\n\n${text}`);
  t.regex(text, /KRITICKÉ\s+cpu:host/);
  t.regex(text, /VAROVANIE\s+disk:\/data/);
  t.regex(text, /INFO\s+daemon_started:test-host/);
  t.truthy(mail.parsed.html, 'an HTML part beside the text');
  t.is(await alerter.dispatch(T0 + 40 * SECOND), 0, 'nothing twice');
});

test('inhibition: while the database is down, the intake and backlog alerts it causes are not mailed', async (t) => {
  const { smtp, make } = await harness(t);
  const alerter = make();
  alerter.enqueue(
    sync([condition('database_down:postgres', 'critical', T0), condition('intake_stale:mailbox', 'warning', T0)], T0),
  );
  await alerter.dispatch(T0 + 30 * SECOND);
  t.is(smtp.received.length, 1);
  t.regex(textOf(smtp, 0), /database_down:postgres/);
  t.notRegex(textOf(smtp, 0), /intake_stale/);
  // The database is back, the mailbox is still stale: now it is its own problem.
  alerter.enqueue(sync([condition('intake_stale:mailbox', 'warning', T0)], T0 + 5 * MINUTE));
  await alerter.dispatch(T0 + 5 * MINUTE);
  t.is(smtp.received.length, 2);
  t.regex(subjects(smtp)[1]!, /^\[VAROVANIE\]/);
  t.regex(
    textOf(smtp, 1),
    /Aktívne upozornenia[\s\S]*intake_stale:mailbox[\s\S]*Vyriešené[\s\S]*database_down:postgres/,
  );
});

test('repeat: a firing critical alert again after 1 h, a warning after 4 h', async (t) => {
  const { smtp, make } = await harness(t);
  const alerter = make();
  alerter.enqueue(sync([condition('memory:host', 'critical', T0), condition('backup_age:backups', 'warning', T0)], T0));
  await alerter.dispatch(T0 + 30 * SECOND);
  t.is(smtp.received.length, 1);
  await alerter.dispatch(T0 + 30 * SECOND + 59 * MINUTE);
  t.is(smtp.received.length, 1, 'not before the hour');
  await alerter.dispatch(T0 + 30 * SECOND + HOUR);
  t.is(smtp.received.length, 2);
  t.regex(textOf(smtp, 1), /KRITICKÉ \(opakovane\)\s+memory:host/);
  t.notRegex(textOf(smtp, 1), /backup_age/);
  for (const hour of [2, 3]) await alerter.dispatch(T0 + 30 * SECOND + hour * HOUR);
  t.is(smtp.received.length, 4);
  await alerter.dispatch(T0 + 30 * SECOND + 4 * HOUR);
  t.is(smtp.received.length, 5);
  t.regex(textOf(smtp, 4), /memory:host[\s\S]*backup_age:backups|backup_age:backups[\s\S]*memory:host/);
});

test('resolved: only for an alert whose firing mail went out', async (t) => {
  const { smtp, make } = await harness(t);
  const alerter = make();
  alerter.enqueue(
    sync(
      [condition('cpu:host', 'critical', T0), condition('rss:process', 'warning', T0 + 20 * SECOND)],
      T0 + 20 * SECOND,
    ),
  );
  await alerter.dispatch(T0 + 30 * SECOND);
  t.is(smtp.received.length, 1, 'both went out together');
  // rss flaps once more: fires and clears within the group wait — never mailed, so no resolved mail for it.
  alerter.enqueue(
    sync([condition('cpu:host', 'critical', T0), condition('eventloop:process', 'warning', T0 + MINUTE)], T0 + MINUTE),
  );
  alerter.enqueue(sync([], T0 + MINUTE + 10 * SECOND));
  await alerter.dispatch(T0 + MINUTE + 10 * SECOND);
  t.is(smtp.received.length, 1, 'the group of the resolved waits too');
  await alerter.dispatch(T0 + MINUTE + 40 * SECOND);
  t.is(smtp.received.length, 2);
  t.regex(subjects(smtp)[1]!, /^\[VYRIEŠENÉ\]/);
  t.regex(textOf(smtp, 1), /cpu:host/);
  t.regex(textOf(smtp, 1), /rss:process/);
  t.notRegex(textOf(smtp, 1), /eventloop/);
  await alerter.dispatch(T0 + 2 * HOUR);
  t.is(smtp.received.length, 2);
});

test('a silence holds an alert back until it ends; its who and why are kept', async (t) => {
  const { smtp, pool, make } = await harness(t);
  const alerter = make();
  await addSilence(pool, {
    matcher: 'disk:*',
    startsAt: T0,
    endsAt: T0 + 2 * HOUR,
    createdBy: 'jana',
    reason: 'disk swap tonight',
  });
  alerter.enqueue(sync([condition('disk:/data', 'critical', T0)], T0));
  await alerter.dispatch(T0 + 30 * SECOND);
  await alerter.dispatch(T0 + HOUR);
  t.is(smtp.received.length, 0);
  await alerter.dispatch(T0 + 2 * HOUR);
  t.is(smtp.received.length, 1, 'mailed once the silence has ended');
  const { rows } = await pool.query('SELECT created_by, reason FROM alert_silences');
  t.deepEqual(rows, [{ created_by: 'jana', reason: 'disk swap tonight' }]);
});

test('no resend after a restart: the notification log in the database is the truth', async (t) => {
  const { smtp, pool, make } = await harness(t);
  const first = make();
  first.enqueue(sync([condition('cpu:host', 'critical', T0)], T0));
  await first.dispatch(T0 + 30 * SECOND);
  t.is(smtp.received.length, 1);
  first.close();
  // A new process: the monitor reports the same firing condition again.
  const second = make();
  second.enqueue(sync([condition('cpu:host', 'critical', T0 + 2 * MINUTE)], T0 + 2 * MINUTE));
  await second.dispatch(T0 + 3 * MINUTE);
  await second.dispatch(T0 + 30 * MINUTE);
  t.is(smtp.received.length, 1);
  const history = await listAlerts(pool, T0 - HOUR);
  t.is(history.length, 1);
  t.is(history[0]!.notifications, 1);
});

test('SMTP down for the whole incident, then up: each mail arrives once', async (t) => {
  const { smtp, make } = await harness(t);
  const alerter = make();
  smtp.refuse(true);
  alerter.enqueue(sync([condition('database_round_trip:postgres', 'warning', T0)], T0));
  alerter.notice({
    condition: 'backup_failed',
    component: 'daily',
    severity: 'critical',
    summary: 'Záloha zlyhala',
    at: T0,
  });
  await t.throwsAsync(alerter.dispatch(T0 + 30 * SECOND), { message: /did not accept the mail/ });
  await t.throwsAsync(alerter.dispatch(T0 + MINUTE));
  // The incident ends while mail still cannot go out.
  alerter.enqueue(sync([], T0 + 10 * MINUTE));
  await t.throwsAsync(alerter.dispatch(T0 + 11 * MINUTE));
  t.is(smtp.received.length, 0);
  smtp.refuse(false);
  await alerter.dispatch(T0 + 12 * MINUTE);
  await alerter.dispatch(T0 + 13 * MINUTE);
  await alerter.dispatch(T0 + 5 * HOUR);
  t.is(smtp.received.length, 1, 'one mail, sent once');
  const text = textOf(smtp, 0);
  t.regex(text, /backup_failed:daily/);
  t.regex(text, /Vyriešené[\s\S]*database_round_trip:postgres/, 'the owed alert, told as resolved');
});

test('STARTTLS with a self-signed certificate made for the test, trusted through caFile', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smtp-tls-'));
  dirs.push(dir);
  const tls = selfSignedCertificate(dir);
  const { smtp, make } = await harness(t, { user: 'alerts', password: 'secret', tls });
  const alerter = make({ ...settingsFor(smtp, { host: 'localhost', caFile: tls.certFile }) });
  t.is(await alerter.verify(), 'ok');
  alerter.notice({ condition: 'test', component: 'tls', severity: 'warning', summary: 'over TLS', at: T0 });
  await alerter.dispatch(T0 + 30 * SECOND);
  t.is(smtp.received.length, 1);
  t.true(smtp.received[0]!.secure, 'the session was upgraded with STARTTLS');
  t.is(alerter.status().smtp, 'ok');
});

test('verify at start: a wrong password is shown in the status, not thrown', async (t) => {
  const { smtp, make } = await harness(t);
  const alerter = make(settingsFor(smtp, { password: 'wrong' }));
  t.is(await alerter.verify(), 'failed');
  t.is(alerter.status().smtp, 'failed');
  t.regex(alerter.status().detail!, /refused the login/);
});

test('no SMTP configured: alerts are recorded, nothing is sent, the status says not configured', async (t) => {
  const { smtp, pool, make } = await harness(t);
  const alerter = make({ ...settingsFor(smtp), smtp: { ...defaults.alerts.smtp } });
  t.is(alerter.status().smtp, 'not_configured');
  alerter.enqueue(sync([condition('cpu:host', 'critical', T0)], T0));
  t.is(await alerter.dispatch(T0 + HOUR), 0);
  t.is(smtp.received.length, 0);
  t.is((await listAlerts(pool as pg.Pool, T0 - HOUR)).length, 1);
});

test('the test mail (alerts test, POST /api/alerts/test) goes to every recipient and into the notification log', async (t) => {
  const { smtp, pool, make } = await harness(t);
  const alerter = make();
  t.deepEqual(await alerter.sendTest('jana'), ['it@partner.sk', 'uctovnictvo@magerstav.sk']);
  t.is(smtp.received.length, 1);
  t.regex(smtp.received[0]!.parsed.subject!, /^\[TEST\] Skúšobná správa/);
  t.regex(smtp.received[0]!.parsed.text!, /na žiadosť: jana/);
  const { rows } = await pool.query(`SELECT kind FROM alert_notifications`);
  t.deepEqual(rows, [{ kind: 'test' }]);
});

test('OAuth2: the login is XOAUTH2 with the access token instead of a password', async (t) => {
  const smtp = await startTestSmtp({ user: 'alerts', password: 'secret', xoauth2Token: 'token-from-entra' });
  servers.push(smtp);
  const pool = await migratedPool(t);
  const settings = settingsFor(smtp, {
    password: '',
    oauth2: { clientId: '', clientSecret: '', refreshToken: '', accessUrl: '', accessToken: 'token-from-entra' },
  });
  const alerter = createAlerter({ settings, mail: mailContext, pool: () => pool, logger: pino({ level: 'silent' }) });
  t.teardown(() => alerter.close());
  alerter.notice({ condition: 'test', component: 'oauth', severity: 'info', summary: 'XOAUTH2', at: T0 });
  await alerter.dispatch(T0 + 30 * SECOND);
  t.is(smtp.received.length, 1);
  t.is(smtp.received[0]!.user, 'alerts');
});

test('several daemons: only the one running alertMail mails; a notice another daemon heard is mailed once, by it', async (t) => {
  const { smtp, pool } = await harness(t);
  const daemon = (db: () => pg.Pool) => {
    const alerter = createAlerter({
      settings: settingsFor(smtp),
      mail: mailContext,
      pool: db,
      logger: pino({ level: 'silent' }),
      mailing: 'whenLeading',
    });
    t.teardown(() => alerter.close());
    return alerter;
  };
  const mailer = daemon(() => pool);
  const role = createActor(mailer.mailerActors.watch).start(); // the alertMail singleton's child runs here
  const standby = daemon(() => pool);
  standby.mailedElsewhere(); // its alertMail wrapper found the lock held

  standby.notice({ condition: 'daemon_started', component: 'host-b', severity: 'info', summary: 'B is up', at: T0 });
  t.is(await standby.dispatch(T0 + 30 * SECOND), 0);
  t.is(smtp.received.length, 0, 'the standing-by daemon does not mail');
  t.is((await listAlerts(pool, T0 - HOUR)).length, 1, 'but stores what it heard');
  t.is(await mailer.dispatch(T0 + 31 * SECOND), 1);
  t.regex(textOf(smtp, 0), /B is up/);
  await standby.dispatch(T0 + 40 * SECOND);
  await mailer.dispatch(T0 + 40 * SECOND);
  t.is(smtp.received.length, 1, 'once');

  // The database goes away, and with it the mailer's lock session: only the daemon that mailed
  // last still mails a critical condition from memory, not the one that saw another mailing.
  role.stop();
  const away = () => {
    throw new Error('the database is not available');
  };
  const lastMailer = createAlerter({
    settings: settingsFor(smtp),
    mail: mailContext,
    pool: away,
    logger: pino({ level: 'silent' }),
    mailing: 'whenLeading',
  });
  t.teardown(() => lastMailer.close());
  const quiet = daemon(away);
  quiet.mailedElsewhere();
  for (const alerter of [lastMailer, quiet]) {
    alerter.enqueue(sync([condition('database:primary', 'critical', T0 + HOUR, 'database down')], T0 + HOUR));
    await alerter.dispatch(T0 + HOUR + MINUTE);
  }
  t.is(smtp.received.length, 2, 'one mail about the outage, not one per daemon');
  t.regex(textOf(smtp, 1), /database down/);
});
