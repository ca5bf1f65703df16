import test from 'ava';
import { createActor, fromPromise, waitFor } from 'xstate';
import { backupMachine, type BackupKind } from '../../machines/backup.ts';

function start(backup: (kind: BackupKind) => Promise<string>) {
  const kinds: BackupKind[] = [];
  const announced: unknown[] = [];
  const skipped: unknown[] = [];
  const machine = backupMachine.provide({
    actors: {
      backup: fromPromise<string, { kind: BackupKind }>(({ input }) => {
        kinds.push(input.kind);
        return backup(input.kind);
      }),
      drill: fromPromise<string>(async () => 'drill ok: 7 tables, 412 ms'),
    },
    actions: {
      announce: (_args, params) => void announced.push(params),
      skipped: (_args, params) => void skipped.push(params),
    },
  });
  const actor = createActor(machine, { input: { lastBackup: null, lastDrill: null } }).start();
  return { actor, kinds, announced, skipped };
}

test('a due backup runs, and its outcome is kept', async (t) => {
  const { actor, kinds, announced } = start(async (kind) => `${kind} backup: 1.2 MB, verified`);
  actor.send({ type: 'backup.due', kind: 'daily' });
  await waitFor(actor, (s) => s.matches('idle') && s.context.lastBackup !== null);
  t.deepEqual(kinds, ['daily']);
  t.like(actor.getSnapshot().context.lastBackup, { ok: true, detail: 'daily backup: 1.2 MB, verified' });
  t.like(announced[0], { job: 'backup', ok: true });
});

test('a failed backup is recorded as a failure with its reason', async (t) => {
  const { actor } = start(async () => {
    throw new Error('pg_dump: connection refused');
  });
  actor.send({ type: 'backup.due', kind: 'weekly' });
  await waitFor(actor, (s) => s.matches('idle') && s.context.lastBackup !== null);
  t.like(actor.getSnapshot().context.lastBackup, { ok: false, detail: 'pg_dump: connection refused' });
  t.is(actor.getSnapshot().status, 'active', 'a failed backup is not an actor failure');
});

test('a job that falls due while another runs is skipped, not queued', async (t) => {
  let release: (value: string) => void = () => {};
  const { actor, kinds, skipped } = start(() => new Promise((resolve) => (release = resolve)));
  actor.send({ type: 'backup.due', kind: 'daily' });
  actor.send({ type: 'backup.due', kind: 'weekly' });
  actor.send({ type: 'drill.due' });
  release('done');
  await waitFor(actor, (s) => s.matches('idle') && s.context.lastBackup !== null);
  t.deepEqual(kinds, ['daily']);
  t.is(actor.getSnapshot().context.lastDrill, null);
  t.deepEqual(skipped, [{ kind: 'weekly' }, { kind: 'drill' }]);
});

test('a drill runs and its outcome is kept apart from backups', async (t) => {
  const { actor } = start(async () => 'unused');
  actor.send({ type: 'drill.due' });
  await waitFor(actor, (s) => s.matches('idle') && s.context.lastDrill !== null);
  t.like(actor.getSnapshot().context, {
    lastBackup: null,
    lastDrill: { ok: true, detail: 'drill ok: 7 tables, 412 ms' },
  });
});
