import test from 'ava';
import { healthReport, type HealthInputs } from '../../src/runtime/health.ts';
import { rootOver } from '../support/actorNodes.ts';

/** The backup's two checks: `backup:age` for the backups, `backup:drill` for the last restore drill. */
const base: HealthInputs = {
  version: 't',
  tree: rootOver(),
  database: { ok: true, target: 'db', embedded: false, roundTripMs: 2, lastError: null, checkedAt: null },
  slowRoundTripMs: 1000,
  uptimeS: 1,
};
const backupAt = new Date(Date.now() - 3_600_000).toISOString();
const backup = {
  lastBackup: { at: backupAt, ok: true, detail: 'daily backup' },
  lastSuccessfulBackupAt: backupAt,
  warnAfterHours: 26,
  runningSince: Date.now(),
};

test('no drill yet: no backup:drill check', (t) => {
  const report = healthReport({ ...base, backup: { ...backup, lastDrill: null } });
  t.like(report.checks['backup:age']![0], { status: 'pass', observedValue: backupAt });
  t.false('backup:drill' in report.checks);
  t.is(report.status, 'pass');
});

test('a passed drill shows its time; a failed one warns in backup:drill, not in backup:age', (t) => {
  const passed = healthReport({
    ...base,
    backup: { ...backup, lastDrill: { at: '2026-12-06T03:30:00.000Z', ok: true, detail: 'drill ok' } },
  });
  t.deepEqual(passed.checks['backup:drill'], [
    { status: 'pass', observedValue: '2026-12-06T03:30:00.000Z', time: '2026-12-06T03:30:00.000Z' },
  ]);
  const failed = healthReport({
    ...base,
    backup: { ...backup, lastDrill: { at: '2026-12-06T03:30:00.000Z', ok: false, detail: 'row counts differ' } },
  });
  t.like(failed.checks['backup:drill']![0], {
    status: 'warn',
    output: 'the last restore drill failed: row counts differ',
  });
  t.like(failed.checks['backup:age']![0], { status: 'pass' });
  t.is(failed.status, 'warn');
});
