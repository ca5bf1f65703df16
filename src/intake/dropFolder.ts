import { watch, type FSWatcher } from 'node:fs';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { moveFile } from '../runtime/fileMoves.ts';
import { join, parse, resolve } from 'node:path';
import type pg from 'pg';
import { fromCallback, fromPromise } from 'xstate';
import type { Config } from '../config/schema.ts';
import { linkSuperseding, supersedeInvoice } from '../db/supersededInvoices.ts';
import { errorMessage } from '../errors.ts';
import type { Logger } from '../runtime/logger.ts';
import type { Ingest } from './ingest.ts';
import { hasAcceptedExtension, NOT_AN_INVOICE_TYPE } from './mediaType.ts';

/**
 * The `dropFolder` actor's I/O for machines/service.ts. A file is taken only once it is
 * complete (size and mtime unchanged for `stableMs`), committed as `received`, and only then
 * moved to processed/YYYY-MM-DD/. Files the intake refuses (wrong type, too large) go to
 * rejected/ with a `.reason.txt` beside them. If the daemon dies between the commit and the
 * move, the next scan reads the file again and the store recognizes the replay.
 *
 * A writer may pause for longer than stableMs (a slow share, a scanner between pages), so a
 * stable size is not proof of a complete file:
 * - a PDF without its `%%EOF` trailer is left for another look, for up to incompleteRetryMs,
 *   before it is stored as it is (and then most likely called unreadable);
 * - right before the move, the file must still have the size and mtime of what was stored. If it
 *   changed (and its content did), the stored invoice is `superseded` (never posted), the file
 *   stays, and once it is stable again it is stored as a new invoice that the old one links to.
 */
interface Sighting {
  size: number;
  mtimeMs: number;
  since: number;
}

const INGESTS_IN_FLIGHT = 4;

// Names that editors and copy tools use while a file is still being written.
const IN_PROGRESS = /(^\.|^~\$|\.(tmp|part|partial|crdownload|download)$)/i;
/** An "in progress" name unchanged this long is a leftover (a failed copy, a hidden file): say so once. */
const LEFTOVER_AFTER_MS = 10 * 60_000;

/** The last bytes of a PDF hold its `%%EOF` marker (a few bytes of line ends or padding may follow). */
function lacksPdfEnd(name: string, bytes: Buffer): boolean {
  const isPdf = /\.pdf$/i.test(name) || bytes.subarray(0, 5).toString('latin1') === '%PDF-';
  return isPdf && bytes.length > 0 && !bytes.subarray(-1024).includes('%%EOF');
}

