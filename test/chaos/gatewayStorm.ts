import {
  defaultCatalog,
  defaultPartners,
  startNexSimulator,
  type NexFaults,
  type NexSimulator,
} from '../support/nexSimulator.ts';
import { corpus, feed } from './feeds.ts';
import { DaemonSeat, FAST, poolFor, scenarioDatabase, settle, type Scenario } from './harness.ts';

/**
 * (b) The NEX gateway misbehaving while invoices flow: 5xx, requests never answered, imports
 * stored and then answered by a reset (the ambiguous case reconciliation exists for), 429 with
 * Retry-After. The storm hits the imports only: a read that fails during product matching makes
 * the invoice wait for a person by design (src/nex/matching.ts), which is no loss but not this
 * scenario's subject. The storm lasts until every invoice has settled.
 */
export const STORM: NexFaults = {
  error5xxRate: 0.25,
  timeoutRate: 0.1,
  resetAfterStoreRate: 0.1,
  rate429: { rate: 0.15, retryAfterS: 1 },
  latencyMs: [10, 80],
};

/** A gateway that knows the sample invoice's supplier and products, so the rules approve it. */
export function chaosGateway(apiKey: string, seed: number, faults: NexFaults = {}): Promise<NexSimulator> {
  return startNexSimulator({
    apiKey,
    seed,
    faults,
    partners: [
      ...defaultPartners,
      { pab_code: 201, name: 'L&Š s.r.o.', ico: '36555720', dic: '2020317068', ic_dph: 'SK2020317068' },
    ],
    catalog: [
      ...defaultCatalog,
      { gs_code: 2001, name: 'Hydroizolačná stierka 15kg', ean: '8583175073808', supplier_code: 'P89380' },
      { gs_code: 2002, name: 'Lepidlo na obklad Flex C2TE 25 kg', ean: null, supplier_code: 'P10233' },
      { gs_code: 2003, name: 'Príručka: Zateplenie & izolácie', ean: '9788080000007', supplier_code: 'K-0042' },
    ],
  });
}

export function gatewaySettings(url: string, apiKey: string) {
  return {
    ...FAST.nex,
    mode: 'api',
    url,
    apiKey,
    timeoutMs: 1_500,
    concurrency: 2,
    // A breaker that opens and closes within the scenario, not after minutes.
    breaker: { errorThresholdPercentage: 50, volumeThreshold: 10, rollingCountMs: 5_000, resetTimeoutMs: 1_000 },
  };
}

export const gatewayStorm: Scenario = {
  id: 'b',
  name: 'gateway storm',
  async run(ctx) {
    const count = ctx.profile === 'long' ? 1_000 : 120;
    const simulator = await chaosGateway('chaos-storm', ctx.seed, STORM);
    ctx.cleanup.defer(() => simulator.close());
    const url = await scenarioDatabase(ctx, 'b');
    const seat = await DaemonSeat.open(ctx, {
      databaseUrl: url,
      config: { ...FAST, nex: gatewaySettings(simulator.url, 'chaos-storm') },
    });
    await seat.current.waitForStatus('/health/ready', 200);
    const docs = corpus(count, ['drop', 'http']);
    await feed({ daemon: () => seat.current, inbox: seat.inbox }, docs, { pauseMs: 100 });
    const pool = poolFor(ctx, url);
    const result = await settle(
      { pool, docs, postings: { gateway: () => simulator.documents }, inbox: seat.inbox },
      // Under this storm the writer posts 2–4 invoices a second on a loaded 2-core machine.
      ctx.profile === 'long' ? 900_000 : 180_000,
    );
    const during = simulator.requests.import;
    const reconciled = (
      await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM invoices WHERE posted_via = 'reconciliation'")
    ).rows[0]!.n;
    const total = Object.values(during).reduce((sum, n) => sum + n, 0);
    const faults = ['server_error', 'timeout', 'reset_after_store', 'rate_limited']
      .map((outcome) => `${during[outcome] ?? 0} ${outcome.replace(/_/g, ' ')}`)
      .join(', ');
    return {
      tally: result,
      detail: `${total} imports: ${faults}; ${reconciled} found by reconciliation`,
      failures: seat.current.running ? [] : ['the daemon exited'],
    };
  },
};
