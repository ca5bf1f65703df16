import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { createActor, type AnyActorRef } from 'xstate';
import { daemonTree } from '../../machines/daemon.ts';
import { alerterMachine } from '../../machines/alerter.ts';
import { backupMachine } from '../../machines/backup.ts';
import { databaseMachine } from '../../machines/database.ts';
import { heartbeatMachine } from '../../machines/heartbeat.ts';
import { invoiceMachine } from '../../machines/invoice.ts';
import { claimAndRunMachine } from '../../machines/claimAndRun.ts';
import { mailboxMachine } from '../../machines/mailbox.ts';
import { monitorMachine } from '../../machines/monitor.ts';
import { nexWriterMachine } from '../../machines/nexWriter.ts';
import { serviceMachine } from '../../machines/service.ts';
import { supervisorMachine } from '../../machines/supervisor.ts';
import { createAlerter } from '../alerts/alerterService.ts';
import { createLogSignals, tapLogger } from '../alerts/logNotices.ts';
import { scheduledReports } from '../alerts/reports.ts';
import { createApprovalGate } from '../approval/afterValidation.ts';
import { createBackupService } from '../backup/backupService.ts';
import type { LoadedConfig } from '../config/load.ts';
import { createDatabaseService } from '../db/databaseService.ts';
import { errorCode } from '../errors.ts';
import type { DaemonView } from '../http/app.ts';
import { createDaemonView } from './daemonView.ts';
import { createExtractionPool, workerCount } from '../extract/extractionPool.ts';
import { shippedTemplateDir } from '../extract/shippedTemplates.ts';
import { createHttpService } from '../http/httpService.ts';
import { createDropFolder } from '../intake/dropFolder.ts';
import { mailboxStatus } from '../intake/imap/mailboxStatus.ts';
import { createIngest } from '../intake/ingest.ts';
import { createGatewayClient } from '../nex/gatewayClient.ts';
import { createNexWriterService } from '../nex/nexWriterService.ts';
import { createMonitor, intakeChannels } from '../monitor/monitorService.ts';
import { createInvoicesService } from '../pipeline/invoicesService.ts';
import { lifecycleSteps } from '../pipeline/lifecycleSteps.ts';
import { validateInvoice } from '../validate/validateInvoice.ts';
import { resolveHttpToken } from '../http/token.ts';
import { actorTree, flattenTree } from './actorTree.ts';
import { createHeartbeat } from './heartbeat.ts';
import { createSingletons, singletonLocks } from './singletons.ts';
import { createInspectionBus } from './inspectionBus.ts';
import type { Logger } from './logger.ts';
import { createInvoiceObserver } from '../pipeline/invoiceObserver.ts';
import { createMetrics } from './metrics.ts';
import { supervisionAnnouncer, warnOfBudgetOverrun } from './supervisionLog.ts';
import { createThroughput } from './throughput.ts';
import { VERSION } from './version.ts';
import { migrateWithUpgradeBackup } from '../upgrade/upgradeBackup.ts';

export interface RunningDaemon {
  root: AnyActorRef;
  view: DaemonView;
  /** Asks the tree to stop in reverse order; resolves with the exit code once it has (or the deadline passed). */
  stop(reason: string): Promise<number>;
  /** Resolves with the exit code when the tree has ended: 0 after a stop, 1 when the root gave up. */
  finished: Promise<number>;
}

/**
 * Wires the machines of machines/ to their I/O and starts the root supervisor. Nothing in
 * here decides behaviour: it only provides implementations and reports the outcome.
 */
