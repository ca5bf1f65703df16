import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import { countPeople } from '../auth/people.ts';
import { words, type Lang } from './text.ts';

/** The sign-in form; on a fresh install (nobody yet) it says how to add the first admin. */
export async function signInPage(pool: pg.Pool, request: FastifyRequest, lang: Lang): Promise<string> {
  const t = words(lang);
  const outcome = (request.query as { signin?: string } | undefined)?.signin;
  const message = outcome === 'failed' ? t('signInFailed') : outcome === 'locked' ? t('signInLocked') : '';
  const nobody =
    (await countPeople(pool)) === 0
      ? `<p>${t('nobodyYet')}</p><pre>invoice-loader users add NAME --role admin</pre>`
      : '';
  return `<h1>${t('signIn')}</h1>${nobody}
<form class="signin" method="post" action="/api/session">
<label for="name">${t('name')}</label><input id="name" name="name" autocomplete="username" required autofocus>
<label for="password">${t('password')}</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">${t('signInButton')}</button>
${message ? `<p class="error" role="alert">${message}</p>` : ''}
</form>`;
}
