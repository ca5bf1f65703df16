import { hostname, userInfo } from 'node:os';
import type { CommandModule } from 'yargs';
import { renderTestMail, type MailContext } from '../../alerts/alertMail.ts';
import { addSilence, endSilences, listAlerts, loadSilences, recordNotification } from '../../alerts/alertStore.ts';
import { createMailTransport, smtpConfigured, type MailTransport } from '../../alerts/mailTransport.ts';
import { reportPeriod, type ReportKind } from '../../alerts/reportSchedule.ts';
import { reportTimes, sendReport } from '../../alerts/reports.ts';
import type { Config } from '../../config/schema.ts';
import { LoaderError } from '../../errors.ts';
import { withCliDatabase } from '../cliDatabase.ts';
import { configOption, loadConfigOrExit } from '../configOption.ts';
import { parseDuration } from '../logTail.ts';
import { plainTable, utcTime } from './invoices.ts';
import { exitOnFailure } from '../exitOnFailure.ts';

/**
 * `alerts list|test|silence|unsilence` and `reports send daily|weekly`: the alert history, a
 * test mail, silences with who and why, and a report sent now for the period so far.
 */
const mailContext = (config: Config): MailContext => ({
  locale: config.alerts.locale,
  timeZone: config.alerts.timeZone,
  customer: config.customer.name,
  host: hostname(),
});

async function withTransport<T>(config: Config, work: (transport: MailTransport) => Promise<T>): Promise<T> {
  if (!smtpConfigured(config.alerts))
    throw new LoaderError(
      'ALERTS_NOT_CONFIGURED',
      'Alert mail is not configured: set alerts.smtp.host, alerts.from and alerts.to.',
    );
  const transport = createMailTransport(config.alerts);
  try {
    return await work(transport);
  } finally {
    transport.close();
  }
}

const who = (as: string | undefined) => `${as?.trim() || userInfo().username} (cli)`;

const list: CommandModule<object, { config?: string; since: string; json?: boolean }> = {
  command: 'list',
  describe: 'alerts fired or resolved in the period, and the active silences',
  builder: (y) =>
    y.options({
      ...configOption,
      since: { type: 'string', default: '24h', describe: 'how far back: 90m, 24h, 7d' },
      json: { type: 'boolean', describe: 'print them as JSON' },
    }),
  handler: (argv) =>
    exitOnFailure(async () => {
      const { config } = loadConfigOrExit(argv.config);
      const since = Date.now() - parseDuration(argv.since);
      const [alerts, silences] = await withCliDatabase(
        config,
        async (pool) => [await listAlerts(pool, since), await loadSilences(pool, Date.now())] as const,
      );
      if (argv.json) return console.log(JSON.stringify({ alerts, silences }, null, 2));
      const table = plainTable(['fired (UTC)', 'severity', 'key', 'state', 'mails', 'summary']);
      for (const a of alerts)
        table.push([
          utcTime(new Date(a.firedAt).toISOString()),
          a.severity,
          a.key,
          a.kind === 'notice'
            ? 'notice'
            : a.resolvedAt
              ? `resolved ${utcTime(new Date(a.resolvedAt).toISOString())}`
              : 'firing',
          a.notifications,
          a.summary,
        ]);
      console.log(alerts.length ? table.toString() : `No alerts since ${argv.since} ago.`);
      for (const s of silences)
        console.log(`silenced ${s.matcher} until ${new Date(s.endsAt).toISOString()} by ${s.createdBy}: ${s.reason}`);
    }),
};

