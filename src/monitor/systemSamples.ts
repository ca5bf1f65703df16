import { statfs } from 'node:fs/promises';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import si from 'systeminformation';

/**
 * The machine's own measurements. Each call has its own timeout (a hung WMI query must not
 * take the others with it) and yields null when it timed out or failed. On Windows,
 * systeminformation spawns PowerShell per call; one long-lived session (`powerShellStart`)
 * makes a sample a minute cheap.
 */
export interface SystemSample {
  cpuPercent: number | null;
  memoryPercent: number | null;
  /** Used space of the file system of each watched folder, in %. */
  disks: Array<{ folder: string; usedPercent: number | null; freeBytes: number | null }>;
}

export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((done) => (timer = setTimeout(() => done(null), ms).unref()));
  return Promise.race([work.catch(() => null), timeout]).finally(() => clearTimeout(timer));
}

export async function diskUsage(folder: string): Promise<{ usedPercent: number; freeBytes: number }> {
  const stats = await statfs(resolve(folder));
  const total = stats.blocks * stats.bsize;
  const free = stats.bavail * stats.bsize;
  // What a non-root user can still write is what counts: bavail, not bfree.
  const used = total - stats.bfree * stats.bsize;
  return { usedPercent: total === 0 ? 0 : (used / (used + free)) * 100, freeBytes: free };
}

const round1 = (value: number) => Math.round(value * 10) / 10;

/**
 * CPU busy % since the previous reading, from the kernel's per-core counters. Not
 * `si.currentLoad()`: on Linux it runs `cat /proc/stat | grep cpu` through execSync, which
 * held the daemon's event loop for 38–72 ms per sample on a loaded machine (seen as /health's
 * p99). os.cpus() reads the same counters without a child process.
 */
export function cpuMeter(read: () => Array<{ times: Record<string, number> }> = cpus) {
  const totals = () => {
    let busy = 0;
    let all = 0;
    for (const { times } of read()) {
      const sum = Object.values(times).reduce((a, b) => a + b, 0);
      all += sum;
      busy += sum - (times.idle ?? 0);
    }
    return { busy, all };
  };
  let previous = totals();
  return (): number | null => {
    const now = totals();
    const all = now.all - previous.all;
    const busy = now.busy - previous.busy;
    previous = now;
    return all > 0 ? round1((busy / all) * 100) : null;
  };
}

export function createSystemSampler(timeoutMs: number) {
  const windows = process.platform === 'win32';
  if (windows) si.powerShellStart();
  const cpuPercent = cpuMeter();
  return {
    async sample(folders: string[]): Promise<SystemSample> {
      const [mem, ...disks] = await Promise.all([
        withTimeout(si.mem(), timeoutMs),
        ...folders.map((folder) => withTimeout(diskUsage(folder), timeoutMs)),
      ]);
      return {
        cpuPercent: cpuPercent(),
        memoryPercent: mem && mem.total > 0 ? round1(((mem.total - mem.available) / mem.total) * 100) : null,
        disks: folders.map((folder, i) => {
          const disk = disks[i] as Awaited<ReturnType<typeof diskUsage>> | null;
          return { folder, usedPercent: disk ? round1(disk.usedPercent) : null, freeBytes: disk?.freeBytes ?? null };
        }),
      };
    },
    close: () => {
      if (windows) si.powerShellRelease();
    },
  };
}
