import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';
import type pg from 'pg';
import { fromPromise } from 'xstate';
import { firingConditions } from '../../machines/monitor.ts';
import { healthStatusOf, type ConditionState } from '../../machines/monitorConditions.ts';
import type { AlertsConfig, MonitorConfig } from '../config/alertsSchema.ts';
import type { DatabaseStatus } from '../db/databaseService.ts';
import { flattenTree, type ActorNode } from '../runtime/actorTree.ts';
import { writeFileDurably } from '../runtime/durableFiles.ts';
import type { HealthCheck } from '../runtime/health.ts';
import type { Logger } from '../runtime/logger.ts';
import { intakeSilent } from './intakeSilence.ts';
import { readPipelineSignals } from './pipelineSignals.ts';
import { toReadings, type Measurements } from './readings.ts';
import { createSystemSampler } from './systemSamples.ts';

export interface MonitorSources {
  database: () => DatabaseStatus;
  pool: () => pg.Pool;
  tree: () => ActorNode | undefined;
  breakers: () => Record<string, string>;
  /** The newest successful backup; undefined when backups are off. */
  lastBackupAt?: (() => string | null) | undefined;
  /** When the last restore drill ran (ISO); undefined when drills are off. */
  lastDrillAt?: (() => string | null) | undefined;
  /** Intake channels that run now, each with its last success (ISO; null: none yet): the mailbox's last pass, the drop folder's last clean scan. */
  channels: () => Record<string, string | null>;
  restartsSince: (ms: number) => number;
  escalationsSince: (ms: number) => number;
}

export interface MonitorDeps {
  settings: MonitorConfig;
  alerts: Pick<AlertsConfig, 'locale' | 'timeZone' | 'reports'>;
  /** Folders whose free space is watched (data, backups, logs, inbox, extra). */
  folders: string[];
  sources: MonitorSources;
  registry?: Registry | undefined;
  logger: Logger;
  startedAt: number;
}

/**
 * The I/O of machines/monitor.ts: one sample (system, database, pipeline), and what the
 * conditions feed: health checks, Prometheus gauges and the status file for tools that only
 * read files (written atomically: a reader never sees half of it).
 */
