import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { Logger } from '../runtime/logger.ts';
import { identityOf, signedInWithCookie } from './httpIdentity.ts';
import { SESSION_COOKIE } from './resolveIdentity.ts';
import { createSession, endSession, pruneSessions } from './sessions.ts';
import { checkSignIn } from './signIn.ts';
import { RequestRefused, sendRefusal } from '../http/requestRefused.ts';

/**
 * Signing in and out: `POST /api/session` with JSON (or a form) `{name, password}` sets the
 * session cookie; `GET /api/me` tells who is signed in (and the CSRF token the console sends
 * with every change); `DELETE /api/session` signs out. Sign-in is rate-limited per client
 * address, and a person is locked out after repeated wrong passwords; both are logged.
 */
export interface SessionSettings {
  idleTimeoutMinutes: number;
  signInPerMinute: number;
  lockoutAfterFailures: number;
  lockoutMinutes: number;
}

export interface SessionRouteDeps {
  pool: () => pg.Pool;
  settings: SessionSettings;
  logger: Logger;
}

const SIGN_IN_FAILED = 'Nesprávne meno alebo heslo. / Wrong name or password.';

function cookieOptions(request: FastifyRequest) {
  // Secure under TLS (directly, or behind a proxy when trustProxy tells Fastify the protocol).
  return { path: '/', httpOnly: true, sameSite: 'strict' as const, secure: request.protocol === 'https' };
}

/** The CSRF token of this browser (its secret lives in an HttpOnly cookie of its own). */
export function csrfToken(request: FastifyRequest, reply: FastifyReply): string {
  return reply.generateCsrf({ secure: request.protocol === 'https' });
}

function isForm(request: FastifyRequest): boolean {
  return (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

/** `POST /api/session`: in the public context (whoever signs in has no identity yet). */
export function registerSignIn(open: FastifyInstance, deps: SessionRouteDeps): void {
  const idleMs = deps.settings.idleTimeoutMinutes * 60_000;
  const policy = { failures: deps.settings.lockoutAfterFailures, lockoutMs: deps.settings.lockoutMinutes * 60_000 };
  const log = deps.logger.child({ component: 'console' });

  void open.register(async (scope) => {
    await scope.register(rateLimit, { global: false });

    scope.post<{ Body: { name?: unknown; password?: unknown } }>(
      '/api/session',
      {
        config: {
          rateLimit: {
            max: deps.settings.signInPerMinute,
            timeWindow: 60_000,
            onExceeded: (request) =>
              log.warn({ ip: request.ip, code: 'SIGN_IN_RATE_LIMITED' }, 'sign-in rate limit reached'),
            // The catalog's answer (with the plugin's Retry-After), like every other refusal.
            errorResponseBuilder: (_request, context) =>
              new RequestRefused(
                'SIGN_IN_RATE_LIMITED',
                `Príliš veľa pokusov o prihlásenie; skúste znova o ${context.after}. / Too many sign-in attempts from this address; try again in ${context.after}.`,
              ),
          },
        },
      },
      async (request, reply) => {
        const name = typeof request.body?.name === 'string' ? request.body.name : '';
        const password = typeof request.body?.password === 'string' ? request.body.password : '';
        const form = isForm(request);
        const outcome = name && password ? await checkSignIn(deps.pool(), { name, password }, policy) : null;
        if (!outcome?.ok) {
          const locked = outcome?.ok === false && outcome.lockedUntil !== null;
          log.warn(
            {
              person: name.trim().toLowerCase(),
              ip: request.ip,
              why: outcome?.why ?? 'incomplete',
              lockedUntil: outcome?.lockedUntil,
              // The lockout itself is news for an admin (someone guessing, or a colleague stuck): it becomes an alert.
              ...(outcome?.lockedNow ? { code: 'SIGN_IN_LOCKED' } : {}),
            },
            outcome?.lockedNow ? 'sign-in locked after repeated wrong passwords' : 'sign-in refused',
          );
          if (form) return reply.redirect(`/?signin=${locked ? 'locked' : 'failed'}`, 303);
          if (locked) {
            return sendRefusal(
              reply,
              'SIGN_IN_LOCKED',
              `Príliš veľa nesprávnych pokusov; skúste znova po ${outcome.lockedUntil}. / Too many wrong passwords; try again after ${outcome.lockedUntil}.`,
            );
          }
          return sendRefusal(reply, 'SIGN_IN_FAILED', SIGN_IN_FAILED);
        }
        await pruneSessions(deps.pool(), idleMs);
        // A fresh id at every sign-in: a cookie planted before it (session fixation) signs nobody in.
        const previous = request.cookies[SESSION_COOKIE];
        if (previous) await endSession(deps.pool(), previous);
        const sessionId = await createSession(deps.pool(), outcome.person.name);
        reply.setCookie(SESSION_COOKIE, sessionId, cookieOptions(request));
        log.info({ person: outcome.person.name, ip: request.ip }, 'signed in');
        if (form) return reply.redirect('/', 303);
        return {
          name: outcome.person.name,
          display_name: outcome.person.display_name,
          role: outcome.person.role,
          csrf_token: csrfToken(request, reply),
        };
      },
    );
  });
}

/** `GET /api/me`, `DELETE /api/session`, `POST /signout`: in the signed-in context, role viewer. */
export function registerSessionRoutes(signedIn: FastifyInstance, deps: SessionRouteDeps): void {
  const log = deps.logger.child({ component: 'console' });
  void signedIn.register(async (scope) => {
    scope.get('/api/me', { config: { role: 'viewer' } }, async (request, reply) => {
      const identity = identityOf(request);
      const session = signedInWithCookie(identity);
      return {
        kind: identity.kind,
        name: identity.name,
        display_name: identity.kind === 'person' ? identity.displayName : identity.name,
        role: identity.role,
        csrf_token: session ? csrfToken(request, reply) : null,
      };
    });

    scope.delete('/api/session', { config: { role: 'viewer' } }, async (request, reply) => {
      const identity = identityOf(request);
      if (signedInWithCookie(identity)) {
        await endSession(deps.pool(), identity.via.session);
        log.info({ person: identity.name }, 'signed out');
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { signed_out: true };
    });

    // The console's sign-out button is a form (no script needed); same effect as DELETE.
    scope.post('/signout', { config: { role: 'viewer' } }, async (request, reply) => {
      const identity = identityOf(request);
      if (signedInWithCookie(identity)) await endSession(deps.pool(), identity.via.session);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.redirect('/', 303);
    });
  });
}
