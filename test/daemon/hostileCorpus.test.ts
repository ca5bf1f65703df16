import test from 'ava';
import { HOSTILE_CATEGORIES, HOSTILE_CHANNELS } from '../support/hostileCorpus.ts';
import { formatSummary } from '../support/hostileReport.ts';
import { runHostileCorpus } from '../support/hostileRunner.ts';

/**
 * Issue 15: a deterministic slice of the hostile corpus (about 120 mutants over all twelve
 * categories) through ONE real daemon's drop folder, HTTP uploads and IMAP mailbox at once.
 * `npm run hostile` runs the full corpus (≥ 500) the same way.
 */
test('hostile documents through every intake channel: the daemon survives, each one is quarantined, refused or read, with a reason', async (t) => {
  t.timeout(180_000);
  const summary = await runHostileCorpus({ size: 'slice', settleMs: 90_000 });
  t.log(formatSummary(summary));

  t.true(summary.total >= 120, `${summary.total} mutants`);
  for (const category of HOSTILE_CATEGORIES)
    t.true(
      summary.rows.some((row) => row.category === category && row.sent > 0),
      `${category} was sent`,
    );
  for (const channel of HOSTILE_CHANNELS) {
    const sent = summary.rows.filter((row) => row.channel === channel).reduce((sum, row) => sum + row.sent, 0);
    t.true(sent >= 20, `${sent} mutants through ${channel}`);
  }

  // The daemon: the same process throughout, nothing uncaught.
  t.true(summary.stillRunning, `daemon ${summary.pid} is still the same running process`);
  t.deepEqual(summary.uncaught, []);

  // Every document settled as its category allows, and every refusal or quarantine says why.
  t.deepEqual(summary.unexpected, []);
  t.deepEqual(summary.withoutReason, []);
  t.is(summary.totals.crashed, 0);
  t.true(summary.totals.quarantined > 40 && summary.totals.refused > 5 && summary.totals.processed > 20);

  // Nothing escaped: no file outside the daemon's folders, no fetched entity, no /etc/passwd.
  t.deepEqual(summary.outside, []);
  t.deepEqual(summary.escaped, []);
  t.is(summary.canaryHits, 0);
  t.is(summary.passwdLeaks, 0);

  // Bounded, not small: idle the daemon holds ~300 MB (main thread + one extraction worker);
  // each worker may grow to extraction.memoryMb (512) before it is stopped. A regression that
  // lets one document take memory without bound lands far above this.
  t.true(summary.memory.vmHwmMb < 1024, `peak RSS (VmHWM) ${summary.memory.vmHwmMb} MB`);
});
