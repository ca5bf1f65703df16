import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { ActorNode } from '../../src/runtime/actorTree.ts';
import { DaemonProcess, disposeDaemon, prepareDaemonFolder } from './daemonProcess.ts';
import { createScratchDatabase } from './database.ts';
import { imapIntake, startDovecot } from './dovecot.ts';
import { buildHostileCorpus, type CorpusOptions, type HostileMutant } from './hostileCorpus.ts';
import { summarize, type HostileResult, type HostileSummary, type Observed } from './hostileReport.ts';
import { appendMail, dropFile, upload, type HttpAnswer } from './hostileSend.ts';
import { escapedFiles, filesBelow, filesOutside, sampleMemory } from './hostileWatch.ts';

/**
 * The hostile corpus through ONE real daemon: drop folder, HTTP uploads and IMAP (Dovecot), all
 * at once. Waits until every document has settled, then reports per category and channel what
 * became of it, the daemon's peak RSS, and everything that went wrong: a different PID, an
 * uncaught exception, a quarantine without a reason, a file outside the daemon's folders, a
 * request to the external-entity canary.
 */
export interface HostileRunOptions extends Omit<CorpusOptions, 'canaryUrl'> {
  /** How long documents may take to settle once all are sent. */
  settleMs?: number;
  /** Extra daemon config (merged over the run's). */
  config?: Record<string, unknown>;
  log?: (line: string) => void;
  /** Only these categories (for finding what a figure comes from). */
  only?: readonly string[];
}

const QUARANTINED = new Set(['unreadable', 'dead_letter', 'rejected']);
const ACTIVE = new Set(['received', 'extracting', 'extracted', 'validating']);
const MARKER = 'hostile-escape';

