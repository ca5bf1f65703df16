import { assign, fromCallback, fromPromise, setup } from 'xstate';
import { errorMessage } from '../src/errors.ts';
import { crash, reportReady } from './childProtocol.ts';

/**
 * The `backup` actor: on its schedules (and on demand) it runs a backup — dump, verify,
 * rotate — or a restore drill, one job at a time. A job that is due while another runs is
 * skipped and says so: a backup that takes longer than its interval must not pile up.
 * What it does is in the provided actors (src/backup); the machine keeps the outcomes.
 */
export type BackupKind = 'daily' | 'weekly' | 'monthly' | 'manual';

export interface BackupOutcome {
  at: string;
  ok: boolean;
  detail: string;
}

export interface BackupContext {
  lastBackup: BackupOutcome | null;
  lastDrill: BackupOutcome | null;
}

type BackupEvent =
  | { type: 'backup.due'; kind: BackupKind }
  | { type: 'drill.due' }
  | { type: 'child.stop' }
  | { type: 'debug.crash'; reason?: string };

/** What a finished job reports: which job, and its outcome. */
export type JobOutcome = BackupOutcome & { job: 'backup' | 'drill' };

export const backupMachine = setup({
  types: {
    input: {} as { lastBackup: BackupOutcome | null; lastDrill: BackupOutcome | null },
    context: {} as BackupContext,
    events: {} as BackupEvent,
  },
  actors: {
    /** Sends `backup.due` and `drill.due` on the configured schedules. */
    schedules: fromCallback(() => {}),
    /** Dump, verify, rotate; resolves with a one-line summary. */
    backup: fromPromise<string, { kind: BackupKind }>(async () => ''),
    /** Restore the newest backup into a scratch database and compare; resolves with a summary. */
    drill: fromPromise<string>(async () => ''),
  },
  actions: {
    reportReady,
    crash,
    /** Provided from src/: log (error level on failure, which the alerter mails) and record. */
    announce: (_args, _outcome: JobOutcome) => {},
    /** Provided from src/: says which job was skipped because another was running. */
    skipped: (_args, _job: { kind: string }) => {},
    recordBackup: assign({
      lastBackup: ({ event }) => outcomeOf(event),
    }),
    recordDrill: assign({
      lastDrill: ({ event }) => outcomeOf(event),
    }),
  },
}).createMachine({
  id: 'backup',
  context: ({ input }) => ({ lastBackup: input.lastBackup, lastDrill: input.lastDrill }),
  entry: 'reportReady',
  invoke: { src: 'schedules' },
  initial: 'idle',
  states: {
    idle: {
      on: {
        'backup.due': 'backingUp',
        'drill.due': 'drilling',
      },
    },
    backingUp: {
      invoke: {
        src: 'backup',
        input: ({ event }) => ({ kind: event.type === 'backup.due' ? event.kind : 'manual' }),
        onDone: {
          target: 'idle',
          actions: [
            'recordBackup',
            {
              type: 'announce',
              params: ({ context }: { context: BackupContext }) => ({ job: 'backup' as const, ...context.lastBackup! }),
            },
          ],
        },
        onError: {
          target: 'idle',
          actions: [
            'recordBackup',
            {
              type: 'announce',
              params: ({ context }: { context: BackupContext }) => ({ job: 'backup' as const, ...context.lastBackup! }),
            },
          ],
        },
      },
    },
    drilling: {
      invoke: {
        src: 'drill',
        onDone: {
          target: 'idle',
          actions: [
            'recordDrill',
            {
              type: 'announce',
              params: ({ context }: { context: BackupContext }) => ({ job: 'drill' as const, ...context.lastDrill! }),
            },
          ],
        },
        onError: {
          target: 'idle',
          actions: [
            'recordDrill',
            {
              type: 'announce',
              params: ({ context }: { context: BackupContext }) => ({ job: 'drill' as const, ...context.lastDrill! }),
            },
          ],
        },
      },
    },
    stopped: { type: 'final' },
  },
  on: {
    // Only reached while a job runs (idle handles these itself): the job that fell due is skipped.
    'backup.due': {
      actions: { type: 'skipped', params: ({ event }: { event: { kind: BackupKind } }) => ({ kind: event.kind }) },
    },
    'drill.due': { actions: { type: 'skipped', params: () => ({ kind: 'drill' }) } },
    'child.stop': '.stopped',
    'debug.crash': { actions: 'crash' },
  },
});

function outcomeOf(event: { type: string; output?: unknown; error?: unknown }): BackupOutcome {
  const ok = !event.type.startsWith('xstate.error');
  return { at: new Date().toISOString(), ok, detail: ok ? String(event.output ?? '') : errorMessage(event.error) };
}
