import test from 'ava';
import { loadConfig } from '../../src/config/load.ts';
import { emptyLine } from '../../src/invoice/normalizedInvoice.ts';
import { createGatewayClient } from '../../src/nex/gatewayClient.ts';
import { matchLines, saveMatches } from '../../src/nex/matching.ts';
import { migratedPool } from '../support/migratedDatabase.ts';
import { startNexSimulator } from '../support/nexSimulator.ts';
import { numberedInvoice, stageInvoice } from '../support/stagedInvoices.ts';

const SUPPLIER = '36555720';
const catalog = [
  { gs_code: 2001, name: 'Hydroizolačná stierka 15kg', ean: '8583175073808', supplier_code: null },
  { gs_code: 2002, name: 'Lepidlo na obklad Flex C2TE 25 kg', ean: null, supplier_code: null },
  { gs_code: 2003, name: 'Príručka Zateplenie a izolácie', ean: null, supplier_code: null },
];

async function setup(t: Parameters<typeof migratedPool>[0]) {
  const pool = await migratedPool(t);
  const simulator = await startNexSimulator({ apiKey: 'k', catalog });
  t.teardown(() => simulator.close());
  const gateway = createGatewayClient({
    ...loadConfig({ env: {} }).config.nex,
    url: simulator.url,
    apiKey: 'k',
    timeoutMs: 2000,
  });
  t.teardown(() => gateway.shutdown());
  return { pool, simulator, gateway };
}

const line = (n: number, fields: Partial<ReturnType<typeof emptyLine>>) => ({ ...emptyLine(n), ...fields });

test('EAN first, then the name above the threshold; what a match teaches about the supplier code is used next time', async (t) => {
  const { pool, simulator, gateway } = await setup(t);
  const lines = [
    line(1, { item_code: 'P89380', ean: '8583175073808', description: 'Hydroizolačná stierka 15kg' }),
    line(2, { item_code: 'P10233', description: 'Lepidlo na obklad "Flex" C2TE <25 kg>' }),
    line(3, { item_code: 'X-1', description: 'Úplne iný tovar bez zhody' }),
  ];
  const first = await matchLines(gateway, pool, SUPPLIER, lines, 0.6);
  t.is(first.status, 'partial');
  t.like(first.lines[0], { gs_code: '2001', matched_by: 'ean', confidence: 1 });
  t.like(first.lines[1], { gs_code: '2002', matched_by: 'name' });
  t.true(first.lines[1]!.confidence! >= 0.6);
  t.like(first.lines[2], { gs_code: null, matched_by: null });

  // The supplier's codes were learned: the same lines match by code without asking the gateway.
  const matchCalls = simulator.requestCount('match');
  const barcodeCalls = simulator.requestCount('barcode');
  const again = await matchLines(
    gateway,
    pool,
    SUPPLIER,
    [line(1, { item_code: 'P10233', description: 'Lepidlo' })],
    0.6,
  );
  t.like(again.lines[0], { gs_code: '2002', matched_by: 'seller_code' });
  t.is(again.status, 'matched');
  t.is(simulator.requestCount('match'), matchCalls);
  t.is(simulator.requestCount('barcode'), barcodeCalls);
});

test('below the threshold the best candidates are kept as alternatives, not as a match', async (t) => {
  const { pool, gateway } = await setup(t);
  const result = await matchLines(gateway, pool, SUPPLIER, [line(1, { description: 'Príručka zateplenie' })], 0.95);
  t.is(result.status, 'partial');
  t.like(result.lines[0], { gs_code: null, matched_by: null });
  t.true(result.lines[0]!.alternatives.some((a) => a.gs_code === '2003'));
});

test('a gateway that cannot be reached leaves matching unavailable with the reason; results are stored per line', async (t) => {
  const { pool, simulator, gateway } = await setup(t);
  simulator.setFaults({ outage: true, applyToReads: true });
  const down = await matchLines(gateway, pool, SUPPLIER, [line(1, { ean: '8583175073808', description: 'x' })], 0.6);
  t.is(down.status, 'unavailable');
  t.regex(down.error ?? '', /503|unavailable|NEX/i);
  simulator.clearFaults();

  const id = await stageInvoice(pool, numberedInvoice(1), 'validating');
  const invoiceLines = numberedInvoice(1).lines;
  const outcome = await matchLines(gateway, pool, SUPPLIER, invoiceLines, 0.6);
  await saveMatches(pool, id, outcome);
  const stored = (
    await pool.query(
      'SELECT line_number, nex_product_id, matched_by, match_confidence::text AS confidence, match_alternatives FROM invoice_lines WHERE invoice_id = $1 ORDER BY line_number',
      [id],
    )
  ).rows;
  t.like(stored[0], { nex_product_id: '2001', matched_by: 'ean', confidence: '1' });
  t.is(stored.length, 3);
  t.is(
    (await pool.query('SELECT matching_status FROM invoices WHERE id = $1', [id])).rows[0].matching_status,
    outcome.status,
  );
});
