import type pg from 'pg';
import { THRESHOLD_NAMES } from '../../src/config/alertsSchema.ts';
import { freePort } from '../../src/runtime/freePort.ts';
import { startTestSmtp, type TestSmtp } from '../support/smtpServer.ts';
import { tcpProxy } from '../support/tcpProxy.ts';
import { until } from '../support/until.ts';
import { corpus, feed, sleep } from './feeds.ts';
import { chaosGateway, gatewaySettings } from './gatewayStorm.ts';
import { DaemonSeat, FAST, poolFor, scenarioDatabase, settle, type Scenario } from './harness.ts';
import { addTallies, type Tally } from './ledger.ts';

/**
 * (f) SMTP down during an incident. The mail server is cut (a forwarder in front of it is
 * closed: connections refused), then the NEX gateway goes down while invoices arrive, so the
 * breaker opens and its alert fires; the daemon is killed (SIGKILL) and started again while
 * mail is still down, so what is owed must survive in PostgreSQL; the gateway comes back, the
 * alert resolves, every invoice is posted; then the mail server comes back.
 *
 * Counted besides the invoices, per alert the database holds: lost = never mailed (or its
 * resolution never mailed); duplicated = in more than one mail, or a mail the SMTP server
 * received that the daemon did not record (sent, then sent again).
 */
function onlyTheBreakerThreshold() {
  const off = { warning: null, critical: null, forMs: 0, hysteresis: 0 };
  return {
    ...Object.fromEntries(THRESHOLD_NAMES.map((name) => [name, off])),
    nexBreakerOpenMinutes: { warning: 0, critical: null, forMs: 0, hysteresis: 0 },
  };
}

interface AlertRow {
  id: string;
  key: string;
  kind: string;
  notified_at: Date | null;
  resolved_at: Date | null;
  resolved_notified_at: Date | null;
}

async function alertLedger(pool: pg.Pool, smtp: TestSmtp, mailedBeforeCut: number): Promise<Tally & { mails: number }> {
  const alerts = (await pool.query<AlertRow>('SELECT * FROM alerts ORDER BY id')).rows;
  const notifications = (
    await pool.query<{ alert_ids: string[] }>("SELECT alert_ids FROM alert_notifications WHERE kind = 'alerts'")
  ).rows;
  const mails = new Map<string, number>();
  for (const row of notifications)
    for (const id of row.alert_ids) mails.set(String(id), (mails.get(String(id)) ?? 0) + 1);
  const result: Tally & { mails: number } = {
    submitted: alerts.length,
    processed: 0,
    lost: 0,
    duplicated: 0,
    pending: 0,
    notes: [],
    mails: smtp.received.length - mailedBeforeCut,
  };
  for (const alert of alerts) {
    const owed =
      alert.notified_at === null ||
      (alert.kind === 'condition' && alert.resolved_at !== null && alert.resolved_notified_at === null);
    const count = mails.get(String(alert.id)) ?? 0;
    if (owed || count === 0) {
      result.lost++;
      result.notes.push(`alert ${alert.key} (${alert.kind}) never mailed`);
    } else if (count > 1) {
      result.duplicated++;
      result.notes.push(`alert ${alert.key} in ${count} mails`);
    } else result.processed++;
  }
  const unrecorded = smtp.received.length - notifications.length;
  if (unrecorded > 0) {
    result.duplicated += unrecorded;
    result.notes.push(`${unrecorded} mail(s) received that the daemon did not record`);
  }
  return result;
}

