/**
 * The chaos suite (docs/reliability.md): real daemons, a private PostgreSQL, Dovecot, the NEX
 * gateway simulator and an SMTP server, broken on purpose; each scenario prints what became of
 * its documents. Exit 1 when any scenario lost or duplicated one, or failed.
 *
 *   npm run chaos -- [--profile short|long] [--only a,c] [--seed N]
 */
import { parseArgs } from 'node:util';
import { Cleanup, ScenarioSkipped, type Profile, type Scenario, type ScenarioResult } from '../test/chaos/harness.ts';
import { formatTally } from '../test/chaos/ledger.ts';
import { startPrivatePostgres, type PrivatePostgres } from '../test/chaos/privatePostgres.ts';
import { scenarios } from '../test/chaos/scenarios.ts';

const { values } = parseArgs({
  options: {
    profile: { type: 'string', default: 'short' },
    only: { type: 'string' },
    seed: { type: 'string' },
  },
});
const profile = values.profile as Profile;
if (profile !== 'short' && profile !== 'long') {
  console.error(`--profile must be short or long, not "${values.profile}"`);
  process.exit(2);
}
const wanted = values.only?.split(',').map((s) => s.trim()) ?? scenarios.map((s) => s.id);
const chosen = scenarios.filter((s) => wanted.includes(s.id));
const unknown = wanted.filter((id) => !scenarios.some((s) => s.id === id));
if (unknown.length) {
  console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${scenarios.map((s) => s.id).join(', ')}`);
  process.exit(2);
}
const seed = Number(values.seed ?? Math.floor(Math.random() * 1e6));

const global = new Cleanup();
let current: Cleanup | undefined;
let interrupted = false;
function abandon(why: string, code: number) {
  if (interrupted) process.exit(code);
  interrupted = true;
  console.error(`\n${why}: stopping everything the chaos run started…`);
  void (async () => {
    await current?.run();
    await global.run();
    process.exit(code);
  })();
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => abandon(signal, 130));
// A scenario's stray rejection must not leave daemons and servers behind either.
process.on('uncaughtException', (error) => abandon(`uncaught exception: ${error.stack}`, 1));
process.on('unhandledRejection', (error) => abandon(`unhandled rejection: ${String(error)}`, 1));

interface Row {
  scenario: Scenario;
  result?: ScenarioResult;
  error?: string;
  skipped?: string;
  seconds: number;
}

const passed = (row: Row) =>
  !row.error &&
  !!row.result &&
  row.result.tally.lost === 0 &&
  row.result.tally.duplicated === 0 &&
  row.result.failures.length === 0;

async function runOne(scenario: Scenario, postgres: PrivatePostgres): Promise<Row> {
  const cleanup = new Cleanup();
  current = cleanup;
  const started = Date.now();
  const log = (line: string) => console.log(`   ${scenario.id}: ${line}`);
  try {
    const result = await scenario.run({ profile, postgres, cleanup, seed, log });
    return { scenario, result, seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    if (error instanceof ScenarioSkipped)
      return { scenario, skipped: error.message, seconds: (Date.now() - started) / 1000 };
    return { scenario, error: (error as Error).stack ?? String(error), seconds: (Date.now() - started) / 1000 };
  } finally {
    await cleanup.run();
    current = undefined;
  }
}

function line(row: Row): string {
  const head = `${row.scenario.id}  ${row.scenario.name.padEnd(18)}`;
  const time = `${row.seconds.toFixed(0)} s`;
  if (row.skipped) return `${head}skipped: ${row.skipped}`;
  if (row.error) return `${head}FAILED: ${row.error.split('\n')[0]}  (${time})`;
  const { tally, detail, failures } = row.result!;
  const extra =
    (tally.pending ? `; ${tally.pending} not at an end state when counted (the deadline passed)` : '') +
    (failures.length ? `; FAILED: ${failures.join('; ')}` : '');
  return `${head}${formatTally(tally)}  (${detail}, ${time})${extra}`;
}

console.log(`chaos: profile ${profile}, scenarios ${chosen.map((s) => s.id).join(',')}, seed ${seed}`);
const rows: Row[] = [];
const runStarted = Date.now();
let postgres: PrivatePostgres | undefined;
try {
  postgres = await startPrivatePostgres();
  global.defer(() => postgres!.stop());
  for (const scenario of chosen) {
    if (interrupted) break;
    console.log(`-- ${scenario.id} ${scenario.name}`);
    const row = await runOne(scenario, postgres);
    rows.push(row);
    console.log(`${row.skipped ? '-' : passed(row) ? '✔' : '✘'} ${line(row)}`);
    if (row.error) console.log(row.error);
    for (const note of row.result?.tally.notes ?? []) console.log(`     ${note}`);
  }
} catch (error) {
  console.error(`chaos: could not start: ${(error as Error).stack}`);
} finally {
  await global.run();
}

console.log(`\nchaos summary (profile ${profile}, seed ${seed}, ${((Date.now() - runStarted) / 1000).toFixed(0)} s)`);
console.log('scenario               submitted  processed  lost  duplicated  seconds  result');
for (const row of rows) {
  const t = row.result?.tally;
  const cells = [
    `${row.scenario.id} ${row.scenario.name}`.padEnd(22),
    String(t?.submitted ?? '-').padStart(9),
    String(t?.processed ?? '-').padStart(10),
    String(t?.lost ?? '-').padStart(5),
    String(t?.duplicated ?? '-').padStart(11),
    row.seconds.toFixed(0).padStart(8),
    row.skipped ? 'skipped' : passed(row) ? 'pass' : 'FAIL',
  ];
  console.log(cells.join(' '));
}
const good = rows.filter(passed).length;
const skipped = rows.filter((row) => row.skipped).length;
// A scenario that never ran (the start failed, or an interrupt) counts as failed.
const bad = chosen.length - good - skipped;
console.log(`chaos: ${good} passed, ${bad} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(bad === 0 ? 0 : 1);
