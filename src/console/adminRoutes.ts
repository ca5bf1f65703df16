import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { identityOf } from '../auth/httpIdentity.ts';
import { csrfToken } from '../auth/sessionRoutes.ts';
import { outcomeUrl, type Outcome } from './adminOutcome.ts';
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

/** Back to `path`, which says how the change went. */
function backTo(reply: FastifyReply, path: string, outcome: Outcome) {
  return reply.redirect(outcomeUrl(path, outcome), 303);
}

export function registerAdminPages(signedIn: FastifyInstance, pool: () => pg.Pool): void {
  const context = (request: FastifyRequest): PeopleChangeContext => ({
    pool: pool(),
    identity: identityOf(request),
    log: request.log.child({ component: 'console' }),
  });
  registerPeoplePages(signedIn, pool, context);
  registerTokenPages(signedIn, pool, context);
}

type ContextOf = (request: FastifyRequest) => PeopleChangeContext;
const ADMIN = { config: { role: 'admin' as const } };

function registerPeoplePages(signedIn: FastifyInstance, pool: () => pg.Pool, context: ContextOf): void {
  signedIn.get('/people', ADMIN, async (request, reply) => {
    const lang = langOf(request, reply);
    const identity = identityOf(request);
    const csrf = csrfToken(request, reply);
    const body = await peoplePage(pool(), lang, { identity, csrf, query: request.query as Form });
    return render(request, reply, identity, words(lang)('people'), body, csrf);
  });
  signedIn.post<{ Body: Form }>('/people', ADMIN, async (request, reply) => {
    const form = request.body;
    const outcome = await addFromConsole(context(request), {
      name: field(form, 'name'),
      displayName: field(form, 'display_name'),
      role: field(form, 'role'),
      password: field(form, 'password'),
    });
    return backTo(reply, '/people', outcome);
  });
  signedIn.post<NamedRequest>('/people/:name/role', ADMIN, async (request, reply) => {
    const role = field(request.body, 'role');
    return backTo(reply, '/people', await changeRoleFromConsole(context(request), request.params.name, role));
  });
  signedIn.post<NamedRequest>('/people/:name/disable', ADMIN, async (request, reply) =>
    backTo(reply, '/people', await disableFromConsole(context(request), request.params.name)),
  );
  signedIn.post<NamedRequest>('/people/:name/enable', ADMIN, async (request, reply) =>
    backTo(reply, '/people', await enableFromConsole(context(request), request.params.name)),
  );
  signedIn.post<NamedRequest>('/people/:name/password', ADMIN, async (request, reply) => {
    const changes = context(request);
    const outcome = await passwordFromConsole(changes, request.params.name, field(request.body, 'password'));
    // A new password of one's own ends one's own session: the sign-in page is what is left.
    if (endedOwnSession(changes.identity, outcome)) return reply.redirect('/', 303);
    return backTo(reply, '/people', outcome);
  });
}

function registerTokenPages(signedIn: FastifyInstance, pool: () => pg.Pool, context: ContextOf): void {
  signedIn.get('/tokens', ADMIN, async (request, reply) => {
    const lang = langOf(request, reply);
    const csrf = csrfToken(request, reply);
    const body = await tokensPage(pool(), lang, { csrf, query: request.query as Form });
    return render(request, reply, identityOf(request), words(lang)('tokens'), body, csrf);
  });
  signedIn.post<{ Body: Form }>('/tokens', ADMIN, async (request, reply) => {
    const form = request.body;
    const created = await createFromConsole(context(request), {
      label: field(form, 'label'),
      person: field(form, 'person'),
      role: field(form, 'role'),
    });
    if (!('token' in created)) return backTo(reply, '/tokens', created);
    const lang = langOf(request, reply);
    return render(request, reply, identityOf(request), words(lang)('tokenCreated'), tokenCreatedPage(created, lang));
  });
  signedIn.post<{ Body: Form }>('/tokens/revoke', ADMIN, async (request, reply) =>
    backTo(reply, '/tokens', await revokeFromConsole(context(request), field(request.body, 'label'))),
  );
}