export const smtpOutage: Scenario = {
  id: 'f',
  name: 'smtp outage',
  async run(ctx) {
    const count = ctx.profile === 'long' ? 300 : 60;
    const smtp = await startTestSmtp({ user: 'loader', password: 'chaos-smtp' });
    ctx.cleanup.defer(() => smtp.stop());
    const proxyPort = await freePort();
    const proxy = tcpProxy(proxyPort, '127.0.0.1', smtp.port);
    await proxy.open();
    ctx.cleanup.defer(() => proxy.close());
    const simulator = await chaosGateway('chaos-smtp', ctx.seed);
    ctx.cleanup.defer(() => simulator.close());
    const url = await scenarioDatabase(ctx, 'f');
    const seat = await DaemonSeat.open(ctx, {
      databaseUrl: url,
      config: {
        ...FAST,
        nex: {
          ...gatewaySettings(simulator.url, 'chaos-smtp'),
          // The outage's length depends on the machine's load; its invoices must wait it out, not
          // run out of attempts (a dead letter is by design after nex.retry, and not this scenario's subject).
          retry: { minMs: 200, maxMs: 1_000, maxAttempts: 1_000, maxRetryTimeMs: 600_000 },
          // The outage hits imports only (reads failing would make matching wait for a person). Each
          // failed import is followed by a successful reconciliation lookup, so the failure share
          // hovers at 50 %, on the default threshold: below it the breaker opens every time.
          breaker: { errorThresholdPercentage: 30, volumeThreshold: 10, rollingCountMs: 5_000, resetTimeoutMs: 1_000 },
        },
        monitor: {
          enabled: true,
          intervalMs: 300,
          thresholds: onlyTheBreakerThreshold(),
          intakeSilence: { enabled: false },
        },
        alerts: {
          smtp: { host: '127.0.0.1', port: proxyPort, secure: false, user: 'loader', password: 'chaos-smtp' },
          from: 'loader@magerstav.sk',
          to: ['it@partner.sk'],
          groupWaitMs: 300,
          evaluateMs: 200,
          retry: { minMs: 300, maxMs: 2_000 },
          repeat: { criticalMs: 3_600_000, warningMs: 3_600_000 },
          reports: { daily: { enabled: false }, weekly: { enabled: false } },
        },
      },
    });
    await seat.current.waitForStatus('/health/ready', 200);
    const pool = poolFor(ctx, url);
    await until('the start mail', () => (smtp.received.length > 0 ? true : undefined), { timeoutMs: 30_000 });
    const mailedBeforeCut = smtp.received.length;

    await proxy.close();
    simulator.setFaults({ outage: true });
    ctx.log('SMTP cut, NEX gateway down');
    const docs = corpus(count, ['drop', 'http']);
    await feed({ daemon: () => seat.current, inbox: seat.inbox }, docs, { pauseMs: 100 });
    await until(
      'the breaker alert to fail to be mailed',
      async () =>
        (
          await pool.query(
            "SELECT 1 FROM alerts WHERE condition = 'nex_breaker_open' AND mail_failed_at IS NOT NULL LIMIT 1",
          )
        ).rowCount
          ? true
          : undefined,
      { timeoutMs: 60_000 },
    ).catch(async (error) => {
      const alerts = (await pool.query('SELECT key, notified_at, mail_failed_at, resolved_at FROM alerts')).rows;
      const breaker = seat.current.logs.filter((e) => e.code === 'NEX_BREAKER_OPEN').length;
      const statuses = (await pool.query('SELECT status, count(*)::int AS n FROM invoices GROUP BY status')).rows;
      throw new Error(
        `${(error as Error).message}; alerts ${JSON.stringify(alerts)}; breaker opened ${breaker}×; ` +
          `invoices ${JSON.stringify(statuses)}; gateway ${JSON.stringify(simulator.requests)}`,
        { cause: error },
      );
    });
    await seat.kill();
    seat.restart();
    await seat.current.waitForStatus('/health/ready', 200, 60_000);
    ctx.log('the breaker alert is owed; daemon killed and started again while SMTP is down');
    await sleep(2_000);
    simulator.clearFaults();
    const invoices = await settle(
      { pool, docs, postings: { gateway: () => simulator.documents }, inbox: seat.inbox },
      120_000,
    );
    await until(
      'the breaker alert to resolve',
      async () =>
        (await pool.query("SELECT 1 FROM alerts WHERE condition = 'nex_breaker_open' AND resolved_at IS NULL LIMIT 1"))
          .rowCount === 0
          ? true
          : undefined,
      { timeoutMs: 60_000 },
    );
    const heldBack = smtp.received.length - mailedBeforeCut;

    await proxy.open();
    ctx.log('SMTP back');
    const owed = `SELECT count(*)::int AS n FROM alerts
      WHERE notified_at IS NULL OR (kind = 'condition' AND resolved_at IS NOT NULL AND resolved_notified_at IS NULL)`;
    await until('every owed alert mailed', async () => ((await pool.query(owed)).rows[0].n === 0 ? true : undefined), {
      timeoutMs: 60_000,
    }).catch(() => undefined);
    // Anything sent twice would arrive within a few retry rounds.
    await sleep(3_000);
    const alerts = await alertLedger(pool, smtp, mailedBeforeCut);
    const failures = heldBack === 0 ? [] : [`${heldBack} mail(s) arrived while SMTP was cut`];
    // At least: each process's start notice, and the breaker that opened.
    if (alerts.submitted < 3) failures.push(`only ${alerts.submitted} alert(s) were recorded`);
    return {
      tally: addTallies(invoices, alerts),
      detail: `${invoices.submitted} invoices + ${alerts.submitted} alerts; ${alerts.mails} mail(s) after SMTP came back`,
      failures,
    };
  },
};
