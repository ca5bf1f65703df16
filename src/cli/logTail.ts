import { open, stat } from 'node:fs/promises';
import { listLogFiles } from '../runtime/logFiles.ts';

/**
 * Yields the lines of the daemon's log files in write order. With `follow`, keeps reading
 * as the daemon writes, moving on to the next file when pino-roll rotates.
 */
export async function* logLines(dir: string, options: { follow: boolean; pollMs?: number; signal?: AbortSignal }) {
  const pollMs = options.pollMs ?? 250;
  let current: string | undefined;
  let offset = 0;
  let partial = '';
  const seen = new Set<string>();
  while (!options.signal?.aborted) {
    const files = listLogFiles(dir).map((file) => file.path);
    if (current === undefined || !files.includes(current)) {
      const next = files.find((file) => !seen.has(file));
      if (next === undefined) {
        if (!options.follow) return;
        await sleep(pollMs, options.signal);
        continue;
      }
      [current, offset, partial] = [next, 0, ''];
      seen.add(next);
    }
    const size = await stat(current).then(
      (s) => s.size,
      () => -1,
    );
    if (size > offset) {
      const handle = await open(current, 'r');
      try {
        const buffer = Buffer.alloc(size - offset);
        await handle.read(buffer, 0, buffer.length, offset);
        offset = size;
        const text = partial + buffer.toString('utf8');
        const lines = text.split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) yield line;
      } finally {
        await handle.close();
      }
      continue;
    }
    const newer = files.slice(files.indexOf(current) + 1).find((file) => !seen.has(file));
    if (newer) {
      if (partial.trim()) yield partial;
      current = undefined; // the active file rotated: read the next one from its start
      continue;
    }
    if (!options.follow) {
      if (partial.trim()) yield partial;
      const unread = files.find((file) => !seen.has(file));
      if (!unread) return;
      current = undefined;
      continue;
    }
    await sleep(pollMs, options.signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

export interface LogFilter {
  level?: string;
  heartbeat?: boolean;
  sinceMs?: number;
}

/** Keeps a parsed log line when it passes every filter given. */
export function passes(entry: Record<string, unknown>, filter: LogFilter, now = Date.now()): boolean {
  if (filter.level && typeof entry.level === 'number' && entry.level < (LEVELS[filter.level] ?? 0)) return false;
  if (filter.heartbeat && entry.msg !== 'heartbeat') return false;
  if (filter.sinceMs !== undefined) {
    const at = typeof entry.time === 'string' ? Date.parse(entry.time) : Number(entry.time);
    if (!(at >= now - filter.sinceMs)) return false;
  }
  return true;
}

/** "90s", "15m", "2h", "7d" → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration like 90s, 15m, 2h or 7d`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}
