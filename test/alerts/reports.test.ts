import test, { type ExecutionContext } from 'ava';
import pino from 'pino';
import { createAlerter } from '../../src/alerts/alerterService.ts';
import { nextDue, reportPeriod, type ReportTimes } from '../../src/alerts/reportSchedule.ts';
import { scheduledReports, sendReport } from '../../src/alerts/reports.ts';
import type { AlertsConfig } from '../../src/config/alertsSchema.ts';
import { loadConfig } from '../../src/config/load.ts';
import { migratedPool } from '../support/migratedDatabase.ts';
import { startTestSmtp, type TestSmtp } from '../support/smtpServer.ts';
import { numberedInvoice, stageInvoice } from '../support/stagedInvoices.ts';

const times: ReportTimes = {
  timeZone: 'Europe/Bratislava',
  daily: { at: '18:00' },
  weekly: { at: '09:00' },
  workingDays: [1, 2, 3, 4, 5],
};
const iso = (ms: number) => new Date(ms).toISOString();
const servers: TestSmtp[] = [];
test.after.always(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

test('the daily report stays at 18:00 Bratislava across the March change and skips the weekend', (t) => {
  const dues: string[] = [];
  let at = Date.parse('2026-03-26T12:00:00Z'); // Thursday
  for (let i = 0; i < 4; i++) dues.push(iso((at = nextDue('daily', at, times))));
  // 29 March 2026, 02:00 → 03:00: winter 17:00 UTC, summer 16:00 UTC.
  t.deepEqual(dues, [
    '2026-03-26T17:00:00.000Z',
    '2026-03-27T17:00:00.000Z',
    '2026-03-30T16:00:00.000Z',
    '2026-03-31T16:00:00.000Z',
  ]);
});

test('the weekly report stays at Monday 09:00 across the October change, and its week has 169 hours', (t) => {
  const first = nextDue('weekly', Date.parse('2026-10-20T12:00:00Z'), times);
  const second = nextDue('weekly', first, times);
  // 25 October 2026, 03:00 → 02:00: summer 07:00 UTC, winter 08:00 UTC.
  t.is(iso(first), '2026-10-26T08:00:00.000Z');
  t.is(iso(second), '2026-11-02T08:00:00.000Z');
  const period = reportPeriod('weekly', first, times);
  t.is(iso(period.from), '2026-10-19T07:00:00.000Z', 'Monday 09:00 summer time');
  t.is((period.to - period.from) / 3_600_000, 169);
  const day = reportPeriod('daily', Date.parse('2026-10-26T17:00:00Z'), times);
  t.is(iso(day.from), '2026-10-25T23:00:00.000Z', 'local midnight in winter time');
});

const defaults = loadConfig({ env: {} }).config;
const mail = { locale: 'sk' as const, timeZone: 'Europe/Bratislava', customer: 'Mágerstav s.r.o.', host: 'test-host' };
const extras = () => ({
  uptimeS: 3 * 86_400 + 4 * 3600 + 5 * 60,
  restarts: 2,
  lastBackup: { at: '2026-12-09T01:00:03Z', ok: true, detail: 'daily backup' },
  lastDrill: { at: '2026-12-06T03:00:00Z', ok: false, detail: 'row counts differ in invoices' },
});

async function seededWeek(t: ExecutionContext) {
  const pool = await migratedPool(t);
  const seed = async (
    n: number,
    status: Parameters<typeof stageInvoice>[2],
    receivedAt: string,
    extra: Record<string, string> = {},
  ) => {
    const id = await stageInvoice(
      pool,
      numberedInvoice(n, { supplier: { ...numberedInvoice(n).supplier, name: extra.supplier ?? 'Stavmat s.r.o.' } }),
      status,
    );
    await pool.query(`UPDATE invoices SET received_at = $2, channel = $3, status_reason = $4 WHERE id = $1`, [
      id,
      receivedAt,
      extra.channel ?? 'email',
      extra.reason ?? null,
    ]);
    return id;
  };
  // Monday 7 – Friday 11 December 2026.
  await seed(1, 'posted', '2026-12-07T07:30:00Z'); // 08:30 local: before the weekly period starts
  await seed(2, 'posted', '2026-12-08T09:00:00Z', { channel: 'drop_folder' });
  await seed(3, 'needs_review', '2026-12-08T10:00:00Z', { supplier: 'Drevona a.s.' });
  await seed(4, 'needs_review', '2026-12-09T10:00:00Z', { supplier: 'Drevona a.s.' });
  await seed(5, 'dead_letter', '2026-12-09T11:00:00Z');
  await seed(6, 'unreadable', '2026-12-09T12:00:00Z', { reason: 'PDF has no text layer' });
  await seed(7, 'posted', '2026-12-09T13:00:00Z');
  await pool.query(
    `INSERT INTO alerts (key, condition, component, severity, kind, source, summary, fired_at, resolved_at)
     VALUES ('disk:/data', 'disk', '/data', 'warning', 'condition', 'monitor@x', 'Disk 85 %', '2026-12-09T05:00:00Z', '2026-12-09T06:00:00Z')`,
  );
  return pool;
}

test('the daily and weekly reports of a seeded week: statuses and amounts, reviews, waiting, dead letters, unreadable, alerts', async (t) => {
  const pool = await seededWeek(t);
  const sent: Array<{ subject: string; text: string; html: string; to: string[] }> = [];
  const deps = {
    settings: { ...defaults.alerts, to: ['it@partner.sk'] },
    mail,
    extras,
    logger: pino({ level: 'silent' }),
  };
  const send = async (m: { subject: string; text: string; html: string; to: string[] }) => {
    sent.push(m);
    return null;
  };
  const wednesday = Date.parse('2026-12-09T17:00:00Z');
  await sendReport(pool, 'daily', reportPeriod('daily', wednesday, times), { ...deps, now: wednesday }, send);
  const monday = Date.parse('2026-12-14T08:00:00Z');
  await sendReport(
    pool,
    'weekly',
    reportPeriod('weekly', monday, times),
    { ...deps, now: monday, to: ['boss@magerstav.sk'] },
    send,
  );
  const [daily, weekly] = sent;
  t.log(daily!.text);
  t.is(daily!.subject, 'Denný prehľad — Mágerstav s.r.o. — 2026-12-09');
  t.regex(daily!.text, /Obdobie 2026-12-09 00:00 – 2026-12-09 18:00/);
  t.regex(daily!.text, /needs_review\s+email\s+1\s+\d+\.\d+ EUR/);
  t.regex(daily!.text, /posted\s+email\s+1/);
  t.notRegex(daily!.text, /drop_folder/, 'Tuesday is not in Wednesday’s report');
  t.regex(daily!.text, /Drevona a\.s\.\s+1/);
  t.regex(daily!.text, /otvorené: 1\s+nové v období: 1/);
  t.regex(daily!.text, /PDF has no text layer\s+1/);
  t.regex(daily!.text, /warning\s+disk\s+1/);
  t.regex(daily!.text, /Posledná skúška obnovy\s+2026-12-06 04:00 ZLYHALA: row counts differ/);
  t.regex(daily!.text, /Služba beží\s+3 d 4 h 5 min/);
  t.regex(daily!.html, /<table role="presentation"/);
  t.notRegex(daily!.html, /<style/, 'inline styles only, for Outlook');
  t.deepEqual(weekly!.to, ['boss@magerstav.sk']);
  t.regex(weekly!.text, /Obdobie 2026-12-07 09:00 – 2026-12-14 09:00/);
  t.regex(weekly!.text, /posted\s+drop_folder\s+1/);
  t.regex(weekly!.text, /posted\s+email\s+1/, 'the Monday 08:30 local invoice belongs to the week before');
  t.regex(weekly!.text, /Drevona a\.s\.\s+2/);
  t.regex(weekly!.text, /Najdlhšie čakajúce[\s\S]*Drevona a\.s\.\s+\S+\s+2026-12-08 11:00/);
});

test('a report missed while no daemon ran is sent once at start, also with two daemons on one database', async (t) => {
  const pool = await seededWeek(t);
  const smtp = await startTestSmtp({ user: 'alerts', password: 'secret' });
  servers.push(smtp);
  const settings: AlertsConfig = {
    ...defaults.alerts,
    smtp: { ...defaults.alerts.smtp, host: '127.0.0.1', port: smtp.port, user: 'alerts', password: 'secret' },
    from: 'loader@magerstav.sk',
    to: ['it@partner.sk'],
  };
  const daemon = () => {
    const logger = pino({ level: 'silent' });
    const alerter = createAlerter({
      settings,
      mail,
      pool: () => pool,
      logger,
      dueWork: scheduledReports({ settings, mail, extras, logger }),
    });
    t.teardown(() => alerter.close());
    return alerter;
  };
  const first = daemon();
  // First start, Monday 7 December 12:00 UTC: the schedule is set up, nothing is owed yet.
  await first.dispatch(Date.parse('2026-12-07T12:00:00Z'));
  const { rows } = await pool.query('SELECT kind, next_due_at FROM report_schedule ORDER BY kind');
  t.deepEqual(
    rows.map((r) => [r.kind, iso(r.next_due_at.getTime())]),
    [
      ['daily', '2026-12-07T17:00:00.000Z'],
      ['weekly', '2026-12-14T08:00:00.000Z'],
    ],
  );
  // Down from Monday afternoon until Wednesday 20:00: two daily reports missed; two daemons start.
  const second = daemon();
  const wednesdayEvening = Date.parse('2026-12-09T19:00:00Z');
  await Promise.all([first.dispatch(wednesdayEvening), second.dispatch(wednesdayEvening)]);
  await first.dispatch(wednesdayEvening + 60_000);
  await second.dispatch(wednesdayEvening + 120_000);
  t.deepEqual(
    smtp.received.map((m) => m.parsed.subject),
    ['Denný prehľad — Mágerstav s.r.o. — 2026-12-09'],
    'the latest missed one, once',
  );
  const { rows: after } = await pool.query(`SELECT next_due_at FROM report_schedule WHERE kind = 'daily'`);
  t.is(iso(after[0].next_due_at.getTime()), '2026-12-10T17:00:00.000Z');
});