export function createMonitor(deps: MonitorDeps) {
  const { settings } = deps;
  const log = deps.logger.child({ actor: 'monitor' });
  const system = createSystemSampler(settings.sampleTimeoutMs);
  const loop = monitorEventLoopDelay({ resolution: 20 });
  loop.enable();
  const folders = [...new Set(deps.folders.map((f) => resolve(f)))];
  /** When the monitor first saw each channel: the staleness of one that never succeeded counts from there. */
  const firstSeen: Record<string, number> = {};
  let breakerOpenSince: number | null = null;
  let conditions: Record<string, ConditionState> = {};
  let lastSampleAt: string | null = null;
  let lastError: string | null = null;
  let statusWrite = Promise.resolve();
  const statusFile = resolve(settings.statusFile);
  mkdirSync(dirname(statusFile), { recursive: true });
  const gauges = deps.registry && {
    value: new Gauge({
      name: 'invoice_loader_monitor_value',
      help: 'The last value the monitor measured, by condition and component (unit in the condition)',
      labelNames: ['condition', 'component', 'unit'] as const,
      registers: [deps.registry],
    }),
    level: new Gauge({
      name: 'invoice_loader_monitor_level',
      help: 'Monitor condition level: 0 ok, 1 warning, 2 critical',
      labelNames: ['condition', 'component'] as const,
      registers: [deps.registry],
    }),
  };

  async function measure(now: number): Promise<Measurements> {
    const db = deps.sources.database();
    const [sample, pipeline] = await Promise.all([
      system.sample(folders),
      db.ok
        ? readPipelineSignals(deps.sources.pool(), now).catch((error) => {
            log.debug({ err: error }, 'pipeline signals could not be read');
            return null;
          })
        : Promise.resolve(null),
    ]);
    const channels = deps.sources.channels();
    for (const channel of Object.keys(channels)) firstSeen[channel] ??= now;
    const breakerOpen = Object.values(deps.sources.breakers()).some((state) => state !== 'closed');
    breakerOpenSince = breakerOpen ? (breakerOpenSince ?? now) : null;
    const lastBackup = deps.sources.lastBackupAt?.();
    const lastDrill = deps.sources.lastDrillAt?.();
    const lag = Number.isNaN(loop.mean) ? 0 : loop.mean / 1e6;
    loop.reset();
    return {
      system: sample,
      database: { ok: db.ok, roundTripMs: db.roundTripMs, error: db.lastError },
      eventLoopDelayMs: Math.round(lag * 10) / 10,
      rssMb: Math.round(process.memoryUsage.rss() / 2 ** 20),
      pipeline,
      intakeStaleMinutes: Object.fromEntries(
        Object.entries(channels).map(([c, at]) => [
          c,
          Math.max(0, Math.floor((now - (at ? Date.parse(at) : firstSeen[c]!)) / 60_000)),
        ]),
      ),
      nexBreakerOpenMinutes: Object.keys(deps.sources.breakers()).length
        ? breakerOpenSince === null
          ? 0
          : (now - breakerOpenSince) / 60_000
        : null,
      backupAgeHours:
        lastBackup === undefined ? null : (now - (lastBackup ? Date.parse(lastBackup) : deps.startedAt)) / 3_600_000,
      drillAgeDays:
        lastDrill === undefined ? null : (now - (lastDrill ? Date.parse(lastDrill) : deps.startedAt)) / 86_400_000,
      restartsLastHour: deps.sources.restartsSince(now - 3_600_000),
      escalationsLastHour: deps.sources.escalationsSince(now - 3_600_000),
      intakeSilent:
        settings.intakeSilence.enabled && pipeline
          ? intakeSilent({
              now,
              lastInvoiceAt: pipeline.lastInvoiceAt,
              timeZone: deps.alerts.timeZone,
              workingDays: deps.alerts.reports.workingDays,
              by: settings.intakeSilence.by,
            })
          : null,
      now,
    };
  }

  function checks(): Record<string, HealthCheck[]> {
    const byCondition: Record<string, HealthCheck[]> = {};
    for (const [key, state] of Object.entries(conditions)) {
      const [condition, ...rest] = key.split(':');
      (byCondition[`monitor:${condition}`] ??= []).push({
        componentId: rest.join(':'),
        status: healthStatusOf(state.level),
        observedValue: state.value,
        observedUnit: state.unit,
        time: new Date(state.since).toISOString(),
        ...(state.level !== 'ok' ? { output: state.summary } : {}),
      });
    }
    return byCondition;
  }

  function statusDocument() {
    return {
      written_at: new Date().toISOString(),
      last_sample_at: lastSampleAt,
      last_error: lastError,
      firing: firingConditions(conditions).map((f) => ({ ...f, at: new Date(f.at).toISOString() })),
      checks: checks(),
    };
  }

  return {
    checks,
    /** What the heartbeat line carries: the keys of what fires now. */
    firing: () => firingConditions(conditions).map((f) => `${f.severity}:${f.key}`),
    close: () => {
      loop.disable();
      system.close();
    },
    actors: {
      sample: fromPromise(async () => toReadings(await measure(Date.now()), settings, deps.alerts.locale)),
    },
    actions: {
      publish: (_args: unknown, params: { conditions: Record<string, ConditionState>; error: string | null }) => {
        conditions = params.conditions;
        lastError = params.error;
        if (!params.error) lastSampleAt = new Date().toISOString();
        else log.warn({ err: params.error, code: 'MONITOR_SAMPLE_FAILED' }, 'the monitor could not take its sample');
        if (gauges)
          for (const [key, state] of Object.entries(conditions)) {
            const [condition, ...rest] = key.split(':');
            const component = rest.join(':');
            if (state.value !== null) gauges.value.set({ condition, component, unit: state.unit }, state.value);
            gauges.level.set({ condition, component }, { ok: 0, warning: 1, critical: 2 }[state.level]);
          }
        // One write at a time (they share a temp file); each writes the newest state.
        statusWrite = statusWrite.then(() =>
          writeFileDurably(statusFile, JSON.stringify(statusDocument(), null, 2) + '\n').catch((error) =>
            log.warn(
              { err: error, code: 'STATUS_FILE_FAILED', file: statusFile },
              'the health status file could not be written',
            ),
          ),
        );
      },
    },
  };
}

/**
 * The intake channels in the actor tree, each with its last success. A channel whose actor is
 * down, or whose mailbox cannot connect, simply stops succeeding, so its staleness grows.
 */
export function intakeChannels(
  tree: ActorNode | undefined,
  lastSuccess: { dropFolder?: string | null; mailbox?: string | null },
): Record<string, string | null> {
  const nodes = tree ? flattenTree(tree) : [];
  const channels: Record<string, string | null> = {};
  for (const id of ['dropFolder', 'mailbox'] as const) {
    if (nodes.some((n) => n.id === id)) channels[id] = lastSuccess[id] ?? null;
  }
  return channels;
}

export type Monitor = ReturnType<typeof createMonitor>;
