import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ChildStatus } from '../../machines/supervisionPlan.ts';
import type { DatabaseHandle } from '../db/databaseService.ts';
import type { MailboxStatus } from '../intake/imap/mailboxService.ts';
import { flattenTree, type ActorNode } from './actorTree.ts';
import type { Logger } from './logger.ts';
import type { Throughput } from './throughput.ts';

/** The heartbeat line. Keys are stable: dashboards and log searches rely on them. */
export interface HeartbeatLine {
  uptime_s: number;
  actors: Record<ChildStatus, number>;
  restarts: { total: number; since_last: number };
  invoices_processed: number;
  invoices_failed: number;
  success_rate: number | null;
  breakers: Record<string, string>;
  rss_bytes: number;
  event_loop_lag_ms: number;
  db_ok: boolean;
  last_backup_at: string | null;
  /** The last restore drill: when, and whether the restored database matched its backup. */
  last_drill: { at: string; ok: boolean } | null;
  /** The IMAP mailbox: connected or in backoff (failures, next retry, last error), mail waiting; null when off. */
  mailbox: MailboxStatus | null;
  /** What the monitor sees firing now, as severity:condition:component; absent when the monitor is off. */
  alerts_firing?: string[];
  /** Under scale-out: the singletons this instance runs now (the others stand by for them). */
  singletons_here?: string[];
}

export interface HeartbeatSources {
  tree: () => ActorNode | undefined;
  database: DatabaseHandle;
  throughput: Throughput;
  breakers: () => Record<string, string>;
  lastBackupAt: () => string | null;
  lastDrill: () => { at: string; ok: boolean } | null;
  mailbox?: () => MailboxStatus | null;
  alerts?: (() => string[]) | undefined;
  singletons?: (() => string[]) | undefined;
  startedAt: number;
}

const STATUSES: ChildStatus[] = ['idle', 'starting', 'running', 'stopping', 'stopped', 'failed', 'backoff'];

export function createHeartbeat(sources: HeartbeatSources, logger: Logger) {
  const lag = monitorEventLoopDelay({ resolution: 20 });
  lag.enable();
  let restartsAtLastBeat = 0;

  function line(): HeartbeatLine {
    const nodes = sources.tree() ? flattenTree(sources.tree()!).slice(1) : [];
    const actors = Object.fromEntries(STATUSES.map((status) => [status, 0])) as Record<ChildStatus, number>;
    for (const node of nodes) if (node.status in actors) actors[node.status as ChildStatus]++;
    const total = nodes.reduce((sum, node) => sum + node.restarts, 0);
    const { processed, failed } = sources.throughput.takeSinceLast();
    const lagMs = Number.isNaN(lag.mean) ? 0 : lag.mean / 1e6;
    lag.reset();
    const result: HeartbeatLine = {
      uptime_s: Math.round((Date.now() - sources.startedAt) / 1000),
      actors,
      restarts: { total, since_last: total - restartsAtLastBeat },
      invoices_processed: processed,
      invoices_failed: failed,
      success_rate: processed + failed === 0 ? null : Math.round((processed / (processed + failed)) * 1000) / 1000,
      breakers: sources.breakers(),
      rss_bytes: process.memoryUsage.rss(),
      event_loop_lag_ms: Math.round(lagMs * 10) / 10,
      db_ok: sources.database.status().ok,
      last_backup_at: sources.lastBackupAt(),
      last_drill: sources.lastDrill(),
      mailbox: sources.mailbox?.() ?? null,
      ...(sources.alerts ? { alerts_firing: sources.alerts() } : {}),
      ...(sources.singletons ? { singletons_here: sources.singletons() } : {}),
    };
    restartsAtLastBeat = total;
    return result;
  }

  return {
    line,
    beat: () => logger.info(line(), 'heartbeat'),
    stop: () => lag.disable(),
  };
}