export async function runHostileCorpus(options: HostileRunOptions): Promise<HostileSummary> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const canary = await startCanary();
  const corpus = (await buildHostileCorpus({ ...options, canaryUrl: canary.url })).filter(
    (mutant) => !options.only || options.only.includes(mutant.category),
  );
  log(`corpus: ${corpus.length} mutants built in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const cleanups: Array<() => Promise<void> | void> = [() => canary.close()];
  try {
    const [database, dovecot] = await Promise.all([createScratchDatabase('hostile'), startDovecot(undefined)]);
    cleanups.push(
      () => database.drop(),
      () => dovecot.cleanUp(),
    );
    // The daemon's folder inside a sandbox folder, so that anything written beside it is seen.
    const sandbox = mkdtempSync(join(tmpdir(), 'hostile-sandbox-'));
    cleanups.push(() => rmSync(sandbox, { recursive: true, force: true }));
    const { dir, configFile, port } = await inSandbox(sandbox, () =>
      prepareDaemonFolder({ databaseUrl: database.url, config: daemonConfig(dovecot, options.config) }),
    );
    const daemon = new DaemonProcess(dir, configFile, port, { IMAP_TEST_PASSWORD: dovecot.password, TMPDIR: sandbox });
    cleanups.push(() => disposeDaemon(daemon));
    await daemon.waitForStatus('/health/ready', 200);
    await daemon.waitForLog((e) => e.msg === 'mailbox connected (IMAP IDLE)', 30_000);
    const pid = daemon.child.pid!;
    const before = new Set(filesBelow(sandbox));
    const memory = sampleMemory(pid);
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    cleanups.push(() => pool.end());

    const sentAt = Date.now();
    const answers = new Map<string, HttpAnswer>();
    const uids = new Map<string, number>();
    const inbox = join(dir, 'inbox');
    await Promise.all([
      inOrder(
        corpus.filter((m) => m.channel === 'drop'),
        1,
        (m) => dropFile(inbox, m),
      ),
      inOrder(
        corpus.filter((m) => m.channel === 'http'),
        3,
        async (m) => void answers.set(m.id, await upload(daemon, m)),
      ),
      inOrder(
        corpus.filter((m) => m.channel === 'imap'),
        1,
        async (m) => void uids.set(m.id, await appendMail(dovecot, m)),
      ),
    ]);
    log(`sent in ${((Date.now() - sentAt) / 1000).toFixed(1)} s; waiting for every document to settle`);

    const deadline = Date.now() + (options.settleMs ?? 600_000);
    let observed = new Map<string, Observed>();
    for (;;) {
      observed = await observe(pool, corpus, { inbox, answers, uids });
      const open = corpus.filter((m) => observed.get(m.id)!.outcome === 'unsettled' && !m.expect.includes('ignored'));
      if (open.length === 0 || Date.now() > deadline || !daemon.running) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const settledMs = Date.now() - sentAt;
    const rss = memory.stop();
    // The main thread's own heap (prom-client's default metrics): what of the RSS is not the extraction worker's.
    const mainHeap = daemon.running ? await mainThreadHeap(daemon) : null;

    const tree = daemon.running ? ((await (await daemon.request('/api/actors')).json()) as ActorNode) : null;
    const all = (node: ActorNode): ActorNode[] => [node, ...node.children.flatMap(all)];
    const results: HostileResult[] = corpus.map((mutant) => ({ mutant, ...observed.get(mutant.id)! }));
    const leaked = await pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM invoices i WHERE i::text LIKE '%root:x:0:0%'",
    );
    return summarize(results, {
      wallMs: Date.now() - started,
      settledMs,
      memory: { ...rss, mainHeap },
      pid,
      stillRunning: daemon.running && daemon.child.pid === pid,
      uncaught: daemon.logs
        .filter((e) => e.code === 'UNCAUGHT' || e.code === 'UNHANDLED_REJECTION' || e.level >= 60)
        .map((e) => `${e.code ?? ''} ${e.msg}: ${JSON.stringify(e.err ?? '').slice(0, 300)}`),
      restarts: tree
        ? all(tree)
            .filter((n) => n.restarts > 0)
            .map((n) => `${n.id}×${n.restarts}`)
        : ['(daemon gone)'],
      // The daemon's configured folders: the drop folder (processed/, rejected/), its logs, the NEX outbox.
      outside: filesOutside(sandbox, before, [join(dir, 'inbox'), join(dir, 'logs'), join(dir, 'outbox')]),
      escaped: escapedFiles(MARKER, [sandbox]),
      canaryHits: canary.hits,
      passwdLeaks:
        Number(leaked.rows[0]!.n) + daemon.logs.filter((e) => JSON.stringify(e).includes('root:x:0:0')).length,
    });
  } finally {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
  }
}

async function mainThreadHeap(daemon: DaemonProcess) {
  const metrics = await (await daemon.request('/metrics')).text();
  const mb = (name: string) =>
    Math.round(Number(new RegExp(`^invoice_loader_${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? 0) / 1048576);
  return {
    totalMb: mb('nodejs_heap_size_total_bytes'),
    usedMb: mb('nodejs_heap_size_used_bytes'),
    externalMb: mb('nodejs_external_memory_bytes'),
    residentMb: mb('process_resident_memory_bytes'),
  };
}

function daemonConfig(dovecot: { host: string; port: number; user: string }, extra: Record<string, unknown> = {}) {
  return {
    logging: { level: 'info' },
    backup: { enabled: false },
    pipeline: { pollMs: 500, retryMinMs: 200, retryMaxMs: 1_000 },
    extraction: { timeoutMs: 20_000 },
    intake: {
      dropFolder: { pollMs: 100, stableMs: 200, incompleteRetryMs: 500, maxFileMb: 25 },
      http: { maxUploadMb: 25 },
      imap: {
        ...imapIntake(dovecot, 'IMAP_TEST_PASSWORD'),
        pollMs: 1_000,
        maxMailAttempts: 2,
        reconnect: { minMs: 200, maxMs: 1_000, jitter: 0 },
      },
    },
    ...extra,
  };
}

