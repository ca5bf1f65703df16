import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * What the hostile run watches besides the documents: the daemon's memory, and every file on
 * disk that could have been written by a hostile name.
 */

/** Samples /proc/<pid>/status every `everyMs`: the highest VmRSS seen, and the kernel's own high-water mark (VmHWM). */
export function sampleMemory(pid: number, everyMs = 100) {
  let peakRssKb = 0;
  let hwmKb = 0;
  let samples = 0;
  let startKb = 0;
  const timeline: Array<{ atMs: number; rssMb: number }> = [];
  const began = Date.now();
  const read = () => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
      const rss = kb('VmRSS');
      if (samples === 0) startKb = rss;
      if (rss > peakRssKb) timeline.push({ atMs: Date.now() - began, rssMb: Math.round(rss / 1024) });
      peakRssKb = Math.max(peakRssKb, rss);
      hwmKb = Math.max(hwmKb, kb('VmHWM'));
      samples += 1;
    } catch {
      // the process is gone: the run reports that on its own
    }
  };
  read();
  const timer = setInterval(read, everyMs);
  return {
    stop() {
      clearInterval(timer);
      read();
      return {
        startRssMb: Math.round(startKb / 1024),
        peakRssMb: Math.round(peakRssKb / 1024),
        vmHwmMb: Math.round(hwmKb / 1024),
        samples,
        /** Each new high, with when it was reached: for finding what raised it. */
        rises: timeline,
      };
    },
  };
}

/**
 * Walks `dir` at most `depth` folders down, not following symbolic links; `visit` says whether
 * to go into a folder (false: skip it). Unreadable folders are passed over.
 */
function walk(dir: string, depth: number, visit: (path: string, entry: Dirent) => boolean): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (visit(path, entry) && entry.isDirectory() && depth > 0) walk(path, depth - 1, visit);
  }
}

/** Every file below `root` (relative paths), not following symbolic links, at most `depth` folders down. */
export function filesBelow(root: string, depth = 8): string[] {
  const found: string[] = [];
  walk(root, depth, (path, entry) => {
    if (!entry.isDirectory()) found.push(relative(root, path));
    return true;
  });
  return found;
}

/**
 * Files in the sandbox that are neither from before the run nor inside one of the folders the
 * daemon was configured to write to.
 */
export function filesOutside(sandbox: string, before: Set<string>, allowed: string[]): string[] {
  const inside = (path: string) => allowed.some((folder) => path === folder || path.startsWith(folder + sep));
  return filesBelow(sandbox).filter((path) => !before.has(path) && !inside(join(sandbox, path)));
}

/** Names carrying the corpus's escape marker in /tmp (two levels) and at the root: a traversal that worked. */
export function escapedFiles(marker: string, allowedRoots: string[]): string[] {
  const hits: string[] = [];
  const look = (path: string, entry: Dirent) => {
    if (allowedRoots.some((root) => path === root || path.startsWith(root + sep))) return false;
    if (!entry.name.includes(marker)) return true;
    hits.push(path);
    return false;
  };
  walk('/tmp', 2, look);
  walk('/', 0, look);
  return hits.filter((path) => {
    try {
      return statSync(path) !== undefined;
    } catch {
      return false;
    }
  });
}