const digest = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export function createDropFolder(deps: {
  settings: Config['intake']['dropFolder'];
  ingest: Ingest;
  logger: Logger;
  /** For superseding a copy stored while its file was still being written. */
  pool: () => pg.Pool;
  actor: string;
  /** Tests shorten it; see LEFTOVER_AFTER_MS. */
  leftoverAfterMs?: number;
}) {
  const folder = resolve(deps.settings.path);
  const processedDir = join(folder, 'processed');
  const rejectedDir = join(folder, 'rejected');
  const log = deps.logger.child({ actor: 'dropFolder' });
  const seen = new Map<string, Sighting>();
  /** Since when a PDF has been seen without its end: it is given incompleteRetryMs to get one. */
  const incompleteSince = new Map<string, number>();
  /** A file whose stored copy was superseded: the invoice its complete version will replace. */
  const superseded = new Map<string, string>();
  /** Files under an "in progress" name: since when unchanged, and whether the operator was told. */
  const skipped = new Map<string, Sighting & { told: boolean }>();
  const leftoverAfterMs = deps.leftoverAfterMs ?? LEFTOVER_AFTER_MS;
  let scanning: Promise<void> = Promise.resolve();
  let lastScanAt: string | null = null;

  const madeDirs = new Set<string>();
  async function moveInto(dir: string, name: string, retried = false): Promise<string> {
    if (!madeDirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      madeDirs.add(dir);
    }
    const { name: stem, ext } = parse(name);
    for (let n = 0; ; n++) {
      const target = join(dir, n === 0 ? name : `${stem}-${n}${ext}`);
      const taken = await stat(target).then(
        () => true,
        () => false,
      );
      if (taken) continue;
      try {
        await moveFile(join(folder, name), target);
      } catch (error) {
        // The dated folder was removed while we ran (an operator tidying up): make it again, once.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || retried) throw error;
        madeDirs.delete(dir);
        return moveInto(dir, name, true);
      }
      return target;
    }
  }

  async function reject(name: string, reason: string): Promise<void> {
    const target = await moveInto(rejectedDir, name);
    await writeFile(`${target}.reason.txt`, `${reason}\n`);
    log.warn({ file: name, reason, code: 'INTAKE_REJECTED' }, `${name} was not taken: ${reason}`);
  }

  /** Stores the file and moves it to processed/; 'waiting' leaves it for a later look. */
  async function take(name: string, size: number, mtimeMs: number): Promise<'taken' | 'waiting'> {
    if (!hasAcceptedExtension(name)) {
      await reject(name, NOT_AN_INVOICE_TYPE);
      return 'taken';
    }
    if (size > deps.settings.maxFileMb * 1024 * 1024) {
      await reject(
        name,
        `the file is ${(size / 1048576).toFixed(1)} MB, more than intake.dropFolder.maxFileMb (${deps.settings.maxFileMb} MB)`,
      );
      return 'taken';
    }
    const path = join(folder, name);
    const bytes = await readFile(path);
    if (bytes.length !== size) return 'waiting'; // changed between stat and read: wait for it to settle
    if (lacksPdfEnd(name, bytes) && stillWaitingForEnd(name, size)) return 'waiting';
    const stored = await deps.ingest({
      bytes,
      filename: name,
      channel: 'drop_folder',
      intakeRef: `${name}|${size}|${Math.round(mtimeMs)}`,
    });
    const earlier = superseded.get(name);
    if (earlier && earlier !== stored.invoiceId)
      await linkSuperseding(deps.pool(), earlier, stored.invoiceId, deps.actor);
    superseded.delete(name);
    // The writer may have gone on while the copy was stored: only the file as stored may be called done.
    const now = await stat(path).catch(() => undefined);
    if (now && (now.size !== size || now.mtimeMs !== mtimeMs)) {
      const current = await readFile(path).catch(() => undefined);
      if (!current || digest(current) !== digest(bytes)) {
        await supersede(name, stored.invoiceId, { size, mtimeMs }, { size: now.size, mtimeMs: now.mtimeMs });
        return 'waiting';
      }
    }
    incompleteSince.delete(name);
    await moveInto(join(processedDir, new Date().toISOString().slice(0, 10)), name);
    return 'taken';
  }

  function stillWaitingForEnd(name: string, size: number): boolean {
    const since = incompleteSince.get(name);
    if (since === undefined) {
      incompleteSince.set(name, Date.now());
      log.info(
        { file: name, bytes: size, code: 'INTAKE_INCOMPLETE_PDF' },
        `${name} has no PDF end (%%EOF) yet; waiting up to ${deps.settings.incompleteRetryMs / 1000} s for the rest`,
      );
      return true;
    }
    if (Date.now() - since < deps.settings.incompleteRetryMs) return true;
    log.warn(
      { file: name, bytes: size, code: 'INTAKE_INCOMPLETE_PDF' },
      `${name} still has no PDF end after ${deps.settings.incompleteRetryMs / 1000} s (intake.dropFolder.incompleteRetryMs); stored as it is`,
    );
    return false;
  }

  async function supersede(
    name: string,
    invoiceId: string,
    was: { size: number; mtimeMs: number },
    now: { size: number; mtimeMs: number },
  ): Promise<void> {
    const reason = `the file ${name} changed after it was stored (${was.size} → ${now.size} bytes): it was still being written; the complete file will be stored as a new invoice`;
    const left = await supersedeInvoice(deps.pool(), invoiceId, reason, deps.actor, {
      file: name,
      stored: was,
      changed_to: now,
    });
    if (left) superseded.set(name, invoiceId);
    log.warn(
      { file: name, invoice: invoiceId, from: left, bytes: was.size, now_bytes: now.size, code: 'INTAKE_FILE_CHANGED' },
      left
        ? `${name} changed after it was stored; invoice ${invoiceId} is superseded and the file is read again once complete`
        : `${name} changed after it was stored, but invoice ${invoiceId} is already past superseding; the new version is read as a new document`,
    );
  }

  /** A name that says "still being written" is never read; one left unchanged for long is reported once. */
  async function noteSkipped(name: string, now: number): Promise<void> {
    const info = await stat(join(folder, name)).catch(() => undefined);
    if (!info) return;
    const before = skipped.get(name);
    if (!before || before.size !== info.size || before.mtimeMs !== info.mtimeMs) {
      skipped.set(name, { size: info.size, mtimeMs: info.mtimeMs, since: now, told: false });
      return;
    }
    if (before.told || now - before.since < leftoverAfterMs) return;
    before.told = true;
    log.warn(
      { file: name, code: 'INTAKE_FILE_IGNORED' },
      `${name} sa nečíta: takýto názov (bodka na začiatku, ~$, .tmp, .part) má súbor, ktorý sa ešte zapisuje; premenujte ho, ak sa má načítať / ` +
        `${name} is not read: names like it (a leading dot, ~$, .tmp, .part) belong to files still being written; rename it to have it read`,
    );
  }

  async function scan(): Promise<void> {
    const entries = await readdir(folder, { withFileTypes: true });
    let deferred = 0;
    const now = Date.now();
    const present = new Set<string>();
    const ready: Array<{ name: string; size: number; mtimeMs: number }> = [];
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      present.add(entry.name);
      if (IN_PROGRESS.test(entry.name)) {
        await noteSkipped(entry.name, now);
        continue;
      }
      const info = await stat(join(folder, entry.name)).catch(() => undefined);
      if (!info) continue;
      const before = seen.get(entry.name);
      if (!before || before.size !== info.size || before.mtimeMs !== info.mtimeMs) {
        seen.set(entry.name, { size: info.size, mtimeMs: info.mtimeMs, since: now });
        continue;
      }
      if (now - before.since >= deps.settings.stableMs)
        ready.push({ name: entry.name, size: info.size, mtimeMs: info.mtimeMs });
    }
    // A few files at once: each waits mostly on its commit, and a month-end burst is hundreds of files.
    const next = () => ready.shift();
    await Promise.all(
      Array.from({ length: Math.min(INGESTS_IN_FLIGHT, ready.length) }, async () => {
        for (let file = next(); file; file = next()) {
          try {
            // Taken or not, it is looked at afresh: a file left waiting must be stable for stableMs again.
            await take(file.name, file.size, file.mtimeMs);
            seen.delete(file.name);
          } catch (error) {
            // Left in place: the next scan tries again (the database may be down for a while).
            deferred += 1;
            log.warn(
              { file: file.name, err: error, code: 'INTAKE_DEFERRED' },
              `${file.name} stays in the drop folder for now: ${errorMessage(error)}`,
            );
          }
        }
      }),
    );
    for (const name of seen.keys()) if (!present.has(name)) seen.delete(name);
    for (const name of incompleteSince.keys()) if (!present.has(name)) incompleteSince.delete(name);
    for (const name of superseded.keys()) if (!present.has(name)) superseded.delete(name);
    for (const name of skipped.keys()) if (!present.has(name)) skipped.delete(name);
    // A scan that read the folder and left no file behind for an error is the channel working.
    if (deferred === 0) lastScanAt = new Date().toISOString();
  }

  return {
    folder,
    /** When the last scan that read the folder and left nothing behind for an error finished (ISO). */
    lastScanAt: () => lastScanAt,
    actors: {
      start: fromPromise<void>(async () => {
        await mkdir(processedDir, { recursive: true });
        await mkdir(rejectedDir, { recursive: true });
        log.info({ folder }, 'watching the drop folder');
      }),
      watch: fromCallback(() => {
        // One scan at a time. A change seen while scanning (our own moves included) asks for
        // one more scan right after, instead of a second scan racing the first over the same files.
        let stopped = false;
        let running = false;
        let again = false;
        let timer: NodeJS.Timeout | undefined;
        const schedule = (ms: number) => {
          if (stopped) return;
          clearTimeout(timer);
          timer = setTimeout(loop, ms);
        };
        const loop = () => {
          running = true;
          again = false;
          scanning = scan()
            .catch((error: unknown) =>
              log.error({ folder, err: error, code: 'INTAKE_FOLDER_UNREADABLE' }, 'cannot read the drop folder'),
            )
            .finally(() => {
              running = false;
              schedule(again ? 0 : deps.settings.pollMs);
            });
        };
        // fs.watch only shortens the wait; the poll is what guarantees a file is seen (network shares miss events).
        let watcher: FSWatcher | undefined;
        try {
          watcher = watch(folder, () => {
            if (running) again = true;
            else schedule(Math.min(50, deps.settings.pollMs));
          });
          watcher.on('error', () => watcher?.close());
        } catch {
          watcher = undefined;
        }
        loop();
        return () => {
          stopped = true;
          clearTimeout(timer);
          watcher?.close();
        };
      }),
      /** Lets a scan in progress finish, so no file is left half-handled by a graceful stop. */
      stop: fromPromise<void>(async () => {
        await scanning;
      }),
    },
  };
}
