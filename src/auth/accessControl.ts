import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from './identity.ts';
import { credentialsOf, resolveIdentity, type IdentityLookups } from './resolveIdentity.ts';
import { roleAllows, type Role } from './roles.ts';

/**
 * Who may call what. Every route declares `config: { access }`: a role (the least one that
 * may call it), `public` (the sign-in page, its assets, POST /api/session), or `health` /
 * `metrics` (open unless http.openHealth / openMetrics is false, then viewer). A route that
 * declares nothing needs admin: forgetting is refused, not opened. One onRequest hook resolves
 * the identity before a byte of the body is read (401 without one, 403 without the role); a
 * state change made with the session cookie must also carry the CSRF token (preHandler, where
 * a form's `_csrf` field has been parsed).
 */
export type Access = Role | 'public' | 'health' | 'metrics';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    identity: Identity | null;
  }
}

export interface AccessSettings {
  openHealth: boolean;
  openMetrics: boolean;
}

/** Routes as registered, with what they declared: docs/console.md's table and the role-matrix test read it. */
export interface RouteAccess {
  method: string;
  url: string;
  access: Access;
  declared: boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function neededRole(access: Access, settings: AccessSettings): Role | null {
  if (access === 'public') return null;
  if (access === 'health') return settings.openHealth ? null : 'viewer';
  if (access === 'metrics') return settings.openMetrics ? null : 'viewer';
  return access;
}

export function installAccessControl(
  app: FastifyInstance,
  deps: { lookups: IdentityLookups; settings: AccessSettings },
): RouteAccess[] {
  const routes: RouteAccess[] = [];
  void app.register(cookie);
  void app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true },
  });
  app.decorateRequest('identity', null);

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const declared = (route.config as { access?: Access } | undefined)?.access;
    for (const method of methods) {
      // Fastify adds a HEAD route for each GET, with the GET's config.
      if (method === 'HEAD') continue;
      routes.push({ method, url: route.url, access: declared ?? 'admin', declared: declared !== undefined });
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    // An unknown route answers 404 to everyone: there is nothing behind it to protect.
    if (request.is404) return;
    const access = request.routeOptions.config.access ?? 'admin';
    const needed = neededRole(access, deps.settings);
    const credentials = credentialsOf(request.headers, request.cookies);
    request.identity = await resolveIdentity(credentials, deps.lookups);
    if (needed === null) return;
    if (!request.identity)
      return refuseUnauthenticated(reply, credentials.token !== null || credentials.sessionId !== null);
    if (!roleAllows(request.identity.role, needed)) return refuseRole(reply, request.identity, needed);
  });

  app.addHook('preHandler', (request, reply, done) => {
    const identity = request.identity;
    if (SAFE_METHODS.has(request.method) || identity?.kind !== 'person' || !('session' in identity.via)) return done();
    app.csrfProtection(request, reply, done);
  });

  return routes;
}

function refuseUnauthenticated(reply: FastifyReply, presented: boolean) {
  return reply
    .code(401)
    .header('www-authenticate', 'Bearer realm="invoice-loader"')
    .send({
      error: {
        code: presented ? 'AUTH_INVALID' : 'AUTH_MISSING',
        message: presented
          ? 'Prihlásenie neplatí (token je nesprávny alebo relácia vypršala). / The token is wrong or the session has ended.'
          : 'Prihláste sa, alebo pošlite token. / Sign in, or send "Authorization: Bearer TOKEN" or "X-API-Key: TOKEN".',
      },
    });
}

function refuseRole(reply: FastifyReply, identity: Identity, needed: Role) {
  return reply.code(403).send({
    error: {
      code: 'ROLE_MISSING',
      message: `Na toto treba rolu ${needed}; ${identity.name} má rolu ${identity.role}. / This needs role ${needed}; ${identity.name} is ${identity.role}.`,
    },
  });
}

/** The identity of a request that passed the hook; routes with a role always have one. */
export function identityOf(request: FastifyRequest): Identity {
  if (!request.identity) throw new Error(`route ${request.url} reached without an identity: declare its access`);
  return request.identity;
}
