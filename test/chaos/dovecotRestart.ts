import { freePort } from '../../src/runtime/freePort.ts';
import { startDovecot } from '../support/dovecot.ts';
import { tcpProxy } from '../support/tcpProxy.ts';
import { until } from '../support/until.ts';
import { corpus, feed, sleep } from './feeds.ts';
import { DaemonSeat, FAST, poolFor, scenarioDatabase, settle, type Scenario } from './harness.ts';
import { imapSettings } from './sigkills.ts';

/**
 * (d) The IMAP server restarted while mail with invoices arrives: Dovecot is stopped (every
 * IMAP session of the daemon is cut mid-IDLE or mid-fetch) and started again on the same port,
 * twice. The same daemon process must take every mail once and move it to Processed.
 *
 * The daemon reaches Dovecot through a TCP forwarder that is closed with the server: Dovecot's
 * master leaves running IMAP sessions alive when it stops, so without it the daemon would not
 * see the restart at all, while a real server restart (or a host reboot) cuts them.
 */
export const dovecotRestart: Scenario = {
  id: 'd',
  name: 'dovecot restart',
  async run(ctx) {
    const count = ctx.profile === 'long' ? 500 : 100;
    const dovecot = await startDovecot(undefined);
    ctx.cleanup.defer(() => dovecot.cleanUp());
    const proxyPort = await freePort();
    const proxy = tcpProxy(proxyPort, dovecot.host, dovecot.port);
    await proxy.open();
    ctx.cleanup.defer(() => proxy.close());
    const url = await scenarioDatabase(ctx, 'd');
    const seat = await DaemonSeat.open(ctx, {
      databaseUrl: url,
      env: { CHAOS_IMAP_PASSWORD: dovecot.password },
      config: { ...FAST, intake: { ...FAST.intake, imap: imapSettings({ ...dovecot, port: proxyPort }) } },
    });
    const daemon = seat.current;
    await daemon.waitForStatus('/health/ready', 200);
    await daemon.waitForLog((e) => e.msg === 'mailbox connected (IMAP IDLE)', 60_000);
    const docs = corpus(count, ['imap', 'imap', 'drop']);
    let restarts = 0;
    const restarting = (async () => {
      for (const wait of [1_500, 3_000]) {
        await sleep(wait);
        await proxy.close();
        await dovecot.stop();
        await sleep(2_000);
        await dovecot.start();
        await proxy.open();
        restarts++;
        ctx.log(`Dovecot stopped and started again (${restarts})`);
      }
    })();
    await Promise.all([feed({ daemon: () => daemon, inbox: seat.inbox, dovecot }, docs, { pauseMs: 100 }), restarting]);
    const pool = poolFor(ctx, url);
    const tally = await settle(
      { pool, docs, postings: { outbox: seat.outbox }, inbox: seat.inbox, dovecot },
      ctx.profile === 'long' ? 240_000 : 120_000,
    );
    // The last reconnect may come after every mail is in (its backoff runs out after the restart).
    const connected = () => daemon.logs.filter((e) => String(e.msg).startsWith('mailbox connected')).length;
    await until('the mailbox to reconnect after each restart', () => (connected() > restarts ? true : undefined), {
      timeoutMs: 30_000,
    }).catch(() => undefined);
    const connects = connected();
    const actorFailures = daemon.logs.filter((e) => String(e.msg).startsWith('actor mailbox failed')).length;
    const failures = [
      ...(daemon.running && seat.started.length === 1 ? [] : ['the daemon did not survive']),
      ...(connects > restarts ? [] : [`the mailbox connected ${connects} time(s) for ${restarts} restart(s)`]),
    ];
    return {
      tally,
      detail: `${restarts} restarts, ${connects - 1} reconnects, ${actorFailures} mailbox actor failures`,
      failures,
    };
  },
};
