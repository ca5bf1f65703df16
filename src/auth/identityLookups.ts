import type pg from 'pg';
import { findToken } from './apiTokens.ts';
import { findPerson } from './people.ts';
import type { IdentityLookups } from './resolveIdentity.ts';
import { findSession } from './sessions.ts';

/**
 * The identity resolver's lookups against PostgreSQL. Without a database (an HTTP server
 * that serves only health and metrics) only the configured token is known.
 */
export function databaseLookups(
  pool: (() => pg.Pool) | undefined,
  configuredToken: string | undefined,
  idleMs: number,
): IdentityLookups {
  if (!pool) {
    return {
      configuredToken,
      findToken: async () => null,
      findPerson: async () => null,
      findSession: async () => null,
    };
  }
  return {
    configuredToken,
    findToken: (token) => findToken(pool(), token),
    findPerson: async (name) => {
      const person = await findPerson(pool(), name);
      return person && !person.disabled ? person : null;
    },
    findSession: (sessionId) => findSession(pool(), sessionId, idleMs),
  };
}
