import { adminToken } from '../support/adminToken.ts';
import type { DaemonProcess } from '../support/daemonProcess.ts';
import { corpus, feed, sleep } from './feeds.ts';
import { DaemonSeat, FAST, poolFor, scenarioDatabase, settle, type Scenario } from './harness.ts';

/**
 * (e) A crash loop beyond the supervisors' intensity (debug.faultInjection's crash route), while
 * invoices flow: `invoices` is crashed until `pipeline` gives up and escalates to `root` (which
 * restarts the pipeline: one restart of root's budget), then `heartbeat`, a child of root, until
 * root's own budget is spent. Root gives up, the process exits non-zero, and the process the
 * service manager would start next must carry every invoice submitted before to its end.
 */
const INTENSITY = 2;

/** Crashes `actor` once it runs (it may be between restarts); false when the process has exited. */
async function crashWhenRunning(daemon: DaemonProcess, actor: string, token: string): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  while (daemon.running && Date.now() < deadline) {
    const answer = await daemon
      .request(`/api/debug/crash/${actor}`, {
        method: 'POST',
        token: null,
        headers: { authorization: `Bearer ${token}` },
      })
      .catch(() => undefined);
    if (answer?.status === 202) return true;
    await sleep(50);
  }
  return false;
}

export const crashLoop: Scenario = {
  id: 'e',
  name: 'crash loop',
  async run(ctx) {
    const count = ctx.profile === 'long' ? 500 : 150;
    const url = await scenarioDatabase(ctx, 'e');
    const seat = await DaemonSeat.open(ctx, {
      databaseUrl: url,
      config: {
        ...FAST,
        supervisor: {
          intensity: INTENSITY,
          periodMs: 60_000,
          backoff: { minMs: 100, maxMs: 500, resetAfterMs: 60_000, jitter: 0 },
        },
      },
    });
    const first = seat.current;
    await first.waitForStatus('/health/ready', 200);
    const token = await adminToken(url);
    const docs = corpus(count, ['drop', 'http']);
    const feeding = feed({ daemon: () => seat.current, inbox: seat.inbox }, docs, { pauseMs: 80 });

    await sleep(1_000);
    const failures: string[] = [];
    let crashes = 0;
    // The pipeline's budget: INTENSITY restarts, the next failure makes it give up.
    for (let i = 0; i <= INTENSITY && first.running; i++)
      if (await crashWhenRunning(first, 'invoices', token)) crashes++;
    const pipelineGaveUp = await first
      .waitForLog((e) => e.code === 'SUPERVISOR_GAVE_UP' && e.supervisor === 'pipeline', 30_000)
      .then(() => true)
      .catch(() => false);
    if (!pipelineGaveUp) failures.push('the pipeline supervisor did not give up');
    // Root restarted the pipeline once; its remaining budget goes on the heartbeat.
    while (first.running && crashes < 20) {
      if (await crashWhenRunning(first, 'heartbeat', token)) crashes++;
      await sleep(200);
    }
    const exitCode = await first.waitForExit(60_000).catch(() => null);
    const rootGaveUp = first.logs.some((e) => e.code === 'SUPERVISOR_GAVE_UP' && e.supervisor === 'root');
    if (exitCode === 0 || exitCode === null) failures.push(`the process exit code was ${exitCode}, not non-zero`);
    if (!rootGaveUp) failures.push('no SUPERVISOR_GAVE_UP of root was logged');
    ctx.log(`${crashes} crashes; root gave up: ${rootGaveUp}; exit code ${exitCode}`);

    // The service manager's restart.
    seat.restart();
    await seat.current.waitForStatus('/health/ready', 200, 120_000);
    await feeding;
    const pool = poolFor(ctx, url);
    const tally = await settle({ pool, docs, postings: { outbox: seat.outbox }, inbox: seat.inbox }, 120_000);
    return { tally, detail: `${crashes} crashes, exit ${exitCode}, restarted once`, failures };
  },
};
