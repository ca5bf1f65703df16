/**
 * `npm run hostile`: the full hostile corpus (≥ 500 mutants over twelve categories) through one
 * real daemon's drop folder, HTTP uploads and IMAP mailbox; prints the table per category and
 * channel, the peak RSS and every failed check, and exits non-zero when a check failed.
 *
 *   npm run hostile                 the full corpus (100 MB oversize file)
 *   npm run hostile -- --slice      the CI slice (about 120 mutants)
 *   npm run hostile -- --seed 7     another deterministic corpus
 *   npm run hostile -- --memory-mb 192   the extraction worker's heap limit (extraction.memoryMb)
 *   npm run hostile -- --only zipBomb,empty   only these categories
 *   npm run hostile -- --rss-bound-mb 800     the peak RSS that still passes (1024 by default, as the CI test)
 */
import { parseArgs } from 'node:util';
import { formatSummary, hostilePassed } from '../test/support/hostileReport.ts';
import { runHostileCorpus } from '../test/support/hostileRunner.ts';

const { values } = parseArgs({
  options: {
    slice: { type: 'boolean', default: false },
    seed: { type: 'string', default: '15' },
    json: { type: 'string' },
    only: { type: 'string' },
    'memory-mb': { type: 'string' },
    'rss-bound-mb': { type: 'string', default: '1024' },
  },
});
const summary = await runHostileCorpus({
  size: values.slice ? 'slice' : 'full',
  seed: Number(values.seed),
  settleMs: 15 * 60_000,
  only: values.only?.split(','),
  // extraction.memoryMb for the daemon's worker (default 512): what bounds a worker's heap.
  config: values['memory-mb']
    ? { extraction: { timeoutMs: 20_000, memoryMb: Number(values['memory-mb']) } }
    : undefined,
  log: (line) => console.log(line),
});
console.log(formatSummary(summary, Number(values['rss-bound-mb'])));
if (values.json) {
  const { writeFileSync } = await import('node:fs');
  const { results: _results, ...rest } = summary;
  writeFileSync(
    values.json,
    JSON.stringify(
      {
        ...rest,
        results: summary.results.map((r) => ({
          id: r.mutant.id,
          channel: r.mutant.channel,
          variant: r.mutant.variant,
          outcome: r.outcome,
          status: r.status,
          detail: r.detail,
        })),
      },
      null,
      2,
    ),
  );
}
process.exitCode = hostilePassed(summary, Number(values['rss-bound-mb'])) ? 0 : 1;
