import type pg from 'pg';
import { decoyHash, verifyPassword } from './passwords.ts';
import type { Role } from './roles.ts';

/**
 * Checking a name and password, with a lockout: after `failures` wrong passwords in a row the
 * person cannot sign in for `lockoutMs`, whatever they type. An unknown name costs the same
 * scrypt work as a known one, so timing does not tell which names exist.
 */
export interface LockoutPolicy {
  failures: number;
  lockoutMs: number;
}

export type SignInOutcome =
  | { ok: true; person: { name: string; display_name: string; role: Role } }
  | {
      ok: false;
      /** For the log: the client always hears the same sentence for unknown, wrong and disabled. */
      why: 'unknown' | 'wrong_password' | 'disabled' | 'no_password' | 'locked';
      /** Set when this attempt (or an earlier one) locked the person out. */
      lockedUntil: string | null;
      /** This attempt was the one that locked the person out. */
      lockedNow: boolean;
    };

interface Row {
  name: string;
  display_name: string;
  role: Role;
  password_hash: string | null;
  disabled: boolean;
  locked_until: string | null;
}

export async function checkSignIn(
  db: pg.Pool,
  credentials: { name: string; password: string },
  policy: LockoutPolicy,
): Promise<SignInOutcome> {
  const name = credentials.name.trim().toLowerCase();
  const row = (
    await db.query<Row>(
      `SELECT name, display_name, role, password_hash, disabled,
         CASE WHEN locked_until > now() THEN to_char(locked_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') END AS locked_until
       FROM people WHERE name = $1`,
      [name],
    )
  ).rows[0];
  if (!row || !row.password_hash) {
    await verifyPassword(credentials.password, await decoyHash());
    return { ok: false, why: row ? 'no_password' : 'unknown', lockedUntil: null, lockedNow: false };
  }
  if (row.locked_until) return { ok: false, why: 'locked', lockedUntil: row.locked_until, lockedNow: false };
  const matches = await verifyPassword(credentials.password, row.password_hash);
  if (matches && !row.disabled) {
    await db.query(
      'UPDATE people SET failed_sign_ins = 0, locked_until = NULL, last_sign_in_at = now() WHERE name = $1',
      [name],
    );
    return { ok: true, person: { name: row.name, display_name: row.display_name, role: row.role } };
  }
  if (matches) return { ok: false, why: 'disabled', lockedUntil: null, lockedNow: false };
  // Counting and locking in one statement: two wrong attempts at once both count.
  const counted = await db.query<{ locked_until: string | null }>(
    `UPDATE people SET
       failed_sign_ins = CASE WHEN failed_sign_ins + 1 >= $2 THEN 0 ELSE failed_sign_ins + 1 END,
       locked_until = CASE WHEN failed_sign_ins + 1 >= $2 THEN now() + make_interval(secs => $3::float8 / 1000) END
     WHERE name = $1
     RETURNING to_char(locked_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS locked_until`,
    [name, policy.failures, policy.lockoutMs],
  );
  const lockedUntil = counted.rows[0]?.locked_until ?? null;
  return { ok: false, why: 'wrong_password', lockedUntil, lockedNow: lockedUntil !== null };
}
