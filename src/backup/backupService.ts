import { resolve } from 'node:path';
import schedule from 'node-schedule';
import { fromCallback, fromPromise } from 'xstate';
import type { BackupKind, BackupOutcome, JobOutcome } from '../../machines/backup.ts';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../runtime/logger.ts';
import { backupAndRotate, drillNewest } from './backupJobs.ts';
import { newerOutcome, readBackupOutcome } from './lastRun.ts';
import { listBackups } from './listBackups.ts';

export interface BackupStatus {
  lastBackup: BackupOutcome | null;
  lastSuccessfulBackupAt: string | null;
  lastDrill: BackupOutcome | null;
}

/**
 * The I/O of the `backup` actor (machines/backup.ts): node-schedule jobs that announce what is
 * due, the jobs themselves, and a status the heartbeat and health read. At start the status
 * comes from the backups already on disk, so a restart does not forget the last backup.
 */
export async function createBackupService(deps: { settings: Config['backup']; url: () => string; logger: Logger }) {
  const { settings } = deps;
  const log = deps.logger.child({ actor: 'backup' });
  const existing = await listBackups(resolve(settings.dir)).catch(() => []);
  const newest = existing[0];
  const status: BackupStatus = {
    lastBackup: newest
      ? { at: newest.manifest.created_at, ok: true, detail: `${newest.type} backup found at start` }
      : null,
    lastSuccessfulBackupAt: newest?.manifest.created_at ?? null,
    lastDrill: newest?.drill ? { at: newest.drill.at, ok: newest.drill.ok, detail: 'drill found at start' } : null,
  };
  return {
    // A run by hand (`backup run`, another process) counts like a scheduled one.
    status: () => {
      const recorded = readBackupOutcome(resolve(settings.dir));
      const lastBackup = newerOutcome(status.lastBackup, recorded);
      const lastSuccessfulBackupAt =
        recorded?.ok && (!status.lastSuccessfulBackupAt || recorded.at > status.lastSuccessfulBackupAt)
          ? recorded.at
          : status.lastSuccessfulBackupAt;
      return { ...status, lastBackup, lastSuccessfulBackupAt };
    },
    initial: { lastBackup: status.lastBackup, lastDrill: status.lastDrill },
    actors: {
      schedules: fromCallback(({ sendBack }) => {
        // Longest-kept first: timers due at the same moment fire in the order they were set, so on
        // a Sunday the weekly backup starts and the daily one finds a job running and is skipped.
        const kinds = ['monthly', 'weekly', 'daily'] as const;
        const jobs = kinds.flatMap((kind) =>
          settings.schedule[kind]
            ? [schedule.scheduleJob(settings.schedule[kind], () => sendBack({ type: 'backup.due', kind }))]
            : [],
        );
        if (settings.drill.schedule)
          jobs.push(schedule.scheduleJob(settings.drill.schedule, () => sendBack({ type: 'drill.due' })));
        return () => {
          for (const job of jobs) job?.cancel();
        };
      }),
      backup: fromPromise<string, { kind: BackupKind }>(async ({ input }) => {
        const { summary } = await backupAndRotate(settings, deps.url(), input.kind, (text) =>
          log.debug({ kind: input.kind }, text),
        );
        status.lastSuccessfulBackupAt = new Date().toISOString();
        return summary;
      }),
      drill: fromPromise<string>(async () => drillNewest(settings, deps.url())),
    },
    actions: {
      skipped: (_args: unknown, job: { kind: string }) =>
        log.info(job, 'a backup job fell due while another was running; skipped'),
      announce: (_args: unknown, outcome: JobOutcome) => {
        if (outcome.job === 'backup') status.lastBackup = outcome;
        else status.lastDrill = outcome;
        if (outcome.ok) log.info({ job: outcome.job }, outcome.detail);
        else
          log.error(
            { job: outcome.job, code: outcome.job === 'backup' ? 'BACKUP_FAILED' : 'DRILL_FAILED' },
            // The alert mail's summary: Slovak first, as every operator-facing text.
            `${outcome.job === 'backup' ? 'záloha zlyhala' : 'skúška obnovy zlyhala'} / ${outcome.job} failed: ${outcome.detail}`,
          );
      },
    },
  };
}
