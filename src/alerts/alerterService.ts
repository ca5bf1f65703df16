import type pg from 'pg';
import { fromCallback, fromPromise } from 'xstate';
import { DEFAULT_INHIBITIONS, planMail, type PolicySettings } from '../../machines/alertPolicy.ts';
import type { AlertNoticeEvent, NoticeInput } from '../../machines/alerter.ts';
import type { AlertSyncEvent } from '../../machines/monitor.ts';
import type { AlertsConfig } from '../config/alertsSchema.ts';
import { errorCode, errorMessage } from '../errors.ts';
import type { Logger } from '../runtime/logger.ts';
import { renderAlertMail, renderTestMail, type MailContext } from './alertMail.ts';
import {
  ALERTS_LOCK,
  loadPending,
  loadSilences,
  markFailed,
  markSent,
  recordNotice,
  recordNotification,
  recordSync,
} from './alertStore.ts';
import { createMailTransport, smtpConfigured, type MailTransport, type OutgoingMail } from './mailTransport.ts';

/** Something due besides alerts (the reports): run under the same lock, with the same transport. */
export type DueWork = (
  client: pg.ClientBase,
  now: number,
  send: (mail: OutgoingMail) => Promise<string | null>,
) => Promise<void>;

export interface AlerterDeps {
  settings: AlertsConfig;
  mail: MailContext;
  pool: () => pg.Pool;
  logger: Logger;
  /** Tests pass a transport; by default one is made from alerts.smtp when it is configured. */
  transport?: MailTransport | undefined;
  dueWork?: DueWork;
  /**
   * `always`: this alerter mails (one daemon on its database). `whenLeading`: several daemons
   * share the database and only the one running the `alertMail` singleton mails and sends the
   * reports; the others store what they hear, and the mailer sends it (docs/alerts.md).
   */
  mailing?: 'always' | 'whenLeading';
}

/**
 * Whether this daemon mails: `here` while it runs the alertMail singleton, `elsewhere` once
 * another daemon was seen holding it, `unknown` before either (or after this one lost it).
 */
type MailRole = 'here' | 'elsewhere' | 'unknown';

export interface AlerterStatus {
  /** not_configured is not a failure: the alerts are recorded, only not mailed. */
  smtp: 'not_configured' | 'unverified' | 'ok' | 'failed';
  detail: string | null;
  queued: number;
  lastSentAt: string | null;
  lastError: string | null;
  failures: number;
}

const MAX_QUEUED = 1000;

/**
 * The I/O of machines/alerter.ts. What arrives waits in `queued` (process memory, so a restart
 * of the actor loses nothing) until a dispatch has stored it; from then on the database is the
 * truth: what fired, what was mailed when, what is owed. While the database is away, a
 * critical condition (the database being down, above all) is mailed from memory and stored as
 * mailed once it is back.
 */
