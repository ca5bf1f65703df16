import type { AnyActorRef } from 'xstate';
import { alerterCheck, type Alerter } from '../alerts/alerterService.ts';
import type { createBackupService } from '../backup/backupService.ts';
import type { Config } from '../config/schema.ts';
import type { DatabaseHandle } from '../db/databaseService.ts';
import type { DaemonView } from '../http/app.ts';
import type { Monitor } from '../monitor/monitorService.ts';
import type { ActorNode } from './actorTree.ts';
import { healthReport } from './health.ts';
import type { InspectionBus } from './inspectionBus.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { VERSION } from './version.ts';

type BackupService = Awaited<ReturnType<typeof createBackupService>>;

/**
 * What the HTTP layer sees of the running daemon: health, readiness, the actor tree, the crash
 * switch. The services behind it are created after the view (and the root actor last), so they
 * are reached through getters that are only called once the daemon runs.
 */
export function createDaemonView(deps: {
  config: Config;
  startedAt: number;
  tree: () => ActorNode | undefined;
  breakers: () => Record<string, string>;
  database: DatabaseHandle;
  metrics: Metrics;
  inspection: InspectionBus;
  logger: Logger;
  root: () => AnyActorRef;
  backup: () => BackupService | undefined;
  monitor: () => Monitor | undefined;
  alerter: () => Alerter | undefined;
}): DaemonView {
  const { config, startedAt, tree, database, metrics, logger } = deps;
  return {
    tree,
    health: () => {
      const db = database.status();
      metrics.databaseUp.set(db.ok ? 1 : 0);
      if (db.roundTripMs !== null) metrics.databaseRoundTrip.set(db.roundTripMs / 1000);
      const backup = deps.backup();
      const alerter = deps.alerter();
      return healthReport({
        version: VERSION,
        tree: tree(),
        database: db,
        slowRoundTripMs: config.database.slowRoundTripMs,
        uptimeS: Math.round((Date.now() - startedAt) / 1000),
        backup: backup && { ...backup.status(), warnAfterHours: config.backup.warnAfterHours, runningSince: startedAt },
        breakers: deps.breakers(),
        extraChecks: {
          ...deps.monitor()?.checks(),
          ...(alerter ? { 'alerts:smtp': [alerterCheck(alerter.status())] } : {}),
        },
      });
    },
    readiness: () => {
      const reasons: string[] = [];
      const rootNode = tree();
      if (!rootNode || !rootNode.state.startsWith('settled')) reasons.push('the actor tree has not finished starting');
      const db = database.status();
      if (!db.ok) reasons.push(`database: ${db.lastError ?? 'not connected yet'}`);
      return { ready: reasons.length === 0, reasons };
    },
    crash: (actorId) => {
      const root = deps.root();
      const target = actorId === 'root' ? root : (root.system.get(actorId) as AnyActorRef | undefined);
      if (!target || target.getSnapshot().status !== 'active') return false;
      logger.warn({ actor: actorId, code: 'FAULT_INJECTED' }, `fault injection: crashing actor ${actorId}`);
      target.send({ type: 'debug.crash' });
      return true;
    },
    inspection: deps.inspection,
    metrics,
    faultInjection: config.debug.faultInjection,
  };
}
