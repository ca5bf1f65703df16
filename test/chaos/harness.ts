import { rmSync } from 'node:fs';
import pg from 'pg';
import {
  DaemonProcess,
  prepareDaemonFolder,
  stopLeftoverPostgres,
  type DaemonOptions,
} from '../support/daemonProcess.ts';
import type { Dovecot } from '../support/dovecot.ts';
import { sleep } from './feeds.ts';
import {
  gatewayPostings,
  inboxFolder,
  inboxLeftovers,
  invoiceRows,
  outboxPostings,
  tally,
  type SubmittedDocument,
  type Tally,
} from './ledger.ts';
import type { PrivatePostgres } from './privatePostgres.ts';
import { join } from 'node:path';

/** What the runner gives each scenario, and what a scenario gives back. */
export type Profile = 'short' | 'long';

export interface ScenarioContext {
  profile: Profile;
  postgres: PrivatePostgres;
  cleanup: Cleanup;
  /** Seeds the scenario's dice (kill moments, gateway faults); printed so a run can be repeated. */
  seed: number;
  log(line: string): void;
}

export interface ScenarioResult {
  tally: Tally;
  /** What the scenario did besides the counts ("12 kills", "exit 1 after 3 crashes"). */
  detail: string;
  /** A check beside the counts that failed (an alert not mailed, a wrong exit code). */
  failures: string[];
}

export interface Scenario {
  id: string;
  name: string;
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}

/** Thrown when the machine cannot stage a scenario at all (no root for a mount): reported, not counted. */
export class ScenarioSkipped extends Error {}

/** Everything a scenario started, stopped in reverse order also when it failed. */
export class Cleanup {
  private steps: Array<() => Promise<unknown> | unknown> = [];
  defer(step: () => Promise<unknown> | unknown): void {
    this.steps.push(step);
  }
  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        console.error(`cleanup step failed: ${(error as Error).message}`);
      }
    }
  }
}

/** A seeded PRNG (mulberry32): the same seed gives the same kill moments. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Settings that make a chaos daemon react in seconds instead of minutes. */
export const FAST = {
  intake: { dropFolder: { pollMs: 50, stableMs: 100 } },
  pipeline: { concurrency: 4, pollMs: 100, leaseMs: 2_000, retryMinMs: 200, retryMaxMs: 1_000, maxAttempts: 10 },
  nex: { pollMs: 100, leaseMs: 2_000, retry: { minMs: 200, maxMs: 1_000, maxAttempts: 30, maxRetryTimeMs: 300_000 } },
  logging: { level: 'info' },
  // The host's CPU, disk and memory must not add alerts a scenario does not expect.
  monitor: { enabled: false },
  backup: { enabled: false },
};

/** Daemons still running when the runner exits however it exits (the last resort: no await there). */
const live = new Set<DaemonProcess>();
process.once('exit', () => {
  for (const daemon of live) if (daemon.running) daemon.signal('SIGKILL');
});

/**
 * One daemon's folder, and the process running in it now: a scenario that kills the process
 * starts the next one in the same folder with the same config, as a service manager would.
 */
export class DaemonSeat {
  current: DaemonProcess;
  readonly started: DaemonProcess[] = [];
  readonly dir: string;
  readonly configFile: string;
  readonly port: number;
  private readonly env: NodeJS.ProcessEnv;
  private constructor(dir: string, configFile: string, port: number, env: NodeJS.ProcessEnv) {
    this.dir = dir;
    this.configFile = configFile;
    this.port = port;
    this.env = env;
    this.current = this.spawn();
  }

  static async open(ctx: ScenarioContext, options: DaemonOptions): Promise<DaemonSeat> {
    const { dir, configFile, port } = await prepareDaemonFolder(options);
    const seat = new DaemonSeat(dir, configFile, port, options.env ?? {});
    ctx.cleanup.defer(() => seat.dispose());
    return seat;
  }

  private spawn(): DaemonProcess {
    const daemon = new DaemonProcess(this.dir, this.configFile, this.port, this.env);
    this.started.push(daemon);
    live.add(daemon);
    void daemon.waitForExit(24 * 3_600_000).finally(() => live.delete(daemon));
    return daemon;
  }

  get inbox(): string {
    return inboxFolder(this.dir);
  }

  get outbox(): string {
    return join(this.dir, 'outbox');
  }

  /** Starts the next process (the current one must have exited). */
  restart(): DaemonProcess {
    if (this.current.running) throw new Error('the daemon still runs; kill it first');
    this.current = this.spawn();
    return this.current;
  }

  async kill(): Promise<void> {
    this.current.signal('SIGKILL');
    await this.current.waitForExit();
  }

  /** Log lines of every process this seat ran. */
  logs() {
    return this.started.flatMap((d) => d.logs);
  }

  async dispose(): Promise<void> {
    for (const daemon of this.started) {
      if (!daemon.running) continue;
      daemon.signal('SIGTERM');
      await daemon.waitForExit(20_000).catch(() => daemon.signal('SIGKILL'));
    }
    await stopLeftoverPostgres(this.dir);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface Observed {
  pool: pg.Pool;
  docs: SubmittedDocument[];
  /** Where postings are counted: the daemon's outbox, or the simulator's documents. */
  postings: { outbox: string } | { gateway: () => Array<{ extNum: string }> };
  inbox?: string;
  dovecot?: Dovecot;
}

/** The ledger's counts as of now (a pool error, e.g. the server restarting, is thrown). */
export async function observe(o: Observed): Promise<Tally> {
  const rows = await invoiceRows(o.pool);
  const postings = 'outbox' in o.postings ? outboxPostings(o.postings.outbox) : gatewayPostings(o.postings.gateway());
  const unacknowledged = new Set(o.inbox ? inboxLeftovers(o.inbox) : []);
  if (o.dovecot && o.docs.some((d) => d.channel === 'imap'))
    for (const mail of await o.dovecot.list('INBOX')) unacknowledged.add(mail.messageId);
  return tally(o.docs, { rows, postings, unacknowledged });
}

/**
 * Waits until every document is at an end state (or `timeoutMs` passed) and returns the
 * counts then. A settled run is judged as it is: nothing is waited out past an end state.
 */
export async function settle(o: Observed, timeoutMs: number, isAlive?: () => boolean): Promise<Tally> {
  const deadline = Date.now() + timeoutMs;
  let last: Tally | undefined;
  for (;;) {
    last = await observe(o).catch(() => last);
    if (last && last.pending === 0) return last;
    if (Date.now() > deadline || (isAlive && !isAlive())) break;
    await sleep(500);
  }
  return last ?? observe(o);
}

export function poolFor(ctx: ScenarioContext, url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined); // an idle client cut by a server restart
  ctx.cleanup.defer(() => pool.end());
  return pool;
}

/** A database of its own for one scenario on the run's private server. */
export function scenarioDatabase(ctx: ScenarioContext, id: string): Promise<string> {
  return ctx.postgres.createDatabase(`chaos_${id}_${Date.now().toString(36)}`);
}
