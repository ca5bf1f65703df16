import { HOSTILE_CATEGORIES, HOSTILE_CHANNELS, type HostileMutant, type HostileOutcome } from './hostileCorpus.ts';

/**
 * The hostile run's verdict: one row per category and channel (sent / quarantined / refused /
 * processed / ignored / crashed), the mutants whose outcome was not one their category allows,
 * and the daemon-wide checks.
 */
export interface Observed {
  /** crashed: an HTTP 5xx or a dropped connection; unsettled: still not done when the run gave up waiting. */
  outcome: HostileOutcome | 'crashed' | 'unsettled';
  /** The reason as the daemon gave it (status_reason, HTTP error, .reason.txt, the mail's detail). */
  detail: string;
  status?: string;
}

export type HostileResult = Observed & { mutant: HostileMutant };

export interface DaemonChecks {
  wallMs: number;
  /** From the first document sent until the last settled. */
  settledMs: number;
  memory: {
    startRssMb: number;
    peakRssMb: number;
    vmHwmMb: number;
    samples: number;
    rises: Array<{ atMs: number; rssMb: number }>;
    /** After the run: the main thread's V8 heap and external memory, and the process RSS, from /metrics. */
    mainHeap: { totalMb: number; usedMb: number; externalMb: number; residentMb: number } | null;
  };
  pid: number;
  stillRunning: boolean;
  uncaught: string[];
  /** Actors restarted by their supervisor (an extraction worker replaced after a timeout or OOM is expected). */
  restarts: string[];
  /** Files in the sandbox written outside the daemon's folders. */
  outside: string[];
  /** Files carrying the escape marker outside the sandbox (/tmp, /). */
  escaped: string[];
  canaryHits: number;
  /** Invoices or log lines holding /etc/passwd's content. */
  passwdLeaks: number;
}

export interface HostileRow {
  category: string;
  channel: string;
  sent: number;
  quarantined: number;
  refused: number;
  processed: number;
  ignored: number;
  crashed: number;
}

export interface HostileSummary extends DaemonChecks {
  total: number;
  rows: HostileRow[];
  totals: HostileRow;
  /** Outcomes the mutant's category does not allow (including crashed and unsettled). */
  unexpected: Array<{ id: string; variant: string; channel: string; expected: string; got: string; detail: string }>;
  /** Quarantined or refused without a reason. */
  withoutReason: string[];
  results: HostileResult[];
}

const COLUMNS = ['quarantined', 'refused', 'processed', 'ignored', 'crashed'] as const;

function row(category: string, channel: string, results: HostileResult[]): HostileRow {
  const counted: HostileRow = {
    category,
    channel,
    sent: results.length,
    quarantined: 0,
    refused: 0,
    processed: 0,
    ignored: 0,
    crashed: 0,
  };
  for (const result of results) {
    const column = result.outcome === 'unsettled' ? 'crashed' : result.outcome;
    counted[column] += 1;
  }
  return counted;
}

export function summarize(results: HostileResult[], checks: DaemonChecks): HostileSummary {
  const rows: HostileRow[] = [];
  for (const category of HOSTILE_CATEGORIES)
    for (const channel of HOSTILE_CHANNELS) {
      const some = results.filter((r) => r.mutant.category === category && r.mutant.channel === channel);
      if (some.length > 0) rows.push(row(category, channel, some));
    }
  return {
    ...checks,
    total: results.length,
    rows,
    totals: row('all', 'all', results),
    unexpected: results
      .filter((r) => !(r.mutant.expect as string[]).includes(r.outcome))
      .map((r) => ({
        id: r.mutant.id,
        variant: r.mutant.variant,
        channel: r.mutant.channel + (r.mutant.form ? `/${r.mutant.form}` : ''),
        expected: r.mutant.expect.join('|'),
        got: r.outcome + (r.status ? ` (${r.status})` : ''),
        detail: r.detail.slice(0, 240),
      })),
    withoutReason: results
      .filter((r) => (r.outcome === 'quarantined' || r.outcome === 'refused') && !r.detail.trim())
      .map((r) => `${r.mutant.id} (${r.mutant.channel})`),
    results,
  };
}

/** The table and the checks as text for a terminal. */
export function formatSummary(summary: HostileSummary, rssBoundMb = 400): string {
  const header = ['category', 'channel', 'sent', ...COLUMNS];
  const lines = [...summary.rows, summary.totals].map((r) =>
    [r.category, r.channel, r.sent, ...COLUMNS.map((c) => r[c])].map(String),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) =>
    cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const out = [
    format(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...lines.slice(0, -1).map(format),
    format(lines.at(-1)!),
  ];
  out.push(
    '',
    `daemon pid ${summary.pid}: ${summary.stillRunning ? 'still running, same process' : 'NOT RUNNING'}; uncaught exceptions: ${summary.uncaught.length}`,
    `RSS ${summary.memory.startRssMb} MB idle before the corpus; peak RSS ${summary.memory.peakRssMb} MB sampled every 100 ms (${summary.memory.samples} samples), kernel VmHWM ${summary.memory.vmHwmMb} MB (bound ${rssBoundMb} MB)`,
    `after the run: RSS ${summary.memory.mainHeap?.residentMb ?? '?'} MB, of which the main thread's heap ${summary.memory.mainHeap?.totalMb ?? '?'} MB (${summary.memory.mainHeap?.usedMb ?? '?'} MB used) and external ${summary.memory.mainHeap?.externalMb ?? '?'} MB; the rest is the extraction worker and native memory`,
    `wall time ${(summary.wallMs / 1000).toFixed(1)} s, of which ${(summary.settledMs / 1000).toFixed(1)} s from the first document sent to the last settled`,
    `files outside the daemon's folders: ${summary.outside.length}; escaped names in /tmp or /: ${summary.escaped.length}; canary requests: ${summary.canaryHits}; /etc/passwd leaks: ${summary.passwdLeaks}`,
    `actor restarts: ${summary.restarts.join(', ') || 'none'}`,
    `unexpected outcomes: ${summary.unexpected.length}; quarantined or refused without a reason: ${summary.withoutReason.length}`,
  );
  for (const u of summary.unexpected)
    out.push(`  ${u.id} [${u.channel}] ${u.variant}: expected ${u.expected}, got ${u.got} — ${u.detail}`);
  for (const line of [...summary.uncaught, ...summary.outside, ...summary.escaped]) out.push(`  ${line}`);
  return out.join('\n');
}

/** Whether the run passed every check (what `npm run hostile` exits with). */
export function hostilePassed(summary: HostileSummary, rssBoundMb = 400): boolean {
  return (
    summary.stillRunning &&
    summary.uncaught.length === 0 &&
    summary.unexpected.length === 0 &&
    summary.withoutReason.length === 0 &&
    summary.outside.length === 0 &&
    summary.escaped.length === 0 &&
    summary.canaryHits === 0 &&
    summary.passwdLeaks === 0 &&
    summary.memory.vmHwmMb <= rssBoundMb
  );
}
