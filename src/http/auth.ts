import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

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