export async function startDaemon({ config }: LoadedConfig, baseLogger: Logger): Promise<RunningDaemon> {
  const startedAt = Date.now();
  // The warnings and errors every module logs with a code are what the alerter mails (src/alerts/logNotices.ts).
  const logSignals = createLogSignals((notice) => alerter?.notice(notice));
  const logger = tapLogger(baseLogger, logSignals.onLine);
  const instance = { id: randomUUID(), version: VERSION };
  const metrics = createMetrics();
  const inspection = createInspectionBus();
  const throughput = createThroughput();
  const database = createDatabaseService(config.database, logger, instance, (client, url, log) =>
    migrateWithUpgradeBackup(client, { config, url, log }),
  );
  const short = instance.id.slice(0, 8);
  // Several daemons may share a configured database; the embedded one is this process's own.
  const scaleOut = config.scaleOut.enabled && config.database.url !== '';
  const singletons = createSingletons({
    active: scaleOut,
    retryMs: config.scaleOut.retryMs,
    yieldMs: config.supervisor.stopTimeoutMs,
    connectTimeoutMs: config.database.connectTimeoutMs,
    connectionUrl: () => database.handle.connectionUrl(),
    instance: short,
    lockNames: singletonLocks(config),
    listeners: { alertMail: (news) => news.event === 'held_elsewhere' && alerter?.mailedElsewhere() },
    onNote: (id, note) => metrics.singletonLeading.set({ singleton: id }, note === 'held here' ? 1 : 0),
    logger,
  });
  // `root` is created last (it needs every implementation below); these closures run only after that.
  const tree = () =>
    actorTree(root, (id) =>
      id === 'nexWriter' && gateway
        ? { breaker: gateway.breakerState() }
        : (singletons.note(id) ?? extraction.notes(id)),
    );
  const breakers = (): Record<string, string> => (gateway ? { nex: gateway.breakerState() } : {});

  const view = createDaemonView({
    config,
    startedAt,
    tree,
    breakers,
    database: database.handle,
    metrics,
    inspection,
    logger,
    root: () => root,
    backup: () => backup,
    monitor: () => monitor,
    alerter: () => alerter,
  });

  const backup = config.backup.enabled
    ? await createBackupService({ settings: config.backup, url: () => database.handle.connectionUrl(), logger })
    : undefined;

  const pool = () => database.handle.pool();
  const mailContext = {
    locale: config.alerts.locale,
    timeZone: config.alerts.timeZone,
    customer: config.customer.name,
    host: hostname(),
  };
  const reportExtras = () => {
    const rootNode = tree();
    return {
      uptimeS: Math.round((Date.now() - startedAt) / 1000),
      restarts: rootNode ? flattenTree(rootNode).reduce((sum, node) => sum + node.restarts, 0) : 0,
      lastBackup: backup?.status().lastBackup ?? null,
      lastDrill: backup?.status().lastDrill ?? null,
    };
  };
  const alerter = config.alerts.enabled
    ? createAlerter({
        settings: config.alerts,
        mail: mailContext,
        pool,
        logger,
        mailing: scaleOut ? 'whenLeading' : 'always',
        dueWork: scheduledReports({ settings: config.alerts, mail: mailContext, extras: reportExtras, logger }),
      })
    : undefined;
  alerter?.notice({
    condition: 'daemon_started',
    component: hostname(),
    severity: 'info',
    summary:
      config.alerts.locale === 'sk'
        ? `Služba sa spustila (verzia ${VERSION}, inštancia ${instance.id.slice(0, 8)})`
        : `The daemon started (version ${VERSION}, instance ${instance.id.slice(0, 8)})`,
    at: startedAt,
  });
  const monitor = config.monitor.enabled
    ? createMonitor({
        settings: config.monitor,
        alerts: config.alerts,
        folders: [
          ...(config.database.url ? [] : [config.database.embedded.dir]),
          ...(config.backup.enabled ? [config.backup.dir] : []),
          config.logging.dir,
          ...(config.intake.dropFolder.enabled ? [config.intake.dropFolder.path] : []),
          ...config.monitor.extraFolders,
        ],
        sources: {
          database: () => database.handle.status(),
          pool,
          tree,
          breakers,
          lastBackupAt: backup && (() => backup.status().lastSuccessfulBackupAt),
          lastDrillAt: backup && config.backup.drill.schedule ? () => backup.status().lastDrill?.at ?? null : undefined,
          channels: () =>
            intakeChannels(tree(), {
              mailbox: mailboxStatus(root.system.get('mailbox'))?.last_pass_at,
              dropFolder: dropFolder?.lastScanAt(),
            }),
          restartsSince: logSignals.restartsSince,
          escalationsSince: logSignals.escalationsSince,
        },
        registry: metrics.registry,
        logger,
        startedAt,
      })
    : undefined;

  const heartbeat = createHeartbeat(
    {
      tree,
      database: database.handle,
      throughput,
      breakers,
      lastBackupAt: () => backup?.status().lastSuccessfulBackupAt ?? null,
      lastDrill: () => {
        const drill = backup?.status().lastDrill;
        return drill ? { at: drill.at, ok: drill.ok } : null;
      },
      mailbox: () => mailboxStatus(root.system.get('mailbox')),
      alerts: monitor && (() => monitor.firing()),
      singletons: scaleOut ? singletons.leading : undefined,
      startedAt,
    },
    logger,
  );
  const wakeWriter = () => root.system.get('nexWriter')?.send({ type: 'invoices.wake' });
  const wakePipeline = () => root.system.get('invoices')?.send({ type: 'invoices.wake' });
  const ingest = createIngest({ pool, logger, actor: `intake@${short}`, wake: wakePipeline });
  const dropFolder = config.intake.dropFolder.enabled
    ? createDropFolder({ settings: config.intake.dropFolder, ingest, logger, pool, actor: `intake@${short}` })
    : undefined;
  // The folder is there for people to drop files into as soon as the daemon is up, also on a
  // daemon standing by while another holds the shared folder's singleton (the actor makes it too).
  if (dropFolder) await mkdir(dropFolder.folder, { recursive: true });
  // Loaded only with IMAP on: imapflow and mailparser are about 15 MB a daemon without it never uses.
  const mailbox = config.intake.imap.enabled
    ? (await import('../intake/imap/mailboxService.ts')).createMailbox({
        settings: config.intake.imap,
        ingest,
        pool,
        logger,
      })
    : undefined;
  const invoices = createInvoicesService({
    pool,
    owner: instance.id,
    settings: config.pipeline,
    logger,
    throughput,
    actor: `pipeline@${short}`,
  });
  // api mode: one client, so one breaker, for matching and posting alike.
  const gateway = config.nex.mode === 'api' ? createGatewayClient(config.nex) : undefined;
  const breakerLevel = { closed: 0, half_open: 1, open: 2 } as const;
  if (gateway) metrics.breakerState.set({ breaker: 'nex' }, 0);
  gateway?.onBreakerChange((state, previous) => {
    metrics.breakerState.set({ breaker: 'nex' }, breakerLevel[state]);
    metrics.breakerTransitions.inc({ breaker: 'nex', state });
    logger[state === 'open' ? 'warn' : 'info'](
      { actor: 'nexWriter', breaker: 'nex', state, previous, code: state === 'open' ? 'NEX_BREAKER_OPEN' : undefined },
      state === 'open'
        ? 'NEX gateway breaker opened after repeated failures; posting pauses until a trial call succeeds'
        : `NEX gateway breaker ${state.replace('_', '-')}`,
    );
  });
  const observer = createInvoiceObserver(logger, metrics);
  const nexWriter = createNexWriterService({
    pool,
    owner: instance.id,
    settings: config.nex,
    gateway,
    logger,
    actor: `nexWriter@${short}`,
    observer,
  });
  const extraction = createExtractionPool({
    ...config.extraction,
    templateDirs: [shippedTemplateDir, ...config.extraction.templateDirs],
    ownCompany: config.customer,
    onTemplateWarning: (warning) => logger.warn({ actor: 'extractor', code: 'TEMPLATES_NOT_RELOADED' }, warning),
    onThread: (id, event) =>
      logger.debug(
        { actor: id },
        {
          started: 'extraction thread started',
          retired: 'extraction thread retired (idle)',
          recycled: 'extraction thread recycled (recycleAfterDocuments)',
        }[event],
      ),
  });
  // One gate for the pipeline and for corrections: a corrected invoice meets the same rules.
  const approvalGate = createApprovalGate({
    gateway,
    nex: config.nex,
    rules: config.approval,
    actor: `rules@${short}`,
  });
  const lifecycle = invoiceMachine.provide({
    actors: lifecycleSteps({
      pool,
      extract: (bytes, mediaType) => extraction.extract(bytes, mediaType),
      validate: (invoice) => validateInvoice(invoice),
      actor: `pipeline@${short}`,
      approval: approvalGate,
      approved: wakeWriter,
      observer,
    }),
  });
  const extractionWorkers = Array.from({ length: workerCount(config.extraction.workers) }, (_, i) => {
    const id = `worker-${i + 1}`;
    return { id, logic: serviceMachine.provide({ actors: extraction.workerActors(id) }) };
  });

  const token = config.http.enabled ? resolveHttpToken(config.http) : undefined;
  const http = token
    ? createHttpService({
        settings: config.http,
        token,
        view,
        logger,
        invoices: { ingest, pool, maxUploadMb: config.intake.http.maxUploadMb },
        decisions: { pool, rules: config.approval, wakeWriter, wakePipeline, observer, approval: approvalGate },
        alerts: alerter && { sendTest: (requestedBy) => alerter.sendTest(requestedBy) },
        people: { pool, settings: config.console },
        templates: { dirs: config.extraction.templateDirs },
      })
    : undefined;

  const logics = {
    supervisor: supervisorMachine.provide({ actions: { announce: supervisionAnnouncer(logger, metrics) } }),
    database: databaseMachine.provide({ actors: database.actors, actions: database.actions }),
    http: http && serviceMachine.provide({ actors: http.actors }),
    dropFolder: dropFolder && serviceMachine.provide({ actors: dropFolder.actors }),
    mailbox: mailbox && mailboxMachine.provide({ actors: mailbox.actors, actions: mailbox.actions }),
    extractionWorkers,
    invoices: claimAndRunMachine.provide({
      actors: invoices.actors,
      actions: invoices.actions,
      delays: { pollInterval: config.pipeline.pollMs },
    }),
    nexWriter: nexWriterMachine.provide({
      actors: nexWriter.actors,
      actions: nexWriter.actions,
      delays: { pollInterval: config.nex.pollMs },
    }),
    heartbeat: heartbeatMachine.provide({ actions: { beat: heartbeat.beat } }),
    backup: backup && backupMachine.provide({ actors: backup.actors, actions: backup.actions }),
    monitor:
      monitor &&
      monitorMachine.provide({
        actors: monitor.actors,
        actions: monitor.actions,
        delays: { interval: config.monitor.intervalMs },
      }),
    alerter: alerter && alerterMachine.provide({ actors: alerter.actors, actions: alerter.actions }),
    alertMail: scaleOut && alerter ? serviceMachine.provide({ actors: alerter.mailerActors }) : undefined,
    singleton: singletons.wrap,
  };
  const input = daemonTree(logics, {
    supervision: { ...config.supervisor, shutdownLimitMs: config.shutdown.timeoutMs },
    database: { reconnect: config.database.reconnect },
    mailbox: { reconnect: config.intake.imap.reconnect, pollMs: config.intake.imap.pollMs },
    invoices: { concurrency: config.pipeline.concurrency, lifecycle, childPrefix: 'invoice-' },
    nexWriter: { concurrency: config.nex.concurrency, lifecycle: nexWriter.posting, childPrefix: 'posting-' },
    backup: backup?.initial,
    alerter: { evaluateMs: config.alerts.evaluateMs, retry: config.alerts.retry },
    heartbeat: { intervalMs: config.heartbeat.intervalMs },
  });

  warnOfBudgetOverrun(logger, input);

  let settle: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => (settle = resolve));
  const root: AnyActorRef = createActor(logics.supervisor, {
    id: 'root',
    systemId: 'root',
    input,
    inspect: (event) => inspection.observe(event),
  });
  // The root's error observer is what keeps an actor error from reaching Node as uncaught.
  root.subscribe({
    error: (error) => {
      logger.fatal(
        { err: error, code: errorCode(error) },
        'the root supervisor gave up; exiting so the service manager restarts the daemon',
      );
      heartbeat.stop();
      monitor?.close();
      alerter?.close();
      settle(1);
    },
    complete: () => {
      heartbeat.stop();
      monitor?.close();
      alerter?.close();
      settle(0);
    },
  });
  logger.info({ version: VERSION, instance: instance.id, pid: process.pid, node: process.version }, 'daemon starting');
  root.start();

  let stopping: Promise<number> | undefined;
  return {
    root,
    view,
    finished,
    stop(reason) {
      stopping ??= (async () => {
        logger.info({ reason }, 'daemon stopping');
        alerter?.setShutdownReason(reason);
        root.send({ type: 'child.stop' });
        const deadline = new Promise<number>((resolve) =>
          setTimeout(() => {
            logger.error(
              { timeout_ms: config.shutdown.timeoutMs, code: 'SHUTDOWN_TIMEOUT' },
              'shutdown did not finish in time; exiting anyway',
            );
            resolve(1);
          }, config.shutdown.timeoutMs).unref(),
        );
        return Promise.race([finished, deadline]);
      })();
      return stopping;
    },
  };
}
