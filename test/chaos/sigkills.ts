import { startDovecot } from '../support/dovecot.ts';
import { corpus, feed, sleep } from './feeds.ts';
import { DaemonSeat, FAST, poolFor, scenarioDatabase, seeded, settle, type Scenario } from './harness.ts';

/**
 * (a) Invoices through the drop folder, HTTP and IMAP while the daemon is killed with SIGKILL
 * at random moments (during start-up, intake, extraction, posting) and started again in place.
 */
export function imapSettings(dovecot: { host: string; port: number; user: string }) {
  return {
    enabled: true,
    host: dovecot.host,
    port: dovecot.port,
    security: 'plain',
    user: dovecot.user,
    password: '${ENV:CHAOS_IMAP_PASSWORD}',
    pollMs: 1_000,
    reconnect: { minMs: 200, maxMs: 1_000, jitter: 0 },
  };
}

export const sigkills: Scenario = {
  id: 'a',
  name: 'sigkills',
  async run(ctx) {
    const count = ctx.profile === 'long' ? 1_000 : 240;
    const kills = 10;
    const random = seeded(ctx.seed);
    const dovecot = await startDovecot(undefined);
    ctx.cleanup.defer(() => dovecot.cleanUp());
    const url = await scenarioDatabase(ctx, 'a');
    const seat = await DaemonSeat.open(ctx, {
      databaseUrl: url,
      env: { CHAOS_IMAP_PASSWORD: dovecot.password },
      // Short leases: a killed daemon's invoices are taken over soon.
      config: {
        ...FAST,
        pipeline: { ...FAST.pipeline, leaseMs: 1_500 },
        intake: { ...FAST.intake, imap: imapSettings(dovecot) },
      },
    });
    await seat.current.waitForStatus('/health/ready', 200);
    const docs = corpus(count, ['drop', 'http', 'imap']);
    let fed = false;
    const feeding = feed({ daemon: () => seat.current, inbox: seat.inbox, dovecot }, docs, { pauseMs: 60 }).finally(
      () => (fed = true),
    );
    const started = Date.now();
    // At least `kills`, and on until the last document is in: a long feed is hit all along.
    const gapMs = ctx.profile === 'long' ? [1_000, 5_000] : [300, 2_500];
    let killed = 0;
    while (killed < kills || !fed) {
      await sleep(gapMs[0]! + random() * (gapMs[1]! - gapMs[0]!));
      await seat.kill();
      seat.restart();
      killed++;
    }
    ctx.log(`${killed} SIGKILLs in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    await feeding;
    await seat.current.waitForStatus('/health/ready', 200, 120_000);
    const pool = poolFor(ctx, url);
    const result = await settle(
      { pool, docs, postings: { outbox: seat.outbox }, inbox: seat.inbox, dovecot },
      ctx.profile === 'long' ? 300_000 : 120_000,
    );
    const resumed = seat
      .logs()
      .filter((e) => e.msg.startsWith('resuming '))
      .reduce((n, e) => n + Number(e.resumed ?? 0), 0);
    return {
      tally: result,
      detail: `${killed} kills, ${resumed} invoices resumed mid-lifecycle`,
      failures: seat.current.running ? [] : ['the last daemon is not running'],
    };
  },
};
