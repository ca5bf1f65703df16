import { claimAndRunMachine } from './claimAndRun.ts';

/**
 * The NEX writer (docs/nex.md): the claim-and-run machine, as `invoices` runs it — leases in the
 * database, bounded concurrency (nex.concurrency), wake-ups, leases given back on a graceful
 * stop — running one posting actor per approved invoice (input childPrefix `posting-`) instead of a lifecycle. What is
 * particular to NEX lives in its provided implementations (src/nex/nexWriterService.ts): the
 * claim pauses while the gateway's breaker is open, and each posting (src/nex/poster.ts)
 * commits before it sends, reconciles before it resends, and backs off with p-retry.
 *
 *   claiming ──claimed──▶ idle ──wake / pollMs──▶ claiming
 *        └── spawns posting-<id> actors ──done──▶ finished (lease released)
 */
export const nexWriterMachine = claimAndRunMachine;
