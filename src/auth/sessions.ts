import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Role } from './roles.ts';

/**
 * Console sessions in PostgreSQL (table console_sessions): a restart keeps them, several
 * daemons on one database share them, and disabling a person ends theirs in the same commit.
 * The cookie holds 32 random bytes; the table holds only their digest, so a copy of the
 * database signs nobody in.
 */
type Queryable = pg.Pool | pg.PoolClient;

export interface SessionPerson {
  name: string;
  display_name: string;
  role: Role;
}

function digest(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex');
}

export async function createSession(db: Queryable, person: string): Promise<string> {
  const id = randomBytes(32).toString('base64url');
  await db.query('INSERT INTO console_sessions (id_sha256, person) VALUES ($1, $2)', [digest(id), person]);
  return id;
}

/**
 * The person behind a live session: not idle longer than idleMs, and not disabled. Seeing it
 * counts as activity; the time is written at most once a minute, to spare a write per request.
 */
export async function findSession(db: Queryable, sessionId: string, idleMs: number): Promise<SessionPerson | null> {
  const found = await db.query<SessionPerson & { stale: boolean }>(
    `SELECT p.name, p.display_name, p.role, s.last_seen_at < now() - interval '1 minute' AS stale
     FROM console_sessions s JOIN people p ON p.name = s.person
     WHERE s.id_sha256 = $1 AND NOT p.disabled AND s.last_seen_at > now() - make_interval(secs => $2::float8 / 1000)`,
    [digest(sessionId), idleMs],
  );
  const row = found.rows[0];
  if (!row) return null;
  if (row.stale)
    await db.query('UPDATE console_sessions SET last_seen_at = now() WHERE id_sha256 = $1', [digest(sessionId)]);
  return { name: row.name, display_name: row.display_name, role: row.role };
}

export async function endSession(db: Queryable, sessionId: string): Promise<void> {
  await db.query('DELETE FROM console_sessions WHERE id_sha256 = $1', [digest(sessionId)]);
}

/** Removes sessions idle past the timeout; run at each sign-in, so the table never grows without bound. */
export async function pruneSessions(db: Queryable, idleMs: number): Promise<number> {
  const pruned = await db.query(
    'DELETE FROM console_sessions WHERE last_seen_at <= now() - make_interval(secs => $1::float8 / 1000)',
    [idleMs],
  );
  return pruned.rowCount ?? 0;
}
