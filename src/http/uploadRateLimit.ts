import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { sendRefusal } from './requestRefused.ts';

export interface UploadRateLimit {
  /** Uploads each caller, and each client address, may send per window. */
  max: number;
  windowMs: number;
}

/**
 * The upload routes' limit (http.uploadRateLimit): each caller (a token or a person) and each
 * client address may send `max` uploads per window; more are answered 429 UPLOAD_RATE_LIMITED
 * with Retry-After, before a byte of the body is read. Two counters, because a leaked token
 * used from many addresses and one host cycling through several tokens are both stopped.
 * Runs as a route hook, after the signed-in context's access hook has set the identity: a
 * caller without a valid credential is refused there (401) and never counts here.
 */
export async function uploadRateLimitHook(
  scope: FastifyInstance,
  limit: UploadRateLimit,
): Promise<onRequestAsyncHookHandler> {
  await scope.register(rateLimit, { global: false });
  const log = scope.log;
  const window = { max: limit.max, timeWindow: limit.windowMs };
  const counters = [
    scope.createRateLimit({
      ...window,
      keyGenerator: (request) =>
        request.identity ? `caller:${request.identity.kind}:${request.identity.name}` : `ip:${request.ip}`,
    }),
    scope.createRateLimit(window),
  ];
  return async (request, reply) => {
    for (const count of counters) {
      const outcome = await count(request);
      if (outcome.isAllowed || !outcome.isExceeded) continue;
      log.warn(
        { code: 'UPLOAD_RATE_LIMITED', caller: request.identity?.name, ip: request.ip, limit: outcome.max },
        'upload rate limit reached',
      );
      reply.header('retry-after', String(outcome.ttlInSeconds));
      return sendRefusal(
        reply,
        'UPLOAD_RATE_LIMITED',
        `Príliš veľa nahrávaní; skúste znova o ${outcome.ttlInSeconds} s. / Too many uploads: at most ${limit.max} per ${limit.windowMs / 1000} s (http.uploadRateLimit); try again in ${outcome.ttlInSeconds} s.`,
      );
    }
  };
}
