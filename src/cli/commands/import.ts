import type { Dirent, Stats } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { pino } from 'pino';
import type pg from 'pg';
import type { CommandModule } from 'yargs';
import type { Config } from '../../config/schema.ts';
import { errorMessage } from '../../errors.ts';
import { createIngest, type Ingest } from '../../intake/ingest.ts';
import { ACCEPTED_EXTENSIONS, hasAcceptedExtension } from '../../intake/mediaType.ts';
import { withCliDatabase } from '../cliDatabase.ts';
import { configOption, loadConfigOrExit } from '../configOption.ts';
import { FittingTable } from '../tableLayout.ts';

/**
 * `invoice-loader import PATH…`: loads invoice files from disk into the database through the
 * same store call as the daemon's intake, so duplicates and re-imports are recognized the
 * same way. The files are only read, never moved: an import can be repeated safely, and a
 * repeat is reported as `already imported` instead of storing anything again.
 */
export type ImportOutcome = 'received' | 'duplicate' | 'already imported' | 'skipped' | 'failed';

export interface ImportResult {
  /** Absolute path of the file (or of the argument, when it named nothing readable). */
  file: string;
  result: ImportOutcome;
  invoiceId: string | null;
  duplicateOf: string | null;
  reason: string | null;
}

/** A file found under the arguments, with a verdict already when it will not be imported. */
interface Candidate {
  file: string;
  verdict?: { result: 'skipped' | 'failed'; reason: string };
}

const ACTOR = 'cli-import';
const OUTCOMES: readonly ImportOutcome[] = ['received', 'duplicate', 'already imported', 'skipped', 'failed'];

export const importCommand: CommandModule<object, { paths: string[]; config?: string; json?: boolean }> = {
  command: 'import <paths..>',
  describe: 'store invoice files or folders (recursively) in the database, as the intake would; the files stay',
  builder: (y) =>
    y
      .positional('paths', { type: 'string', array: true, demandOption: true, describe: 'files and folders' })
      .options({ ...configOption, json: { type: 'boolean', describe: 'print the per-file results as JSON' } }),
  handler: async (argv) => {
    const { config } = loadConfigOrExit(argv.config);
    let results: ImportResult[];
    try {
      results = await importPaths(config, argv.paths);
    } catch (error) {
      console.error(errorMessage(error));
      process.exitCode = 1;
      return;
    }
    if (argv.json) console.log(JSON.stringify(results, null, 2));
    else printSummary(results, config);
    process.exitCode = results.some((r) => r.result === 'failed') ? 1 : 0;
  },
};

async function importPaths(config: Config, paths: string[]): Promise<ImportResult[]> {
  const maxBytes = config.intake.dropFolder.maxFileMb * 1024 * 1024;
  const candidates = await collectCandidates(paths, maxBytes);
  const pending = candidates.filter((c) => !c.verdict);
  // Nothing to store (only skipped or missing files): no reason to start or reach a database.
  if (pending.length === 0) return candidates.map(verdictResult);

  const imported = await withCliDatabase(config, (pool) =>
    importFiles(
      pool,
      pending.map((c) => c.file),
    ),
  );
  return candidates.map((c) => (c.verdict ? verdictResult(c) : imported.get(c.file)!));
}

function verdictResult(candidate: Candidate): ImportResult {
  const { result, reason } = candidate.verdict!;
  return { file: candidate.file, result, invoiceId: null, duplicateOf: null, reason };
}

// --- finding the files ---

async function collectCandidates(paths: string[], maxBytes: number): Promise<Candidate[]> {
  const found: Candidate[] = [];
  const seenFiles = new Set<string>();
  const seenFolders = new Set<string>();
  const add = (candidate: Candidate) => {
    if (seenFiles.has(candidate.file)) return; // named twice (a folder and a file in it): imported once
    seenFiles.add(candidate.file);
    found.push(candidate);
  };

  async function visit(file: string, info: Stats): Promise<void> {
    if (info.isDirectory()) return visitFolder(file);
    if (!info.isFile()) return add({ file, verdict: { result: 'skipped', reason: 'not a regular file' } });
    if (!hasAcceptedExtension(file)) {
      return add({
        file,
        verdict: {
          result: 'skipped',
          reason: `not an invoice document: only ${ACCEPTED_EXTENSIONS.join(' ')} files are imported`,
        },
      });
    }
    if (info.size > maxBytes) {
      const mb = (info.size / 1048576).toFixed(1);
      return add({
        file,
        verdict: {
          result: 'failed',
          reason: `the file is ${mb} MB, more than intake.dropFolder.maxFileMb (${maxBytes / 1048576} MB)`,
        },
      });
    }
    add({ file });
  }

  async function visitFolder(folder: string): Promise<void> {
    let entries: Dirent[];
    try {
      // A symbolic link back up the tree would otherwise be walked forever.
      const real = await realpath(folder);
      if (seenFolders.has(real)) return;
      seenFolders.add(real);
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      return add({
        file: folder,
        verdict: { result: 'failed', reason: `cannot read the folder: ${errorMessage(error)}` },
      });
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const file = join(folder, entry.name);
      const info = await stat(file).catch(() => undefined);
      if (info) await visit(file, info);
      else add({ file, verdict: { result: 'skipped', reason: 'a broken symbolic link' } });
    }
  }

  for (const path of paths) {
    const file = resolve(path);
    const info = await stat(file).catch((error: NodeJS.ErrnoException) => error);
    if (info instanceof Error) {
      const reason = info.code === 'ENOENT' ? 'there is no such file or folder' : errorMessage(info);
      add({ file, verdict: { result: 'failed', reason } });
    } else await visit(file, info);
  }
  return found;
}

