import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** `Authorization: Bearer TOKEN` or `X-API-Key: TOKEN`; compared in constant time. */
export function presentedToken(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization?.toLowerCase().startsWith('bearer ')) return authorization.slice(7).trim();
  const key = request.headers['x-api-key'];
  return typeof key === 'string' ? key.trim() : undefined;
}

export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (!presented) return false;
  // Hashing first gives equal lengths, so timingSafeEqual never leaks the token's length.
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

export function rejectUnauthorized(request: FastifyRequest, reply: FastifyReply) {
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
