import type pg from 'pg';
import type { AlertsConfig } from '../config/alertsSchema.ts';
import type { Logger } from '../runtime/logger.ts';
import type { MailContext } from './alertMail.ts';
import { recordNotification } from './alertStore.ts';
import { localTime, renderHtml, renderText, type MailSection } from './mailLayout.ts';
import type { OutgoingMail } from './mailTransport.ts';
import { readReportData, type ReportData } from './reportData.ts';
import { latestDue, nextDue, reportPeriod, type ReportKind, type ReportTimes } from './reportSchedule.ts';

/** What the report tells beside the database: backups, drills, restarts and uptime, from the running daemon. */
export interface ReportExtras {
  uptimeS: number;
  restarts: number;
  lastBackup: { at: string; ok: boolean; detail: string } | null;
  lastDrill: { at: string; ok: boolean; detail: string } | null;
}

const words = {
  sk: {
    title: { daily: 'Denný prehľad', weekly: 'Týždenný prehľad' },
    intro: (from: string, to: string) => `Obdobie ${from} – ${to}.`,
    byStatus: 'Faktúry podľa stavu a kanála',
    byStatusHeader: ['Stav', 'Kanál', 'Počet', 'Suma s DPH'],
    none: 'Žiadne.',
    suppliers: 'Dodávatelia s najviac kontrolami',
    suppliersHeader: ['Dodávateľ', 'Kontroly'],
    oldest: 'Najdlhšie čakajúce na kontrolu',
    oldestHeader: ['Dodávateľ', 'Číslo', 'Prijatá', 'ID'],
    dead: 'Neodoslané do NEX (dead letters)',
    deadRow: (open: number, fresh: number) => [`otvorené: ${open}`, `nové v období: ${fresh}`],
    unreadable: 'Nečitateľné doklady',
    unreadableHeader: ['Dôvod', 'Počet'],
    operations: 'Prevádzka',
    backup: 'Posledná záloha',
    drill: 'Posledná skúška obnovy',
    restarts: 'Reštarty aktérov od spustenia',
    uptime: 'Služba beží',
    alerts: 'Upozornenia v období',
    alertsHeader: ['Závažnosť', 'Podmienka', 'Počet'],
    ok: 'v poriadku',
    failed: 'ZLYHALA',
    never: 'zatiaľ žiadna',
  },
  en: {
    title: { daily: 'Daily summary', weekly: 'Weekly report' },
    intro: (from: string, to: string) => `Period ${from} – ${to}.`,
    byStatus: 'Invoices by status and channel',
    byStatusHeader: ['Status', 'Channel', 'Count', 'Gross'],
    none: 'None.',
    suppliers: 'Suppliers with the most reviews',
    suppliersHeader: ['Supplier', 'Reviews'],
    oldest: 'Waiting longest for review',
    oldestHeader: ['Supplier', 'Number', 'Received', 'ID'],
    dead: 'Dead letters',
    deadRow: (open: number, fresh: number) => [`open: ${open}`, `new in period: ${fresh}`],
    unreadable: 'Unreadable documents',
    unreadableHeader: ['Reason', 'Count'],
    operations: 'Operations',
    backup: 'Last backup',
    drill: 'Last restore drill',
    restarts: 'Actor restarts since start',
    uptime: 'Up for',
    alerts: 'Alerts in the period',
    alertsHeader: ['Severity', 'Condition', 'Count'],
    ok: 'ok',
    failed: 'FAILED',
    never: 'none yet',
  },
};

function duration(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return `${d ? `${d} d ` : ''}${h} h ${m} min`;
}

