import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IdentifyCaller } from '../http/access.ts';
import type { Identity } from './identity.ts';
import { credentialsOf, resolveIdentity, type IdentityLookups } from './resolveIdentity.ts';

/**
 * The console's identity in the signed-in context's hook (src/http/access.ts): a token in the
 * headers, or else the session cookie; and the CSRF check every state change made with the
 * cookie must pass. A token request needs no CSRF token: a browser never sends one by itself.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Cookies, the CSRF plugin and form bodies (the console's forms), on the root so that every context sees them. */
export function registerCookiePlugins(app: FastifyInstance): void {
  void app.register(cookie);
  void app.register(formbody);
  void app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true },
  });
}

export function identifyCaller(lookups: IdentityLookups): IdentifyCaller {
  return (request) => resolveIdentity(credentialsOf(request.headers, request.cookies), lookups);
}

export function signedInWithCookie(
  identity: Identity | null,
): identity is Extract<Identity, { kind: 'person' }> & { via: { session: string } } {
  return identity?.kind === 'person' && 'session' in identity.via;
}

/**
 * In the signed-in context, after the access hook: a change made with the session cookie needs
 * the CSRF token (header `x-csrf-token` or the form field `_csrf`). preHandler, so that a
 * form's body has been parsed.
 */
export function requireCsrf(scope: FastifyInstance): void {
  scope.addHook('preHandler', (request, reply, done) => {
    if (SAFE_METHODS.has(request.method) || !signedInWithCookie(request.identity)) return done();
    scope.csrfProtection(request, reply, done);
  });
}

/** The identity of a request that passed the access hook; routes with a role always have one. */
export function identityOf(request: FastifyRequest): Identity {
  if (!request.identity) throw new Error(`route ${request.url} reached without an identity: declare its role`);
  return request.identity;
}
