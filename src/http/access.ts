import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from '../auth/identity.ts';
import { SESSION_COOKIE } from '../auth/resolveIdentity.ts';
import { roleAllows, ROLES, type Role } from '../auth/roles.ts';
import { LoaderError } from '../errors.ts';
import { presentedToken, tokenMatches } from './auth.ts';
import { sendRefusal } from './requestRefused.ts';

/**
 * Who may call what. Every route behind sign-in declares the role it needs in its config
 * (`{ config: { role: 'operator' } }`); one hook, registered in the authenticated plugin
 * context, resolves the caller's identity and checks that role. Because the hook belongs to
 * the context the router matched, no spelling of a path (percent-encoded, doubled slashes,
 * other case) can reach a handler without its check: authorization never looks at the URL.
 */
export { ROLES, type Role, type Identity };

/**
 * Resolves the caller of a request; undefined (or null) when it presents no valid credential.
 * The console's resolver (src/auth/resolveIdentity.ts) asks the database, hence the promise.
 */
export type IdentifyCaller = (
  request: FastifyRequest,
) => Identity | undefined | null | Promise<Identity | undefined | null>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The role a route behind sign-in needs; the authenticated context refuses a route without one. */
    role?: Role;
  }
  interface FastifyRequest {
    /** Set by the authenticated context's hook once the caller is known and may use the route. */
    identity: Identity | null;
  }
}

/**
 * Each role can do what the roles before it can: viewer reads, operator also corrects,
 * rejects, reprocesses and replays, approver also approves, admin also manages people and debug.
 */
export const grants = roleAllows;

/**
 * The role `http.token` acts with: now that people sign in and approve, it is the `operator`
 * integration token (uploads, reject, replay) that can never approve.
 */
export const SHARED_TOKEN_ROLE = 'operator' as const;

/** `Authorization: Bearer TOKEN` or `X-API-Key: TOKEN` matching `http.token` (a daemon without a database). */
export function identifyByToken(token: string): IdentifyCaller {
  const identity: Identity = { kind: 'integration', name: 'http.token', role: SHARED_TOKEN_ROLE };
  return (request) => (tokenMatches(presentedToken(request), token) ? identity : undefined);
}

// The option objects of the routes registered in an authenticated context (fastify passes the
// same object to every onRoute hook), so that routeTable.ts can find a route that is in none.
const behindSignIn = new WeakSet<object>();

export function isBehindSignIn(route: object): boolean {
  return behindSignIn.has(route);
}

/**
 * Makes `scope` an authenticated context: every route registered in it (and in plugins it
 * registers) must declare a role, and every request it routes is refused before its body is
 * read unless the caller is known (401) and has that role (403).
 */
export function requireSignIn(scope: FastifyInstance, identify: IdentifyCaller): void {
  scope.decorateRequest('identity', null);
  scope.addHook('onRoute', (route) => {
    behindSignIn.add(route);
    const role = route.config?.role;
    if (!role || !ROLES.includes(role)) {
      throw new LoaderError(
        'HTTP_ROUTE_WITHOUT_ROLE',
        `Route ${String(route.method)} ${route.url} is behind sign-in but declares no role: add config: { role: 'viewer' | 'operator' | 'approver' | 'admin' }.`,
      );
    }
  });
  scope.addHook('onRequest', async (request, reply) => {
    const identity = await identify(request);
    if (!identity) return refuseUnknownCaller(request, reply);
    const needed = request.routeOptions.config.role;
    // The onRoute check makes a missing role impossible; should it happen anyway, refuse.
    if (!needed || !grants(identity.role, needed)) return refuseRole(reply, identity, needed);
    request.identity = identity;
  });
}

function refuseUnknownCaller(request: FastifyRequest, reply: FastifyReply) {
  const missing = presentedToken(request) === undefined && !request.cookies?.[SESSION_COOKIE];
  reply.header('www-authenticate', 'Bearer realm="invoice-loader"');
  return missing
    ? sendRefusal(
        reply,
        'AUTH_MISSING',
        'Prihláste sa, alebo pošlite token. / Sign in, or send "Authorization: Bearer TOKEN" or "X-API-Key: TOKEN".',
      )
    : sendRefusal(
        reply,
        'AUTH_INVALID',
        'Token je nesprávny alebo relácia skončila. / The token is wrong or the session has ended.',
      );
}

function refuseRole(reply: FastifyReply, identity: Identity, needed: Role | undefined) {
  return sendRefusal(
    reply,
    'AUTH_FORBIDDEN',
    `This route needs the role ${needed ?? 'admin'}; ${identity.name} has the role ${identity.role}.`,
  );
}
