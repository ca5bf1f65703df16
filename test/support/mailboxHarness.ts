import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import type { ExecutionContext } from 'ava';
import type pg from 'pg';
import pino from 'pino';
import { createActor, type Actor } from 'xstate';
import { parse } from 'yaml';
import { mailboxMachine } from '../../machines/mailbox.ts';
import { imapConfigSchema, type ImapSettings } from '../../src/config/imapSchema.ts';
import type { Arrival, ReceiveResult } from '../../src/db/invoiceStore.ts';
import { createIngest } from '../../src/intake/ingest.ts';
import { createMailbox, mailboxStatus } from '../../src/intake/imap/mailboxService.ts';
import { imapIntake, type Dovecot } from './dovecot.ts';

/**
 * The mailbox actor in this process, wired as the daemon wires it (the real ingest, the real
 * machine and I/O) against a test Dovecot and a test database, with its log lines captured so
 * a test can wait for an event instead of sleeping.
 */
export type LogLine = Record<string, unknown> & { level: number; msg: string };

const DEFAULTS = (
  parse(readFileSync(new URL('../../config/default.yaml', import.meta.url), 'utf8')) as {
    intake: { imap: Record<string, unknown> };
  }
).intake.imap;

export function imapSettings(dovecot: Dovecot, overrides: Record<string, unknown> = {}): ImapSettings {
  return imapConfigSchema.parse({
    ...DEFAULTS,
    ...imapIntake(dovecot),
    reconnect: { minMs: 200, maxMs: 2_000, jitter: 0 },
    ...overrides,
  });
}

export function captureLogs() {
  const lines: LogLine[] = [];
  let waiters: Array<() => void> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n')) if (text.trim()) lines.push(JSON.parse(text) as LogLine);
      const woken = waiters;
      waiters = [];
      for (const wake of woken) wake();
      done();
    },
  });
  const logger = pino({ level: 'debug' }, stream);
  return {
    logger,
    lines,
    /** The first line from `from` on that matches; rejects after the timeout. */
    async waitFor(match: (line: LogLine) => boolean, timeoutMs = 30_000, from = 0): Promise<LogLine> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.slice(from).find(match);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0)
          throw new Error(`no matching log line in ${timeoutMs} ms; last: ${JSON.stringify(lines.slice(-4))}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 1_000));
          waiters.push(() => (clearTimeout(timer), resolve()));
        });
      }
    },
    count: (match: (line: LogLine) => boolean) => lines.filter(match).length,
  };
}

export interface MailboxHarness {
  actor: Actor<typeof mailboxMachine>;
  settings: ImapSettings;
  logs: ReturnType<typeof captureLogs>;
  /** Every arrival the ingest committed, in order, with when it was committed. */
  committed: Array<{ arrival: Arrival; result: ReceiveResult; at: number }>;
  state(): string;
  /** Resolves when the actor reaches a state whose label starts with `prefix`. */
  reach(prefix: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startMailbox(
  t: ExecutionContext | undefined,
  options: {
    dovecot: Dovecot;
    pool: pg.Pool;
    settings?: Record<string, unknown>;
    /** Runs right after the n-th document's commit, before the mail is recorded or acknowledged. */
    onCommitted?: (n: number, arrival: Arrival) => Promise<void> | void;
    /** Runs before each document is handed to the ingest; what it throws is the ingest's failure. */
    beforeIngest?: (arrival: Arrival) => Promise<void> | void;
  },
): Promise<MailboxHarness> {
  const settings = imapSettings(options.dovecot, options.settings);
  const logs = captureLogs();
  const committed: MailboxHarness['committed'] = [];
  const realIngest = createIngest({ pool: () => options.pool, logger: logs.logger, wake: () => {}, actor: 'test' });
  const mailbox = createMailbox({
    settings,
    ingest: async (arrival) => {
      await options.beforeIngest?.(arrival);
      const result = await realIngest(arrival);
      committed.push({ arrival, result, at: performance.now() });
      await options.onCommitted?.(committed.length, arrival);
      return result;
    },
    pool: () => options.pool,
    logger: logs.logger,
  });
  const actor = createActor(mailboxMachine.provide({ actors: mailbox.actors, actions: mailbox.actions }), {
    input: { reconnect: settings.reconnect, pollMs: settings.pollMs },
  });
  const errors: unknown[] = [];
  actor.subscribe({ error: (error) => errors.push(error) });
  actor.start();
  const state = () => mailboxStatus(actor)?.state ?? actor.getSnapshot().status;
  const harness: MailboxHarness = {
    actor,
    settings,
    logs,
    committed,
    state,
    reach: (prefix, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        if (state().startsWith(prefix)) return resolve();
        const timer = setTimeout(() => {
          subscription.unsubscribe();
          reject(new Error(`the mailbox did not reach ${prefix} in ${timeoutMs} ms (it is ${state()})`));
        }, timeoutMs);
        const subscription = actor.subscribe({
          next: () => {
            if (!state().startsWith(prefix)) return;
            clearTimeout(timer);
            subscription.unsubscribe();
            resolve();
          },
          error: () => {},
        });
      }),
    async stop() {
      if (actor.getSnapshot().status !== 'active') return;
      const done = new Promise<void>((resolve) => actor.subscribe({ complete: resolve, error: () => resolve() }));
      actor.send({ type: 'child.stop' });
      await done;
      if (errors.length > 0) throw errors[0];
    },
  };
  if (t) t.teardown(() => harness.stop().catch(() => undefined));
  return harness;
}
