import { createToken, revokeToken, type TokenOwner } from '../auth/apiTokens.ts';
import { actorLabel } from '../auth/identity.ts';
import { LoaderError } from '../errors.ts';
import { refusalOf, type Outcome } from './adminOutcome.ts';
import type { PeopleChangeContext } from './peopleChanges.ts';

/**
 * The tokens page's changes, made as the signed-in admin and logged with who made them. The
 * created token goes back to the caller only, for the one page that shows it: it is never
 * logged and never put in a URL (a redirect would leave it in the browser's history).
 */
export type Created = { token: string; label: string; owner: TokenOwner };

/** The form names either a person (`person`) or an integration role (`role`), not both. */
function ownerOf(form: { person: string; role: string }): TokenOwner {
  const person = form.person.trim();
  const role = form.role.trim();
  if (!person === !role) {
    throw new LoaderError('TOKEN_OWNER', 'Say whom the token acts as: a person, or the role of an integration token.');
  }
  return person ? { person } : { role };
}

export async function createFromConsole(
  context: PeopleChangeContext,
  form: { label: string; person: string; role: string },
): Promise<Created | Outcome> {
  try {
    const owner = ownerOf(form);
    const created = await createToken(context.pool, { label: form.label, ...owner });
    context.log.info({ by: actorLabel(context.identity), label: created.label, ...owner }, 'token created');
    return { ...created, owner };
  } catch (error) {
    return refusalOf(error, form.label.trim().slice(0, 64));
  }
}

export async function revokeFromConsole(context: PeopleChangeContext, label: string): Promise<Outcome> {
  const subject = label.trim();
  try {
    await revokeToken(context.pool, subject);
    context.log.info({ by: actorLabel(context.identity), label: subject }, 'token revoked');
    return { done: 'revoked', subject };
  } catch (error) {
    return refusalOf(error, subject.slice(0, 64));
  }
}