/** prepareDaemonFolder makes its folder in os.tmpdir(): pointed at the sandbox for the call. */
async function inSandbox<T>(sandbox: string, make: () => Promise<T>): Promise<T> {
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = sandbox;
  try {
    return await make();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
}

async function inOrder<T>(items: T[], lanes: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** A listener for external entities and DTDs: the daemon must never ask it for anything. */
async function startCanary() {
  let hits = 0;
  const server = createServer((_request, response) => {
    hits += 1;
    response.end('<!ENTITY e "canary">');
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/${MARKER}-canary`,
    get hits() {
      return hits;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type InvoiceRow = {
  id: string;
  filename: string;
  channel: string;
  status: string;
  status_reason: string | null;
  intake_ref: string | null;
};
type MailRow = { uid: string; outcome: string; detail: string | null; invoice_ids: string[] };

function fromStatus(row: InvoiceRow | undefined): Observed {
  if (!row || ACTIVE.has(row.status)) return { outcome: 'unsettled', detail: row?.status ?? 'not stored' };
  return QUARANTINED.has(row.status)
    ? { outcome: 'quarantined', detail: row.status_reason ?? '', status: row.status }
    : { outcome: 'processed', detail: row.status_reason ?? row.status, status: row.status };
}

async function observe(
  pool: pg.Pool,
  corpus: HostileMutant[],
  sent: { inbox: string; answers: Map<string, HttpAnswer>; uids: Map<string, number> },
): Promise<Map<string, Observed>> {
  const invoices = (
    await pool.query<InvoiceRow>('SELECT id, filename, channel, status, status_reason, intake_ref FROM invoices')
  ).rows;
  const byId = new Map(invoices.map((row) => [row.id, row]));
  // By the name the file had in the folder (its intake reference is `name|size|mtime`): the
  // stored file name is the sanitised one (src/intake/safeFilename.ts).
  const dropped = new Map(
    invoices
      .filter((row) => row.channel === 'drop_folder' && row.intake_ref)
      .map((row) => [row.intake_ref!.split('|').slice(0, -2).join('|'), row]),
  );
  const mails = new Map(
    (await pool.query<MailRow>('SELECT uid, outcome, detail, invoice_ids FROM processed_mail')).rows.map((row) => [
      Number(row.uid),
      row,
    ]),
  );
  const observed = new Map<string, Observed>();
  for (const mutant of corpus) observed.set(mutant.id, observeOne(mutant));
  return observed;

  function observeOne(mutant: HostileMutant): Observed {
    if (mutant.channel === 'drop') {
      const reason = join(sent.inbox, 'rejected', `${mutant.filename}.reason.txt`);
      if (existsSync(reason)) return { outcome: 'refused', detail: readFileSync(reason, 'utf8').trim() };
      const row = dropped.get(mutant.filename);
      if (row) return fromStatus(row);
      if (mutant.expect.includes('ignored') && existsSync(join(sent.inbox, mutant.filename)))
        return { outcome: 'ignored', detail: 'left in the drop folder' };
      return { outcome: 'unsettled', detail: 'not taken yet' };
    }
    if (mutant.channel === 'http') {
      const answer = sent.answers.get(mutant.id);
      if (!answer) return { outcome: 'crashed', detail: 'no answer' };
      if (answer.status >= 400 && answer.status < 500) {
        const error = answer.body?.error as { code?: string; message?: string } | undefined;
        return { outcome: 'refused', detail: error?.code ? `${answer.status} ${error.code}: ${error.message}` : '' };
      }
      if (answer.status !== 200 && answer.status !== 201)
        return { outcome: 'crashed', detail: `HTTP ${answer.status} ${answer.error ?? JSON.stringify(answer.body)}` };
      return fromStatus(byId.get(answer.body!.invoice_id as string));
    }
    const mail = mails.get(sent.uids.get(mutant.id) ?? -1);
    if (!mail) return { outcome: 'unsettled', detail: 'mail not handled yet' };
    if (mail.outcome === 'received' || mail.outcome === 'duplicate') {
      const rows = mail.invoice_ids.map((id) => fromStatus(byId.get(id)));
      if (rows.length === 0) return { outcome: 'processed', detail: `mail ${mail.outcome}` };
      return (
        rows.find((row) => row.outcome === 'unsettled') ?? rows.find((row) => row.outcome === 'quarantined') ?? rows[0]!
      );
    }
    return { outcome: 'refused', detail: `mail ${mail.outcome}: ${mail.detail ?? ''}` };
  }
}
