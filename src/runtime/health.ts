import type { BackupStatus } from '../backup/backupService.ts';
import type { DatabaseStatus } from '../db/databaseService.ts';
import { flattenTree, type ActorNode } from './actorTree.ts';

/** application/health+json (draft-inadarei-api-health-check): pass and warn → 200, fail → 503. */
export type HealthStatus = 'pass' | 'warn' | 'fail';

export interface HealthCheck {
  componentId?: string;
  status: HealthStatus;
  observedValue?: unknown;
  observedUnit?: string;
  time: string;
  output?: string;
}

export interface HealthReport {
  status: HealthStatus;
  version: string;
  description: string;
  checks: Record<string, HealthCheck[]>;
}

export interface HealthInputs {
  version: string;
  tree: ActorNode | undefined;
  database: DatabaseStatus;
  slowRoundTripMs: number;
  uptimeS: number;
  backup?: (BackupStatus & { warnAfterHours: number; runningSince: number }) | undefined;
  /** Circuit breakers by name (nex): open or half-open warns, the invoices wait safely meanwhile. */
  breakers?: Record<string, string>;
  /** Checks other actors contribute (the monitor's conditions, the alerter's SMTP connection). */
  extraChecks?: Record<string, HealthCheck[]> | undefined;
}

const rank: Record<HealthStatus, number> = { pass: 0, warn: 1, fail: 2 };
export const worst = (statuses: HealthStatus[]): HealthStatus =>
  statuses.reduce<HealthStatus>((a, b) => (rank[b] > rank[a] ? b : a), 'pass');

export function healthReport(inputs: HealthInputs): HealthReport {
  const time = new Date().toISOString();
  const db = inputs.database;
  const dbStatus: HealthStatus = !db.ok ? 'fail' : (db.roundTripMs ?? 0) > inputs.slowRoundTripMs ? 'warn' : 'pass';
  const databaseCheck: HealthCheck = {
    componentId: db.target,
    status: dbStatus,
    observedValue: db.roundTripMs,
    observedUnit: 'ms',
    time: db.checkedAt ?? time,
    ...(db.ok ? {} : { output: db.lastError ?? 'not connected yet' }),
  };
  const actors = inputs.tree ? flattenTree(inputs.tree).slice(1) : [];
  const actorChecks: HealthCheck[] = actors.map((node) => ({
    componentId: node.id,
    status: node.status === 'running' ? 'pass' : node.status === 'stopped' ? 'pass' : 'warn',
    observedValue: node.state,
    time: node.since ?? time,
    ...(node.lastError ? { output: node.lastError } : {}),
  }));
  const rootDown = !inputs.tree || inputs.tree.status === 'error' || inputs.tree.status === 'done';
  const checks: Record<string, HealthCheck[]> = {
    'database:responseTime': [databaseCheck],
    'actors:status': rootDown
      ? [{ componentId: 'root', status: 'fail', time, output: 'the supervision tree is not running' }]
      : actorChecks,
    'process:uptime': [{ status: 'pass', observedValue: inputs.uptimeS, observedUnit: 's', time }],
    ...(inputs.backup ? { 'backup:age': [backupCheck(inputs.backup, time)] } : {}),
    ...(inputs.backup?.lastDrill ? { 'backup:drill': [drillCheck(inputs.backup.lastDrill)] } : {}),
    ...(inputs.breakers && Object.keys(inputs.breakers).length
      ? {
          'breakers:state': Object.entries(inputs.breakers).map(([name, state]) => ({
            componentId: name,
            status: state === 'closed' ? ('pass' as const) : ('warn' as const),
            observedValue: state,
            time,
            ...(state === 'closed'
              ? {}
              : { output: `the ${name} breaker is ${state.replace('_', '-')}: calls pause after repeated failures` }),
          })),
        }
      : {}),
    ...inputs.extraChecks,
  };
  return {
    status: worst(
      Object.values(checks)
        .flat()
        .map((check) => check.status),
    ),
    version: inputs.version,
    description: 'Supplier Invoice Loader',
    checks,
  };
}

/**
 * Warn when no backup has succeeded for `warnAfterHours` (counted from the daemon's start when
 * there is none yet: a fresh installation is not late), or when the last backup failed. A failed
 * drill warns in its own check, `backup:drill`.
 */
function backupCheck(backup: NonNullable<HealthInputs['backup']>, time: string): HealthCheck {
  const reference = backup.lastSuccessfulBackupAt ? Date.parse(backup.lastSuccessfulBackupAt) : backup.runningSince;
  const ageHours = (Date.now() - reference) / 3_600_000;
  const failed = backup.lastBackup && !backup.lastBackup.ok;
  const late = ageHours > backup.warnAfterHours;
  const output = failed
    ? `the last backup failed: ${backup.lastBackup!.detail}`
    : late
      ? backup.lastSuccessfulBackupAt
        ? `the newest successful backup is ${Math.round(ageHours)} h old (more than ${backup.warnAfterHours} h)`
        : `no backup has succeeded in the ${Math.round(ageHours)} h since the daemon started`
      : undefined;
  return {
    status: failed || late ? 'warn' : 'pass',
    observedValue: backup.lastSuccessfulBackupAt,
    time,
    ...(output ? { output } : {}),
  };
}

/** The last restore drill on its own line, so that the console can show when it ran even when it passed. */
function drillCheck(drill: NonNullable<BackupStatus['lastDrill']>): HealthCheck {
  return {
    status: drill.ok ? 'pass' : 'warn',
    observedValue: drill.at,
    time: drill.at,
    ...(drill.ok ? {} : { output: `the last restore drill failed: ${drill.detail}` }),
  };
}
