/**
 * `logs errors`: the error lines of a period folded into one row per (code, actor), so the IT
 * partner reading a night's log sees "NEX_UNREACHABLE from nexWriter, 214 times, 01:12–05:40"
 * instead of scrolling 214 lines. The code is what the docs and the alerts name; the actor is
 * whichever part of the tree logged it (the log lines name it under different keys, by role).
 */
export interface ErrorGroup {
  code: string;
  actor: string;
  count: number;
  first: string;
  last: string;
  /** The newest line's message, so the row says what happened, not only its code. */
  lastMessage: string;
}

const ERROR_LEVEL = 50;
/** Lines logged without a code are still errors; they are grouped under this name. */
export const NO_CODE = '(bez kódu / no code)';

function actorOf(entry: Record<string, unknown>): string {
  for (const key of ['actor', 'child', 'supervisor', 'mailbox', 'job', 'name']) {
    if (typeof entry[key] === 'string' && entry[key] !== '') return entry[key];
  }
  return '-';
}

function codeOf(entry: Record<string, unknown>): string {
  if (typeof entry.code === 'string' && entry.code !== '') return entry.code;
  const err = entry.err as { code?: unknown; type?: unknown } | undefined;
  if (err && typeof err.code === 'string' && err.code !== '') return err.code;
  return NO_CODE;
}

function isoTime(entry: Record<string, unknown>): string | undefined {
  const at = typeof entry.time === 'string' ? Date.parse(entry.time) : Number(entry.time);
  return Number.isFinite(at) ? new Date(at).toISOString() : undefined;
}

/** Folds parsed log lines into error groups, the most frequent first (then the most recent). */
export function groupErrors(entries: Iterable<Record<string, unknown>>): ErrorGroup[] {
  const groups = new Map<string, ErrorGroup>();
  for (const entry of entries) {
    if (typeof entry.level !== 'number' || entry.level < ERROR_LEVEL) continue;
    const at = isoTime(entry);
    if (!at) continue;
    const code = codeOf(entry);
    const actor = actorOf(entry);
    const key = `${code}\u0000${actor}`;
    const message = typeof entry.msg === 'string' ? entry.msg : '';
    const group = groups.get(key);
    if (!group) {
      groups.set(key, { code, actor, count: 1, first: at, last: at, lastMessage: message });
      continue;
    }
    group.count += 1;
    if (at < group.first) group.first = at;
    if (at >= group.last) [group.last, group.lastMessage] = [at, message];
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || b.last.localeCompare(a.last));
}
