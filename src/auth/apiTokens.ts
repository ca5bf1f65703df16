import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { errorCode, LoaderError } from '../errors.ts';
import { personName } from './people.ts';
import { INTEGRATION_ROLES, type IntegrationRole } from './roles.ts';
import { PG } from '../db/pgErrorCodes.ts';

/**
 * Tokens for scripts and integrations (table `api_tokens`). Only a SHA-256 digest is stored:
 * a token is 32 random bytes, so a fast digest is enough (unlike a password, nobody can guess
 * it), and the token itself exists only in the output of `tokens create`.
 */
export interface ApiToken {
  label: string;
  person: string | null;
  role: IntegrationRole | null;
  created_at: string;
  last_used_at: string | null;
}

type Queryable = pg.Pool | pg.PoolClient;

/** Tokens carry a prefix so that a leaked one is recognizable in logs and secret scanners. */
const PREFIX = 'ilt_';

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function label(text: string): string {
  const cleaned = text.trim();
  if (!cleaned || cleaned.length > 64) {
    throw new LoaderError('TOKEN_LABEL_INVALID', 'Name the token with a label of 1 to 64 characters (--name).');
  }
  return cleaned;
}

export type TokenOwner = { person: string } | { role: string };

/** Creates a token and returns it: the only time it is ever seen. */
export async function createToken(
  db: Queryable,
  request: { label: string } & TokenOwner,
): Promise<{ token: string; label: string }> {
  const name = label(request.label);
  let person: string | null = null;
  let role: IntegrationRole | null = null;
  if ('person' in request) {
    person = personName(request.person);
    const found = await db.query<{ disabled: boolean }>('SELECT disabled FROM people WHERE name = $1', [person]);
    if (!found.rows[0]) throw new LoaderError('PERSON_NOT_FOUND', `There is no person named ${person}.`);
    if (found.rows[0].disabled) throw new LoaderError('PERSON_DISABLED', `${person} is disabled; enable them first.`);
  } else {
    if (!(INTEGRATION_ROLES as readonly string[]).includes(request.role)) {
      throw new LoaderError(
        'TOKEN_ROLE_INVALID',
        `An integration token belongs to nobody and can be ${INTEGRATION_ROLES.join(' or ')}, not "${request.role}"; a token that approves must belong to a person (--user).`,
      );
    }
    role = request.role as IntegrationRole;
  }
  const token = `${PREFIX}${randomBytes(32).toString('base64url')}`;
  try {
    await db.query('INSERT INTO api_tokens (id, label, token_sha256, person, role) VALUES ($1, $2, $3, $4, $5)', [
      randomUUID(),
      name,
      tokenDigest(token),
      person,
      role,
    ]);
  } catch (error) {
    if (errorCode(error) === PG.uniqueViolation) {
      throw new LoaderError(
        'TOKEN_LABEL_TAKEN',
        `A live token is already labelled "${name}"; revoke it or pick another label.`,
      );
    }
    throw error;
  }
  return { token, label: name };
}

export async function listTokens(db: Queryable): Promise<ApiToken[]> {
  const found = await db.query<ApiToken>(
    `SELECT label, person, role,
       to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at,
       to_char(last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_used_at
     FROM api_tokens WHERE revoked_at IS NULL ORDER BY lower(label)`,
  );
  return found.rows;
}

export async function revokeToken(db: Queryable, tokenLabel: string): Promise<void> {
  const revoked = await db.query(
    'UPDATE api_tokens SET revoked_at = now() WHERE lower(label) = lower($1) AND revoked_at IS NULL',
    [tokenLabel.trim()],
  );
  if (revoked.rowCount === 0)
    throw new LoaderError('TOKEN_NOT_FOUND', `There is no live token labelled "${tokenLabel}".`);
}

export interface TokenHolder {
  label: string;
  person: string | null;
  role: IntegrationRole | null;
}

/** The live token with this value, if any; its last use is noted (at most once a minute, to spare writes). */
export async function findToken(db: Queryable, token: string): Promise<TokenHolder | null> {
  const found = await db.query<TokenHolder>(
    `UPDATE api_tokens SET last_used_at = now()
     WHERE token_sha256 = $1 AND revoked_at IS NULL
       AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
     RETURNING label, person, role`,
    [tokenDigest(token)],
  );
  if (found.rows[0]) return found.rows[0];
  const seen = await db.query<TokenHolder>(
    'SELECT label, person, role FROM api_tokens WHERE token_sha256 = $1 AND revoked_at IS NULL',
    [tokenDigest(token)],
  );
  return seen.rows[0] ?? null;
}

export interface TokenRecord extends ApiToken {
  revoked_at: string | null;
}

const TOKEN_RECORD_COLUMNS = `label, person, role,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at,
  to_char(last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_used_at,
  to_char(revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS revoked_at`;

/**
 * The live tokens, then the most recently revoked ones (newest first): an admin sees who could
 * call and what was cut off. Revoked rows are kept for the record, so only the latest are shown.
 */
export async function listTokenRecords(db: Queryable, revokedShown = 50): Promise<TokenRecord[]> {
  const live = await db.query<TokenRecord>(
    `SELECT ${TOKEN_RECORD_COLUMNS} FROM api_tokens WHERE revoked_at IS NULL ORDER BY lower(label)`,
  );
  const revoked = await db.query<TokenRecord>(
    `SELECT ${TOKEN_RECORD_COLUMNS} FROM api_tokens WHERE revoked_at IS NOT NULL
     ORDER BY api_tokens.revoked_at DESC, lower(label) LIMIT $1`,
    [revokedShown],
  );
  return [...live.rows, ...revoked.rows];
}
