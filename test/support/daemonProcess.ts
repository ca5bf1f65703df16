import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import { stringify } from 'yaml';
import { freePort } from '../../src/runtime/freePort.ts';
import { run, type RunResult } from './run.ts';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(REPO, 'bin', 'invoice-loader.js');
export const TOKEN = 'test-token-0123456789';

export type LogEntry = Record<string, unknown> & { level: number; msg: string; time: string };

type Tree = Record<string, unknown>;

function deepMerge(base: Tree, extra: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object'
        ? deepMerge(current as Tree, value as Tree)
        : value;
  }
  return out;
}

/**
 * The real daemon, run as a child process in a temp folder with its own config file,
 * logging JSON to stdout so a test can wait for log events instead of sleeping.
 */
export class DaemonProcess {
  readonly logs: LogEntry[] = [];
  readonly stderr: string[] = [];
  private waiters: Array<() => void> = [];
  private exited: Promise<number>;
  readonly child: ChildProcess;
  readonly dir: string;
  readonly configFile: string;
  readonly port: number;

  constructor(dir: string, configFile: string, port: number, env: NodeJS.ProcessEnv) {
    this.dir = dir;
    this.configFile = configFile;
    this.port = port;
    this.child = spawn(process.execPath, [BIN, 'run', '--config', configFile], {
      cwd: dir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        try {
          this.logs.push(JSON.parse(line) as LogEntry);
        } catch {
          this.stderr.push(line);
        }
      }
      this.notify();
    });
    this.child.stderr!.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString('utf8')));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : -1))),
    );
    void this.exited.then(() => this.notify());
  }

  private notify() {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  describeEnd(): string {
    const last = this.logs.slice(-6).map((e) => `${e.level} ${e.msg}`);
    return `exit ${this.child.exitCode ?? this.child.signalCode}; last log lines: ${JSON.stringify(last)}; stderr: ${this.stderr.join('').slice(-1500)}`;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  request(path: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const token = init.token === undefined ? TOKEN : init.token;
    if (token !== null) headers.set('x-api-key', token);
    return fetch(this.url(path), { ...init, headers, signal: AbortSignal.timeout(10_000) });
  }

  /** Resolves with the first log entry (from `from` on) that matches; rejects after the timeout. */
  async waitForLog(match: (entry: LogEntry) => boolean, timeoutMs = 20_000, from = 0): Promise<LogEntry> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.logs.slice(from).find(match);
      if (found) return found;
      if (!this.running) throw new Error(`daemon exited before the log line appeared: ${this.describeEnd()}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no matching log line within ${timeoutMs} ms; last lines: ${JSON.stringify(this.logs.slice(-5))}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 500));
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  /** Polls a URL until it answers the expected status (generous: a daemon starting on a loaded 2-core machine). */
  async waitForStatus(path: string, status: number, timeoutMs = 90_000): Promise<Response> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`daemon exited: ${this.describeEnd()}`);
      try {
        const response = await this.request(path);
        if (response.status === status) return response;
        last = `${response.status} ${await response.text()}`;
      } catch (error) {
        last = (error as Error).message;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${path} did not answer ${status} within ${timeoutMs} ms (last: ${last})`);
  }

  async waitForExit(timeoutMs = 30_000): Promise<number> {
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`daemon still running after ${timeoutMs} ms`)), timeoutMs).unref(),
    );
    return Promise.race([this.exited, timeout]);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Runs a CLI command against this daemon's config (same cwd). */
  cli(args: string[]): Promise<RunResult> {
    return run(process.execPath, [BIN, ...args, '--config', this.configFile], { cwd: this.dir });
  }
}

export interface DaemonOptions {
  databaseUrl: string;
  config?: Tree;
  env?: NodeJS.ProcessEnv;
}

/** A temp folder with a daemon config file for `options` and a free HTTP port (tests and benches). */
export async function prepareDaemonFolder(
  options: DaemonOptions,
): Promise<{ dir: string; configFile: string; port: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'invoice-loader-daemon-'));
  const port = await freePort();
  const config = deepMerge(
    {
      database: { url: options.databaseUrl, pingIntervalMs: 200, reconnect: { minMs: 100, maxMs: 1_000, jitter: 0 } },
      // Tests and the chaos suite push hundreds of uploads a minute through one token.
      http: { port, token: TOKEN, uploadRateLimit: { max: 100_000, windowMs: 60_000 } },
      logging: { dir: './logs', console: 'json', level: 'debug' },
      debug: { faultInjection: true },
      supervisor: { backoff: { minMs: 100, maxMs: 1_000, resetAfterMs: 60_000, jitter: 0 } },
      // One thread per test daemon: several daemons run at once on a 2-core machine.
      extraction: { workers: 1 },
    },
    options.config ?? {},
  );
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, stringify(config));
  return { dir, configFile, port };
}

export async function startDaemonProcess(t: ExecutionContext, options: DaemonOptions): Promise<DaemonProcess> {
  const { dir, configFile, port } = await prepareDaemonFolder(options);
  const daemon = new DaemonProcess(dir, configFile, port, options.env ?? {});
  t.teardown(() => disposeDaemon(daemon));
  return daemon;
}

/** Stops the daemon (SIGTERM, then SIGKILL), any embedded server it left, and removes its folder. */
export async function disposeDaemon(daemon: DaemonProcess): Promise<void> {
  if (daemon.running) {
    daemon.signal('SIGTERM');
    await daemon.waitForExit(15_000).catch(() => daemon.signal('SIGKILL'));
  }
  await stopLeftoverPostgres(daemon.dir);
  rmSync(daemon.dir, { recursive: true, force: true });
}

/**
 * A daemon killed with SIGKILL (by a test, or by the teardown above) leaves its embedded
 * PostgreSQL running; nothing else would ever stop it once the folder is gone.
 */
export async function stopLeftoverPostgres(dir: string): Promise<void> {
  for (const pid of postmasters(dir)) {
    try {
      process.kill(pid, 'SIGINT'); // fast shutdown
    } catch {
      continue; // already gone
    }
    const deadline = Date.now() + 20_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    if (alive(pid)) process.kill(pid, 'SIGQUIT');
  }
}

function postmasters(dir: string, depth = 3): number[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && depth > 0) found.push(...postmasters(path, depth - 1));
    if (entry.isFile() && entry.name === 'postmaster.pid') {
      const pid = Number(readFileSync(path, 'utf8').split('\n')[0]);
      if (pid > 0 && alive(pid)) found.push(pid);
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