export function renderReport(kind: ReportKind, data: ReportData, extras: ReportExtras, ctx: MailContext) {
  const w = words[ctx.locale];
  const time = (ms: number) => localTime(ms, ctx.timeZone);
  const outcome = (o: ReportExtras['lastBackup']) =>
    o ? `${time(Date.parse(o.at))} ${o.ok ? w.ok : `${w.failed}: ${o.detail}`}` : w.never;
  const sections: MailSection[] = [
    {
      title: w.byStatus,
      header: w.byStatusHeader,
      rows: data.byStatus.map((r) => [r.status, r.channel, String(r.count), `${r.gross} ${r.currency}`.trim()]),
      empty: w.none,
    },
    {
      title: w.suppliers,
      header: w.suppliersHeader,
      rows: data.reviewSuppliers.map((r) => [r.supplier, String(r.reviews)]),
      empty: w.none,
    },
    {
      title: w.oldest,
      header: w.oldestHeader,
      rows: data.oldestWaiting.map((r) => [r.supplier, r.number, time(r.receivedAt), r.id.slice(0, 8)]),
      empty: w.none,
    },
    { title: w.dead, rows: [w.deadRow(data.deadLetters.open, data.deadLetters.newInPeriod)] },
    {
      title: w.unreadable,
      header: w.unreadableHeader,
      rows: data.unreadable.map((r) => [r.reason, String(r.count)]),
      empty: w.none,
    },
    {
      title: w.alerts,
      header: w.alertsHeader,
      rows: data.alerts.map((r) => [r.severity, r.condition, String(r.count)]),
      empty: w.none,
    },
    {
      title: w.operations,
      rows: [
        [w.backup, outcome(extras.lastBackup)],
        [w.drill, outcome(extras.lastDrill)],
        [w.restarts, String(extras.restarts)],
        [w.uptime, duration(extras.uptimeS)],
      ],
    },
  ];
  const subject = `${w.title[kind]} — ${ctx.customer} — ${time(data.to).slice(0, 10)}`;
  const intro = w.intro(time(data.from), time(data.to));
  const footer = `Supplier Invoice Loader · ${ctx.customer} · ${ctx.host}`;
  return {
    subject,
    text: renderText(subject, intro, sections, footer),
    html: renderHtml(subject, 'neutral', intro, sections, footer),
  };
}

export interface ReportDeps {
  settings: AlertsConfig;
  mail: MailContext;
  extras: () => ReportExtras;
  logger: Logger;
}

export const reportTimes = (settings: AlertsConfig): ReportTimes => ({
  timeZone: settings.timeZone,
  daily: settings.reports.daily,
  weekly: settings.reports.weekly,
  workingDays: settings.reports.workingDays,
});

/** One report for a period: rendered, sent, recorded in the notification log. */
export async function sendReport(
  db: pg.ClientBase | pg.Pool,
  kind: ReportKind,
  period: { from: number; to: number },
  deps: Omit<ReportDeps, 'logger'> & { to?: string[] | undefined; now: number },
  send: (mail: OutgoingMail) => Promise<string | null>,
): Promise<string> {
  const mail = renderReport(kind, await readReportData(db, period.from, period.to), deps.extras(), deps.mail);
  const recipients = deps.to ?? deps.settings.to;
  const messageId = await send({ to: recipients, ...mail });
  await recordNotification(db, { now: deps.now, kind: 'report', subject: mail.subject, recipients, messageId });
  return mail.subject;
}

/**
 * The scheduled reports, run by the alerter's dispatch under its lock. Each report's next due
 * instant is a row; a report missed while no daemon ran is sent once (for the latest missed
 * period), and the row lock makes a second daemon on the same database see it already moved.
 */
export function scheduledReports(deps: ReportDeps) {
  const times = reportTimes(deps.settings);
  return async (client: pg.ClientBase, now: number, send: (mail: OutgoingMail) => Promise<string | null>) => {
    for (const kind of ['weekly', 'daily'] as const) {
      if (!deps.settings.reports[kind].enabled) continue;
      const { rows } = await client.query<{ next_due_at: Date }>(
        'SELECT next_due_at FROM report_schedule WHERE kind = $1 FOR UPDATE',
        [kind],
      );
      if (!rows[0]) {
        await client.query('INSERT INTO report_schedule (kind, next_due_at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
          kind,
          new Date(nextDue(kind, now, times)),
        ]);
        continue;
      }
      const stored = rows[0].next_due_at.getTime();
      if (now < stored) continue;
      const due = latestDue(kind, stored, now, times);
      const period = reportPeriod(kind, due, times);
      const subject = await sendReport(client, kind, period, { ...deps, now }, send);
      await client.query(
        `UPDATE report_schedule SET next_due_at = $2, last_sent_at = $3, last_period_start = $4, last_period_end = $5 WHERE kind = $1`,
        [kind, new Date(nextDue(kind, now, times)), new Date(now), new Date(period.from), new Date(period.to)],
      );
      deps.logger.info({ kind, late_ms: now - due }, `report sent: ${subject}`);
    }
  };
}
