import pg from 'pg';
import { createToken } from '../../src/auth/apiTokens.ts';
import { addPerson } from '../../src/auth/people.ts';

/**
 * A token of an admin person in a daemon's database (migrated: call it once the daemon is
 * ready). The debug routes need role admin, which `http.token` (an operator) does not have.
 */
export async function adminToken(databaseUrl: string, name = 'chaos'): Promise<string> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    await addPerson(pool, { name, role: 'admin' });
    return (await createToken(pool, { label: `${name}-token`, person: name })).token;
  } finally {
    await pool.end();
  }
}
