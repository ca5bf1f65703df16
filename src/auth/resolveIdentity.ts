import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { TokenHolder } from './apiTokens.ts';
import type { Identity } from './identity.ts';
import type { SessionPerson } from './sessions.ts';

/**
 * Request → identity. A token in the headers wins over a session cookie (a script never needs
 * the cookie, and a token request needs no CSRF token); a token that is present but unknown
 * is no identity at all, never a fall-back to the cookie.
 */
export const SESSION_COOKIE = 'il_session';

export interface Credentials {
  token: string | null;
  sessionId: string | null;
}

/** `Authorization: Bearer TOKEN` or `X-API-Key: TOKEN`, and the session cookie. */
export function credentialsOf(headers: IncomingHttpHeaders, cookies: Record<string, string | undefined>): Credentials {
  const authorization = headers.authorization;
  const key = headers['x-api-key'];
  let token: string | null = null;
  if (authorization?.toLowerCase().startsWith('bearer ')) token = authorization.slice(7).trim();
  else if (typeof key === 'string') token = key.trim();
  return { token: token || null, sessionId: cookies[SESSION_COOKIE] || null };
}

export interface IdentityLookups {
  findToken(token: string): Promise<TokenHolder | null>;
  /** The person a token acts for, with their current role (null when disabled or gone). */
  findPerson(name: string): Promise<{ name: string; display_name: string; role: SessionPerson['role'] } | null>;
  findSession(sessionId: string): Promise<SessionPerson | null>;
  /** http.token (or data/http-token): the integration token from before people existed; role operator. */
  configuredToken: string | undefined;
}

export function sameSecret(presented: string, expected: string): boolean {
  // Digests first give equal lengths, so timingSafeEqual never leaks the secret's length.
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

export async function resolveIdentity(credentials: Credentials, lookups: IdentityLookups): Promise<Identity | null> {
  if (credentials.token) {
    const { token } = credentials;
    if (lookups.configuredToken && sameSecret(token, lookups.configuredToken)) {
      return { kind: 'integration', name: 'http.token', role: 'operator' };
    }
    const holder = await lookups.findToken(token);
    if (!holder) return null;
    if (holder.role) return { kind: 'integration', name: holder.label, role: holder.role };
    const person = holder.person ? await lookups.findPerson(holder.person) : null;
    if (!person) return null;
    return personIdentity(person, { token: holder.label });
  }
  if (credentials.sessionId) {
    const person = await lookups.findSession(credentials.sessionId);
    if (!person) return null;
    return personIdentity(person, { session: credentials.sessionId });
  }
  return null;
}

function personIdentity(person: SessionPerson, via: { session: string } | { token: string }): Identity {
  return { kind: 'person', name: person.name, displayName: person.display_name, role: person.role, via };
}
