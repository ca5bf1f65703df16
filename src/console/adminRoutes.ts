import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { identityOf } from '../auth/httpIdentity.ts';
import { csrfToken } from '../auth/sessionRoutes.ts';
import { outcomeUrl } from './adminOutcome.ts';
import { peoplePage } from './peoplePage.ts';
import {
  addFromConsole,
  changeRoleFromConsole,
  disableFromConsole,
  enableFromConsole,
  endedOwnSession,
  passwordFromConsole,
  type PeopleChangeContext,
} from './peopleChanges.ts';
import { langOf, render } from './render.ts';
import { createFromConsole, revokeFromConsole } from './tokenChanges.ts';
import { tokenCreatedPage, tokensPage } from './tokensPage.ts';
import { words } from './text.ts';

/**
 * `/people` and `/tokens`, role admin: the pages, and their forms' POST routes. A change answers
 * with a redirect back to its page saying how it went (303, so a reload repeats nothing) —
 * except creating a token, whose answer is the one page that shows the new token.
 */
type Form = Record<string, unknown> | undefined;
type NamedRequest = { Params: { name: string }; Body: Form };

/** A form field as text; forms (and the JSON the role matrix sends) may omit it or repeat it. */
function field(body: Form, key: string): string {
  const value = body?.[key];
  return typeof value === 'string' ? value : '';
}

export function registerAdminPages(signedIn: FastifyInstance, pool: () => pg.Pool): void {
  const admin = { config: { role: 'admin' as const } };
  const context = (request: FastifyRequest): PeopleChangeContext => ({
    pool: pool(),
    identity: identityOf(request),
    log: request.log.child({ component: 'console' }),
  });

  signedIn.get('/people', admin, async (request, reply) => {
    const lang = langOf(request, reply);
    const identity = identityOf(request);
    const csrf = csrfToken(request, reply);
    const query = request.query as Form;
    return render(
      request,
      reply,
      identity,
      words(lang)('people'),
      await peoplePage(pool(), lang, { identity, csrf, query }),
      csrf,
    );
  });
  signedIn.post<{ Body: Form }>('/people', admin, async (request, reply) => {
    const body = request.body;
    const outcome = await addFromConsole(context(request), {
      name: field(body, 'name'),
      displayName: field(body, 'display_name'),
      role: field(body, 'role'),
      password: field(body, 'password'),
    });
    return reply.redirect(outcomeUrl('/people', outcome), 303);
  });
  signedIn.post<NamedRequest>('/people/:name/role', admin, async (request, reply) =>
    reply.redirect(
      outcomeUrl(
        '/people',
        await changeRoleFromConsole(context(request), request.params.name, field(request.body, 'role')),
      ),
      303,
    ),
  );
  signedIn.post<NamedRequest>('/people/:name/disable', admin, async (request, reply) =>
    reply.redirect(outcomeUrl('/people', await disableFromConsole(context(request), request.params.name)), 303),
  );
  signedIn.post<NamedRequest>('/people/:name/enable', admin, async (request, reply) =>
    reply.redirect(outcomeUrl('/people', await enableFromConsole(context(request), request.params.name)), 303),
  );
  signedIn.post<NamedRequest>('/people/:name/password', admin, async (request, reply) => {
    const changes = context(request);
    const outcome = await passwordFromConsole(changes, request.params.name, field(request.body, 'password'));
    // A new password of one's own ends one's own session: the sign-in page is what is left.
    return reply.redirect(endedOwnSession(changes.identity, outcome) ? '/' : outcomeUrl('/people', outcome), 303);
  });

  signedIn.get('/tokens', admin, async (request, reply) => {
    const lang = langOf(request, reply);
    const csrf = csrfToken(request, reply);
    const body = await tokensPage(pool(), lang, { csrf, query: request.query as Form });
    return render(request, reply, identityOf(request), words(lang)('tokens'), body, csrf);
  });
  signedIn.post<{ Body: Form }>('/tokens', admin, async (request, reply) => {
    const body = request.body;
    const created = await createFromConsole(context(request), {
      label: field(body, 'label'),
      person: field(body, 'person'),
      role: field(body, 'role'),
    });
    if (!('token' in created)) return reply.redirect(outcomeUrl('/tokens', created), 303);
    const lang = langOf(request, reply);
    return render(request, reply, identityOf(request), words(lang)('tokenCreated'), tokenCreatedPage(created, lang));
  });
  signedIn.post<{ Body: Form }>('/tokens/revoke', admin, async (request, reply) =>
    reply.redirect(outcomeUrl('/tokens', await revokeFromConsole(context(request), field(request.body, 'label'))), 303),
  );
}
