import type pg from 'pg';
import { LoaderError } from '../errors.ts';
import { hashPassword, MIN_PASSWORD_LENGTH } from './passwords.ts';
import { isRole, ROLES, type Role } from './roles.ts';

/**
 * The people who sign in to the console (table `people`). Names are sign-in names, kept
 * lower-case; what the console shows is the display name. Disabling a person, changing their
 * password or their role ends their console sessions in the same commit, so a change takes
 * effect at once and not at the next idle timeout.
 */
export interface Person {
  name: string;
  display_name: string;
  role: Role;
  disabled: boolean;
  has_password: boolean;
  last_sign_in_at: string | null;
  locked_until: string | null;
}

type Queryable = pg.Pool | pg.PoolClient;

const PERSON_COLUMNS = `name, display_name, role, disabled, password_hash IS NOT NULL AS has_password,
  to_char(last_sign_in_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_sign_in_at,
  to_char(locked_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS locked_until`;

export function personName(name: string): string {
  const cleaned = name.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9._@-]{0,63}$/.test(cleaned)) {
    throw new LoaderError(
      'PERSON_NAME_INVALID',
      `"${name}" cannot be a sign-in name: use 1 to 64 letters a-z, digits, dots, dashes, underscores or @, starting with a letter or digit.`,
    );
  }
  return cleaned;
}

export function assertRole(role: string): Role {
  if (!isRole(role)) {
    throw new LoaderError('ROLE_INVALID', `"${role}" is not a role; the roles are ${ROLES.join(', ')}.`);
  }
  return role;
}

export function assertPassword(password: string): string {
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw new LoaderError('PASSWORD_TOO_SHORT', `The password must have at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  return password;
}

export async function addPerson(
  db: Queryable,
  person: { name: string; role: string; displayName?: string; password?: string },
): Promise<Person> {
  const name = personName(person.name);
  const role = assertRole(person.role);
  const hash = person.password === undefined ? null : await hashPassword(assertPassword(person.password));
  const added = await db.query<Person>(
    `INSERT INTO people (name, display_name, role, password_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT (name) DO NOTHING RETURNING ${PERSON_COLUMNS}`,
    [name, person.displayName?.trim() ?? '', role, hash],
  );
  if (!added.rows[0]) throw new LoaderError('PERSON_EXISTS', `There is already a person named ${name}.`);
  return added.rows[0];
}

export async function listPeople(db: Queryable): Promise<Person[]> {
  return (await db.query<Person>(`SELECT ${PERSON_COLUMNS} FROM people ORDER BY name`)).rows;
}

export async function findPerson(db: Queryable, name: string): Promise<Person | null> {
  const cleaned = name.trim().toLowerCase();
  return (await db.query<Person>(`SELECT ${PERSON_COLUMNS} FROM people WHERE name = $1`, [cleaned])).rows[0] ?? null;
}

export async function countPeople(db: Queryable): Promise<number> {
  return (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM people')).rows[0]!.n;
}

async function changePerson(db: Queryable, name: string, set: string, values: unknown[]): Promise<Person> {
  const cleaned = personName(name);
  // One statement: the change and the end of the person's sessions commit together.
  const changed = await db.query<Person>(
    `WITH changed AS (
       UPDATE people SET ${set}, updated_at = now() WHERE name = $1 RETURNING *
     ), ended AS (
       DELETE FROM console_sessions WHERE person IN (SELECT name FROM changed)
     )
     SELECT ${PERSON_COLUMNS} FROM changed`,
    [cleaned, ...values],
  );
  if (!changed.rows[0]) throw new LoaderError('PERSON_NOT_FOUND', `There is no person named ${cleaned}.`);
  return changed.rows[0];
}

export function setRole(db: Queryable, name: string, role: string): Promise<Person> {
  return changePerson(db, name, 'role = $2', [assertRole(role)]);
}

export function disablePerson(db: Queryable, name: string): Promise<Person> {
  return changePerson(db, name, 'disabled = true', []);
}

export function enablePerson(db: Queryable, name: string): Promise<Person> {
  return changePerson(db, name, 'disabled = false, failed_sign_ins = 0, locked_until = NULL', []);
}

export async function setPassword(db: Queryable, name: string, password: string): Promise<Person> {
  const hash = await hashPassword(assertPassword(password));
  // A new password also lifts a lockout: the admin who set it vouches for the person.
  return changePerson(db, name, 'password_hash = $2, failed_sign_ins = 0, locked_until = NULL', [hash]);
}
