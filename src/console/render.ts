import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from '../auth/identity.ts';
import { csrfToken } from '../auth/sessionRoutes.ts';
import { page } from './layout.ts';
import type { Lang } from './text.ts';

/**
 * Sends a console page: the language (asked with `?lang=`, then kept in a cookie), the layout
 * around the body, and no caching (the pages show live data and carry a CSRF token).
 */
const LANG_COOKIE = 'il_lang';

export function langOf(request: FastifyRequest, reply: FastifyReply): Lang {
  const asked = (request.query as { lang?: string } | undefined)?.lang;
  if (asked === 'sk' || asked === 'en') {
    reply.setCookie(LANG_COOKIE, asked, { path: '/', sameSite: 'strict', httpOnly: true });
    return asked;
  }
  return request.cookies[LANG_COOKIE] === 'en' ? 'en' : 'sk';
}

export function render(
  request: FastifyRequest,
  reply: FastifyReply,
  identity: Identity | null,
  title: string,
  body: string,
  csrf: string | null = identity ? csrfToken(request, reply) : null,
) {
  const lang = langOf(request, reply);
  return reply
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(page({ lang, title, body, identity, csrf, path: request.url.split('?')[0] ?? '/' }));
}