const testMail: CommandModule<object, { config?: string; as?: string }> = {
  command: 'test',
  describe: 'send a test mail to alerts.to',
  builder: (y) => y.options({ ...configOption, as: { type: 'string', describe: 'who asks (shown in the mail)' } }),
  handler: (argv) =>
    exitOnFailure(async () => {
      const { config } = loadConfigOrExit(argv.config);
      await withTransport(config, async (transport) => {
        const now = Date.now();
        const mail = renderTestMail(mailContext(config), now, who(argv.as));
        const messageId = await transport.send({ to: config.alerts.to, ...mail });
        await withCliDatabase(config, (pool) =>
          recordNotification(pool, {
            now,
            kind: 'test',
            subject: mail.subject,
            recipients: config.alerts.to,
            messageId,
          }),
        );
        console.log(`Test mail sent to ${config.alerts.to.join(', ')}.`);
      });
    }),
};

const silence: CommandModule<object, { config?: string; key: string; for: string; reason?: string; as?: string }> = {
  command: 'silence <key>',
  describe: 'hold back the mail of an alert key (or a pattern with *) for a while',
  builder: (y) =>
    y.positional('key', { type: 'string', demandOption: true, describe: 'e.g. disk:/data or disk:*' }).options({
      ...configOption,
      for: { type: 'string', demandOption: true, describe: 'how long: 30m, 2h, 1d' },
      reason: { type: 'string', describe: 'why (kept with the silence)' },
      as: { type: 'string', describe: 'who silences' },
    }),
  handler: (argv) =>
    exitOnFailure(async () => {
      const { config } = loadConfigOrExit(argv.config);
      if (!argv.reason?.trim()) throw new LoaderError('SILENCE_REASON', 'Say why with --reason "…".');
      const now = Date.now();
      const endsAt = now + parseDuration(argv.for);
      await withCliDatabase(config, (pool) =>
        addSilence(pool, { matcher: argv.key, startsAt: now, endsAt, createdBy: who(argv.as), reason: argv.reason! }),
      );
      console.log(`${argv.key} is silenced until ${new Date(endsAt).toISOString()}.`);
    }),
};

const unsilence: CommandModule<object, { config?: string; key: string }> = {
  command: 'unsilence <key>',
  describe: 'end the silences of a key now',
  builder: (y) => y.positional('key', { type: 'string', demandOption: true }).options(configOption),
  handler: (argv) =>
    exitOnFailure(async () => {
      const { config } = loadConfigOrExit(argv.config);
      const ended = await withCliDatabase(config, (pool) => endSilences(pool, argv.key, Date.now()));
      console.log(
        ended ? `${ended} silence(s) of ${argv.key} ended.` : `No active silence matches ${argv.key} exactly.`,
      );
    }),
};

export const alertsCommand: CommandModule = {
  command: 'alerts <command>',
  describe: 'alert history, test mail, silences',
  builder: (y) => y.command(list).command(testMail).command(silence).command(unsilence).demandCommand(1),
  handler: () => {},
};

const sendCommand: CommandModule<object, { config?: string; kind: string; to?: string }> = {
  command: 'send <kind>',
  describe: 'send the daily or weekly report now, for the period so far',
  builder: (y) =>
    y
      .positional('kind', { choices: ['daily', 'weekly'], demandOption: true })
      .options({ ...configOption, to: { type: 'string', describe: 'a recipient instead of alerts.to' } }),
  handler: (argv) =>
    exitOnFailure(async () => {
      const { config } = loadConfigOrExit(argv.config);
      await withTransport(config, async (transport) => {
        const now = Date.now();
        const kind = argv.kind as ReportKind;
        const subject = await withCliDatabase(config, (pool) =>
          sendReport(
            pool,
            kind,
            reportPeriod(kind, now, reportTimes(config.alerts)),
            {
              settings: config.alerts,
              mail: mailContext(config),
              extras: () => ({ uptimeS: 0, restarts: 0, lastBackup: null, lastDrill: null }),
              to: argv.to ? [argv.to] : undefined,
              now,
            },
            (mail) => transport.send(mail),
          ),
        );
        console.log(`Sent: ${subject}`);
      });
    }),
};

export const reportsCommand: CommandModule = {
  command: 'reports <command>',
  describe: 'send the daily or weekly report',
  builder: (y) => y.command(sendCommand).demandCommand(1),
  handler: () => {},
};
