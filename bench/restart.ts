/**
 * bench/restart: what a crash costs. (a) A supervisor restart in the real daemon: a child is
 * crashed through `POST /api/debug/crash/:actor` and the clock runs from the daemon's
 * `fault injection` log line to its `actor restarted` line (the replacement reported ready),
 * both stamped by the daemon itself. (b) A whole-process restart, as NSSM or systemd see a
 * crash: the daemon is killed with SIGKILL and `bin/invoice-loader.js run` started again; the
 * clock runs from the kill to `/health/ready` answering 200 (polled every 5 ms). Targets: the
 * supervisor restart ≥ 10× faster than the process restart (p50), and its p99 < 50 ms.
 *
 *   npm run bench:restart -- [--crashes 200] [--rounds 5] [--children heartbeat,dropFolder,monitor]
 *
 * The default children are light (a timer, a folder watch, a sampler), so the figure is the
 * supervision's own cost; `--children worker-1,http,invoices` adds what a child's own start
 * costs (a worker thread loading the extractor, the HTTP server binding its port again).
 *
 * The supervisor's restart backoff (supervisor.backoff, default 1 s, doubling) is a deliberate
 * wait, not the machinery's cost: here it is 1 ms, and the intensity is raised so 200 crashes
 * a minute do not escalate. The service manager's own delay before a restart (systemd
 * RestartSec, NSSM's AppRestartDelay) is not counted either. The database is a scratch one on
 * TEST_DATABASE_URL, else the local server on 127.0.0.1:5432, else an embedded one; the daemon
 * is already migrated when it is restarted, as in production.
 */
import { parseArgs } from 'node:util';
import { adminToken } from '../test/support/adminToken.ts';
import { createScratchDatabase } from '../test/support/database.ts';
import { DaemonProcess, disposeDaemon, prepareDaemonFolder, type LogEntry } from '../test/support/daemonProcess.ts';

const { values } = parseArgs({
  options: {
    crashes: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '5' },
    children: { type: 'string', default: 'heartbeat,dropFolder,monitor' },
  },
});
const crashes = Number(values.crashes);
const rounds = Number(values.rounds);
const children = values.children.split(',');
const TARGET_RATIO = 10;
const TARGET_P99_MS = 50;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const summary = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1)! };
};
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

/** Crash → replacement ready, from the daemon's own log stamps. */
async function supervisorRestart(daemon: DaemonProcess, child: string, token: string): Promise<number> {
  const from = daemon.logs.length;
  const response = await daemon.request(`/api/debug/crash/${child}`, { method: 'POST', token });
  if (response.status !== 202 && response.status !== 200)
    throw new Error(`crash ${child}: ${response.status} ${await response.text()}`);
  const injected = await daemon.waitForLog(
    (entry) => entry.code === 'FAULT_INJECTED' && entry.actor === child,
    10_000,
    from,
  );
  // With a configured database the drop folder, mailbox and backup run inside a singleton
  // wrapper (machines/singleton.ts): its supervisor restarts `singleton:<child>`, and the child
  // is running again once the wrapper has taken the lock again and started it.
  const restarted = await daemon.waitForLog(
    (entry: LogEntry) =>
      entry.msg === 'actor restarted' && (entry.child === child || entry.child === `singleton:${child}`),
    10_000,
    from,
  );
  const ready =
    restarted.child === child
      ? restarted
      : await daemon.waitForLog(
          (entry: LogEntry) => entry.code === 'SINGLETON_LEADING' && entry.singleton === child,
          10_000,
          from,
        );
  return Date.parse(ready.time) - Date.parse(injected.time);
}

/** SIGKILL → a new process answers /health/ready 200. */
async function processRestart(daemon: DaemonProcess): Promise<{ daemon: DaemonProcess; ms: number }> {
  const killedAt = performance.now();
  daemon.signal('SIGKILL');
  await daemon.waitForExit(10_000);
  const next = new DaemonProcess(daemon.dir, daemon.configFile, daemon.port, {});
  for (;;) {
    if (!next.running) throw new Error(`the restarted daemon exited: ${next.describeEnd()}`);
    const ready = await fetch(next.url('/health/ready'), { signal: AbortSignal.timeout(1_000) }).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) return { daemon: next, ms: performance.now() - killedAt };
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const scratch = await createScratchDatabase('bench_restart');
const folder = await prepareDaemonFolder({
  databaseUrl: scratch.url,
  config: {
    logging: { level: 'info' },
    supervisor: {
      intensity: 1_000_000,
      periodMs: 60_000,
      backoff: { minMs: 1, maxMs: 1, resetAfterMs: 0, jitter: 0 },
    },
  },
});
let daemon = new DaemonProcess(folder.dir, folder.configFile, folder.port, {});
try {
  await daemon.waitForStatus('/health/ready', 200);
  // The crash switch needs an admin's token (http.token is an operator's).
  const token = await adminToken(scratch.url, 'bench');
  const perChild = new Map<string, number[]>(children.map((child) => [child, []]));
  for (let i = 0; i < crashes; i++) {
    const child = children[i % children.length]!;
    perChild.get(child)!.push(await supervisorRestart(daemon, child, token));
  }
  const all = [...perChild.values()].flat();

  const processRuns: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const restarted = await processRestart(daemon);
    daemon = restarted.daemon;
    processRuns.push(restarted.ms);
  }

  const supervisor = summary(all);
  const whole = summary(processRuns);
  const ratio = whole.p50 / supervisor.p50;
  console.log(`bench/restart: ${crashes} supervisor restarts (${children.join(', ')}), ${rounds} process restarts`);
  for (const [child, samples] of perChild) {
    const s = summary(samples);
    console.log(`  ${child.padEnd(12)} crash → ready   p50 ${fmt(s.p50)}  p99 ${fmt(s.p99)}  max ${fmt(s.max)}`);
  }
  console.log(
    `  supervisor   crash → ready   p50 ${fmt(supervisor.p50)}  p99 ${fmt(supervisor.p99)}  max ${fmt(supervisor.max)}   target p99 < ${TARGET_P99_MS} ms: ${supervisor.p99 < TARGET_P99_MS ? 'met' : 'NOT met'}`,
  );
  console.log(
    `  process      SIGKILL → ready p50 ${fmt(whole.p50)}  p99 ${fmt(whole.p99)}  max ${fmt(whole.max)}   (node bin/invoice-loader.js run)`,
  );
  console.log(
    `  ratio        ${ratio.toFixed(0)}× faster (p50)   target ≥ ${TARGET_RATIO}×: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'}`,
  );
  process.exitCode = ratio >= TARGET_RATIO && supervisor.p99 < TARGET_P99_MS ? 0 : 1;
} finally {
  await disposeDaemon(daemon);
  await scratch.drop();
}