// --- storing them ---

async function importFiles(pool: pg.Pool, files: string[]): Promise<Map<string, ImportResult>> {
  // The same ingest as the drop folder, HTTP and the mailbox: one commit convention for every
  // way in. Its log lines are the daemon's; here the table below says what happened. A running
  // daemon finds the new invoices at its next poll (there is no actor here to wake).
  const ingest = createIngest({ pool: () => pool, logger: pino({ level: 'silent' }), wake: () => {}, actor: ACTOR });
  const results = new Map<string, ImportResult>();
  const progress = process.stderr.isTTY ? startProgress(files.length) : undefined;
  // Ctrl+C finishes the file being stored and reports the rest, instead of leaving an unknown state behind.
  let interrupted = false;
  const interrupt = () => (interrupted = true);
  process.once('SIGINT', interrupt);
  try {
    for (const file of files) {
      progress?.update(results.size, { file: basename(file) });
      results.set(
        file,
        interrupted
          ? { file, result: 'failed', invoiceId: null, duplicateOf: null, reason: 'not imported: interrupted (Ctrl+C)' }
          : await importFile(ingest, file),
      );
    }
    progress?.update(results.size, { file: '' });
  } finally {
    progress?.stop();
    process.removeListener('SIGINT', interrupt);
  }
  return results;
}

async function importFile(ingest: Ingest, file: string): Promise<ImportResult> {
  const failed = (reason: string): ImportResult => ({
    file,
    result: 'failed',
    invoiceId: null,
    duplicateOf: null,
    reason,
  });
  try {
    const info = await stat(file);
    const bytes = await readFile(file);
    if (bytes.length !== info.size)
      return failed('the file changed while it was read; import it again when it is complete');
    const stored = await ingest({
      bytes,
      filename: basename(file),
      channel: 'import',
      intakeRef: `${file}|${info.size}|${info.mtimeMs}`,
    });
    const sameAs = stored.duplicateOf ? `the same file as invoice ${stored.duplicateOf}` : null;
    const base = { file, invoiceId: stored.invoiceId, duplicateOf: stored.duplicateOf };
    if (stored.replay) {
      return {
        ...base,
        result: 'already imported',
        reason: `imported before; the invoice is now ${stored.status}${sameAs ? ` (${sameAs})` : ''}`,
      };
    }
    return stored.duplicate
      ? { ...base, result: 'duplicate', reason: sameAs }
      : { ...base, result: 'received', reason: null };
  } catch (error) {
    return failed(errorMessage(error));
  }
}

function startProgress(total: number): cliProgress.SingleBar {
  const bar = new cliProgress.SingleBar(
    {
      format: 'importing [{bar}] {value}/{total} {file}',
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { file: '' });
  return bar;
}

// --- reporting ---

function printSummary(results: ImportResult[], config: Config): void {
  if (results.length === 0) {
    console.log('No files were found to import.');
    return;
  }
  const table = new FittingTable(['file', 'result', 'invoice', 'reason'], { keep: ['invoice'] });
  for (const r of results) table.push([displayPath(r.file), r.result, r.invoiceId ?? '', r.reason ?? '']);
  console.log(table.toString());

  const counts = OUTCOMES.map((outcome) => [outcome, results.filter((r) => r.result === outcome).length] as const);
  const totals = counts.filter(([, n]) => n > 0).map(([outcome, n]) => `${n} ${outcome}`);
  console.log(`${results.length} file${results.length === 1 ? '' : 's'}: ${totals.join(', ')}.`);

  const received = counts[0]![1];
  if (received > 0) {
    console.log(
      `The daemon processes the ${received} received invoice${received === 1 ? '' : 's'} on its own: ` +
        `a running one finds them within ${config.pipeline.pollMs / 1000} s (pipeline.pollMs), a stopped one when it starts.`,
    );
  }
}

/** Paths under the current folder are shown relative to it: shorter, and what the user typed. */
function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