export function createAlerter(deps: AlerterDeps) {
  const { settings } = deps;
  const log = deps.logger.child({ actor: 'alerter' });
  const configured = settings.enabled && smtpConfigured(settings);
  const transport = deps.transport ?? (configured ? createMailTransport(settings) : undefined);
  const queued: Array<AlertSyncEvent | AlertNoticeEvent> = [];
  const mailedWithoutDatabase = new Map<string, number>();
  const status: AlerterStatus = {
    smtp: transport ? 'unverified' : 'not_configured',
    detail: transport ? null : 'alerts.smtp.host, alerts.from or alerts.to is not set',
    queued: 0,
    lastSentAt: null,
    lastError: null,
    failures: 0,
  };
  let role: MailRole = deps.mailing === 'whenLeading' ? 'unknown' : 'here';
  let shutdownReason = 'requested';
  let toldNotConfigured = false;
  const policy = (groupWaitMs = settings.groupWaitMs): PolicySettings => ({
    groupWaitMs,
    repeat: settings.repeat,
    inhibitions: DEFAULT_INHIBITIONS,
  });
  const source = (name: string) => `${name}@${deps.mail.host}`;

  function enqueue(event: AlertSyncEvent | AlertNoticeEvent) {
    if (event.type === 'alert.sync') {
      // Only the newest report of a source matters: it is the whole set.
      const older = queued.findIndex((e) => e.type === 'alert.sync' && e.source === event.source);
      if (older >= 0) queued.splice(older, 1);
    }
    queued.push(event);
    if (queued.length > MAX_QUEUED) queued.splice(0, queued.length - MAX_QUEUED);
    status.queued = queued.length;
  }

  async function send(mail: OutgoingMail, now: number): Promise<string | null> {
    const messageId = await transport!.send(mail);
    status.lastSentAt = new Date(now).toISOString();
    return messageId;
  }

  async function store(db: pg.ClientBase) {
    while (queued.length) {
      const event = queued[0]!;
      if (event.type === 'alert.sync')
        await recordSync(db, source(event.source), event.firing, event.at, (key) => mailedWithoutDatabase.get(key));
      else await recordNotice(db, event.notice, source('daemon'));
      queued.shift();
    }
    mailedWithoutDatabase.clear();
    status.queued = 0;
  }

  /**
   * The database is away: mail the critical conditions the monitor reports, once each. The
   * outage also ends the mailer's lock session, so `unknown` mails too (the mailer that just
   * lost its lock); only a daemon that saw another one holding it stays quiet.
   */
  async function mailWithoutDatabase(now: number) {
    if (!transport || role === 'elsewhere') return;
    const firing = queued
      .filter((e): e is AlertSyncEvent => e.type === 'alert.sync')
      .flatMap((e) => e.firing)
      .filter((f) => f.severity === 'critical' && !mailedWithoutDatabase.has(f.key))
      .filter((f) => now - f.at >= settings.groupWaitMs);
    if (!firing.length) return;
    const plan = {
      firing: firing.map((f, i) => ({
        id: -(i + 1),
        ...f,
        kind: 'condition' as const,
        labels: {},
        firedAt: f.at,
        resolvedAt: null,
        notifiedAt: null,
        resolvedNotifiedAt: null,
        mailFailedAt: null,
      })),
      resolved: [],
      held: [],
    };
    const mail = renderAlertMail(plan, deps.mail);
    await send({ to: settings.to, ...mail }, now);
    for (const f of firing) mailedWithoutDatabase.set(f.key, now);
    log.warn(
      { keys: firing.map((f) => f.key), code: 'ALERT_SENT_WITHOUT_DATABASE' },
      'alert mailed while the database is unavailable',
    );
  }

  async function dispatch(now: number, groupWaitMs = settings.groupWaitMs): Promise<number> {
    let client: pg.PoolClient;
    try {
      client = await deps.pool().connect();
    } catch (error) {
      log.debug({ err: error }, 'alerter: no database; alerts wait in memory');
      await mailWithoutDatabase(now);
      return 0;
    }
    // pg emits 'error' on a checked-out client whose connection ends; unheard, it would end the
    // daemon (see db/transaction.ts). The failing query rejects anyway; the client is released broken.
    let broken: Error | undefined;
    const markBroken = (error: Error) => {
      broken ??= error;
    };
    client.on('error', markBroken);
    try {
      await store(client);
      // Another daemon runs the alertMail singleton: what this one heard is stored for it to mail.
      if (role !== 'here') return 0;
      await client.query('BEGIN');
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        ALERTS_LOCK,
      ]);
      // Another daemon on this database mails this round (kept beside the singleton: a mailer that
      // lost its lock session but has not noticed yet must still not mail the same alert twice).
      if (!rows[0]!.locked) return await commit(client, 0);
      const plan = planMail(await loadPending(client), await loadSilences(client, now), policy(groupWaitMs), now);
      let sent = 0;
      if (plan && !transport) {
        if (!toldNotConfigured)
          log.info(
            { code: 'ALERTS_NOT_CONFIGURED' },
            'alerts are recorded but not mailed: alerts.smtp is not configured',
          );
        toldNotConfigured = true;
      } else if (plan) {
        const mail = renderAlertMail(plan, deps.mail);
        try {
          const messageId = await send({ to: settings.to, ...mail }, now);
          await markSent(client, plan, { now, subject: mail.subject, recipients: settings.to, messageId });
          sent++;
          log.info(
            { firing: plan.firing.map((a) => a.key), resolved: plan.resolved.map((a) => a.key) },
            `alert mail sent: ${mail.subject}`,
          );
        } catch (error) {
          await markFailed(client, plan, now);
          await client.query('COMMIT');
          throw error;
        }
      }
      await client.query('COMMIT');
      // The reports in a transaction of their own: a failed report must not take back a sent alert's mark.
      if (transport && deps.dueWork) {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [ALERTS_LOCK]);
        await deps.dueWork(client, now, (mail) => send(mail, now));
        await client.query('COMMIT');
      }
      status.failures = 0;
      status.lastError = null;
      return sent;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      status.failures++;
      status.lastError = errorMessage(error);
      throw error;
    } finally {
      client.removeListener('error', markBroken);
      client.release(broken);
    }
  }

  async function commit(client: pg.ClientBase, sent: number) {
    await client.query('COMMIT');
    return sent;
  }

  async function verify(): Promise<string> {
    if (!transport) {
      log.info({ code: 'ALERTS_NOT_CONFIGURED' }, `alert mail is off: ${status.detail}`);
      return 'not configured';
    }
    try {
      status.detail = await transport.verify();
      status.smtp = 'ok';
      log.info({}, `alert mail: ${status.detail}`);
    } catch (error) {
      status.smtp = 'failed';
      status.detail = errorMessage(error);
      log.warn({ err: error, code: errorCode(error) ?? 'SMTP_FAILED' }, status.detail);
    }
    return status.smtp;
  }

  /** The test mail of `POST /api/alerts/test`: sent at once, recorded in the notification log. */
  async function sendTest(requestedBy: string): Promise<string[]> {
    if (!transport) throw new Error(`alert mail is not configured: ${status.detail}`);
    const now = Date.now();
    const mail = renderTestMail(deps.mail, now, requestedBy);
    const messageId = await send({ to: settings.to, ...mail }, now);
    await recordNotification(deps.pool(), {
      now,
      kind: 'test',
      subject: mail.subject,
      recipients: settings.to,
      messageId,
    });
    return settings.to;
  }

  function notice(input: NoticeInput) {
    enqueue({ type: 'alert.notice', notice: input });
  }

  return {
    status: (): AlerterStatus => ({ ...status }),
    notice,
    enqueue,
    dispatch,
    verify,
    sendTest,
    setShutdownReason: (reason: string) => (shutdownReason = reason),
    close: () => transport?.close(),
    /** The `alertMail` singleton's child (machines/service.ts): while it runs, this daemon mails. */
    mailerActors: {
      watch: fromCallback(() => {
        role = 'here';
        return () => {
          if (role === 'here') role = 'unknown';
        };
      }),
    },
    /** The alertMail lock is held by another daemon: store only, and stay quiet during an outage. */
    mailedElsewhere: () => {
      if (role !== 'here') role = 'elsewhere';
    },
    actors: {
      verify: fromPromise<string>(() => verify()),
      dispatch: fromPromise<number, { now: number }>(({ input }) => dispatch(input.now)),
      farewell: fromPromise<void>(async () => {
        const now = Date.now();
        notice({
          condition: 'daemon_stopped',
          component: deps.mail.host,
          severity: 'info',
          summary:
            deps.mail.locale === 'sk'
              ? `Služba sa zastavuje: ${shutdownReason}`
              : `The daemon is stopping: ${shutdownReason}`,
          at: now,
        });
        await dispatch(now, 0).catch((error) =>
          log.warn(
            { err: error, code: errorCode(error) },
            'the shutdown notice could not be mailed; it is sent at the next start',
          ),
        );
      }),
    },
    actions: {
      enqueue: (_args: unknown, params: { event: AlertSyncEvent | AlertNoticeEvent }) => enqueue(params.event),
      dispatchFailed: (_args: unknown, params: { error: unknown; failures: number; retryInMs: number }) =>
        log.warn(
          {
            err: params.error,
            code: errorCode(params.error) ?? 'ALERT_SEND_FAILED',
            failures: params.failures,
            retry_in_ms: params.retryInMs,
          },
          `alert mail could not be sent; trying again in ${Math.round(params.retryInMs / 1000)} s`,
        ),
    },
  };
}

export type Alerter = ReturnType<typeof createAlerter>;

/** The alerter in /health: a failed login warns (alerts cannot go out); no SMTP configured is not a failure. */
export function alerterCheck(status: AlerterStatus, time = new Date().toISOString()) {
  const output =
    status.smtp === 'not_configured'
      ? `not configured: ${status.detail}`
      : status.smtp === 'failed'
        ? status.detail
        : status.lastError
          ? `the last send failed: ${status.lastError}`
          : status.detail;
  return {
    componentId: 'smtp',
    status: status.smtp === 'failed' || status.lastError ? ('warn' as const) : ('pass' as const),
    observedValue: status.smtp,
    time,
    ...(output ? { output } : {}),
  };
}
