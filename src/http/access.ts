import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LoaderError } from '../errors.ts';
import { presentedToken, tokenMatches } from './auth.ts';

/**
 * Who may call what. Every route behind sign-in declares the role it needs in its config
 * (`{ config: { role: 'operator' } }`); one hook, registered in the authenticated plugin
 * context, resolves the caller's identity and checks that role. Because the hook belongs to
 * the context the router matched, no spelling of a path (percent-encoded, doubled slashes,
 * other case) can reach a handler without its check: authorization never looks at the URL.
 */
export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Identity {
  /** Who acts: a person's name, or the token's label. */
  name: string;
  role: Role;
}

/** Resolves the caller of a request; undefined when it presents no valid credential. */
export type IdentifyCaller = (request: FastifyRequest) => Identity | undefined;

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
export function grants(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/**
 * The role `http.token` acts with. Until people and their own tokens exist, it is the only
 * identity the daemon knows, so it must reach every route (approve, debug) as it always has;
 * once people can sign in, it becomes the `operator` integration token that can never approve.
 */
export const SHARED_TOKEN_ROLE: Role = 'admin';

/** `Authorization: Bearer TOKEN` or `X-API-Key: TOKEN` matching `http.token`. */
export function identifyByToken(token: string): IdentifyCaller {
  const identity: Identity = { name: 'http.token', role: SHARED_TOKEN_ROLE };
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
    const identity = identify(request);
    if (!identity) return refuseUnknownCaller(request, reply);
    const needed = request.routeOptions.config.role;
    // The onRoute check makes a missing role impossible; should it happen anyway, refuse.
    if (!needed || !grants(identity.role, needed)) return refuseRole(reply, identity, needed);
    request.identity = identity;
  });
}

function refuseUnknownCaller(request: FastifyRequest, reply: FastifyReply) {
  const missing = presentedToken(request) === undefined;
  return reply
    .code(401)
    .header('www-authenticate', 'Bearer realm="invoice-loader"')
    .send({
      error: {
        code: missing ? 'AUTH_MISSING' : 'AUTH_INVALID',
        message: missing
          ? 'This route needs the API token: send "Authorization: Bearer TOKEN" or "X-API-Key: TOKEN".'
          : 'The API token is wrong.',
      },
    });
}

function refuseRole(reply: FastifyReply, identity: Identity, needed: Role | undefined) {
  return reply.code(403).send({
    error: {
      code: 'AUTH_FORBIDDEN',
      message: `This route needs the role ${needed ?? 'admin'}; ${identity.name} has the role ${identity.role}.`,
    },
  });
}
