import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpus, feed, sleep } from './feeds.ts';
import { DaemonSeat, FAST, poolFor, scenarioDatabase, settle, type Scenario, type ScenarioContext } from './harness.ts';
import { addTallies, type Tally } from './ledger.ts';

/**
 * (c) PostgreSQL restarted under a running daemon while invoices flow in through the drop
 * folder and HTTP, twice over:
 * - the configured server (the run's private one): `pg_ctl restart -m fast`, later an immediate
 *   stop (a crash: recovery at the next start) and a start after a pause;
 * - the embedded server the daemon runs itself: its postmaster killed with SIGKILL, and once
 *   the daemon has started it again, stopped with SIGINT (fast shutdown) as an operator might.
 * The same daemon process must carry every invoice to its end.
 */
async function configuredServer(ctx: ScenarioContext, count: number): Promise<{ tally: Tally; detail: string }> {
  const url = await scenarioDatabase(ctx, 'c');
  const seat = await DaemonSeat.open(ctx, { databaseUrl: url, config: FAST });
  await seat.current.waitForStatus('/health/ready', 200);
  const pid = seat.current.child.pid;
  const docs = corpus(count, ['drop', 'http']);
  const restarting = (async () => {
    await sleep(1_500);
    await ctx.postgres.restartFast();
    ctx.log('configured server: restarted (fast)');
    await sleep(3_000);
    await ctx.postgres.crashAndStart(2_000);
    ctx.log('configured server: stopped immediately, started 2 s later');
  })();
  await Promise.all([feed({ daemon: () => seat.current, inbox: seat.inbox }, docs, { pauseMs: 100 }), restarting]);
  const pool = poolFor(ctx, url);
  const tally = await settle({ pool, docs, postings: { outbox: seat.outbox }, inbox: seat.inbox }, 120_000);
  const same = seat.current.running && seat.current.child.pid === pid && seat.started.length === 1;
  return { tally, detail: same ? 'configured: same process' : 'configured: THE PROCESS DID NOT SURVIVE' };
}

function postmaster(dataDir: string): { pid: number; port: number } {
  const lines = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
  return { pid: Number(lines[0]), port: Number(lines[3]) };
}

async function embeddedServer(ctx: ScenarioContext, count: number): Promise<{ tally: Tally; detail: string }> {
  const seat = await DaemonSeat.open(ctx, { databaseUrl: '', config: FAST });
  await seat.current.waitForStatus('/health/ready', 200, 180_000);
  const pid = seat.current.child.pid;
  const dataDir = join(seat.dir, 'data', 'postgres');
  const docs = corpus(count, ['drop', 'http'], 10_001);
  const daemon = seat.current;
  const stopping = (async () => {
    await sleep(1_500);
    process.kill(postmaster(dataDir).pid, 'SIGKILL');
    ctx.log('embedded server: postmaster killed (SIGKILL)');
    const died = await daemon.waitForLog((e) => e.code === 'EMBEDDED_DB_DIED', 60_000);
    await daemon.waitForLog((e) => e.msg === 'embedded PostgreSQL is up', 120_000, daemon.logs.indexOf(died));
    await sleep(1_000);
    process.kill(postmaster(dataDir).pid, 'SIGINT');
    const again = await daemon.waitForLog((e) => e.code === 'EMBEDDED_DB_DIED', 60_000, daemon.logs.indexOf(died) + 1);
    await daemon.waitForLog((e) => e.msg === 'embedded PostgreSQL is up', 120_000, daemon.logs.indexOf(again));
    ctx.log('embedded server: started again by the daemon, stopped (SIGINT, fast shutdown), started again');
  })();
  await Promise.all([feed({ daemon: () => seat.current, inbox: seat.inbox }, docs, { pauseMs: 100 }), stopping]);
  const { port } = postmaster(dataDir);
  const password = readFileSync(`${dataDir}.password`, 'utf8').trim();
  const pool = poolFor(ctx, `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/invoice_loader`);
  const tally = await settle({ pool, docs, postings: { outbox: seat.outbox }, inbox: seat.inbox }, 120_000);
  const restarts = daemon.logs.filter((e) => e.code === 'EMBEDDED_DB_DIED').length;
  const same = daemon.running && daemon.child.pid === pid && seat.started.length === 1;
  return {
    tally,
    detail: `embedded: ${restarts} restarts by the daemon, ${same ? 'same process' : 'THE PROCESS DID NOT SURVIVE'}`,
  };
}

export const databaseRestart: Scenario = {
  id: 'c',
  name: 'database restart',
  async run(ctx) {
    const count = ctx.profile === 'long' ? 500 : 100;
    const configured = await configuredServer(ctx, count);
    const embedded = await embeddedServer(ctx, count);
    const failures = [configured.detail, embedded.detail].filter((d) => d.includes('DID NOT'));
    return {
      tally: addTallies(configured.tally, embedded.tally),
      detail: `${configured.detail}; ${embedded.detail}`,
      failures,
    };
  },
};
