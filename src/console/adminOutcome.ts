import { MIN_PASSWORD_LENGTH } from '../auth/passwords.ts';
import { LoaderError } from '../errors.ts';
import { html, words, type Lang, type Word } from './text.ts';

/**
 * What a change on the people or tokens page came to, carried through the redirect back to the
 * page (`?done=…` or `?refused=CODE`, and whom it concerned) so that a reload repeats nothing.
 * The page words it in the reader's language: the domain's own sentences are English only.
 * Only names and labels ride in the URL — never a password or a token.
 */
export type Done = 'added' | 'role' | 'disabled' | 'enabled' | 'password' | 'unchanged' | 'revoked';

export type Outcome = { done: Done; subject: string } | { refused: string; subject: string };

const DONE_WORDS: Record<Done, Word> = {
  added: 'personAdded',
  role: 'roleChanged',
  disabled: 'personDisabled',
  enabled: 'personEnabled',
  password: 'passwordSet',
  unchanged: 'unchanged',
  revoked: 'tokenRevoked',
};

/** The refusals a person can act on, by the code of the error that says so. */
const REFUSAL_WORDS: Record<string, Word> = {
  PERSON_SELF_DISABLE: 'refusedSelfDisable',
  PERSON_SELF_DEMOTE: 'refusedSelfDemote',
  PERSON_NAME_INVALID: 'refusedName',
  ROLE_INVALID: 'refusedRole',
  PASSWORD_TOO_SHORT: 'passwordRule',
  PERSON_EXISTS: 'refusedPersonExists',
  PERSON_NOT_FOUND: 'refusedPersonNotFound',
  PERSON_DISABLED: 'refusedPersonDisabled',
  TOKEN_LABEL_INVALID: 'refusedTokenLabel',
  TOKEN_ROLE_INVALID: 'refusedTokenRole',
  TOKEN_OWNER: 'refusedTokenOwner',
  TOKEN_LABEL_TAKEN: 'refusedTokenTaken',
  TOKEN_NOT_FOUND: 'refusedTokenNotFound',
};

/** A refusal the page can word; any other error (the database gone, a bug) goes on to the error handler. */
export function refusalOf(error: unknown, subject: string): Outcome {
  if (error instanceof LoaderError && Object.hasOwn(REFUSAL_WORDS, error.code)) return { refused: error.code, subject };
  throw error;
}

export function outcomeUrl(path: string, outcome: Outcome): string {
  const query = new URLSearchParams(
    'done' in outcome
      ? { done: outcome.done, subject: outcome.subject }
      : { refused: outcome.refused, subject: outcome.subject },
  );
  return `${path}?${query.toString()}`;
}

/** The notice above the page for `?done=` / `?refused=`; empty when the query carries neither. */
export function outcomeNotice(query: Record<string, unknown> | undefined, lang: Lang): string {
  const t = words(lang);
  const subject = typeof query?.subject === 'string' ? query.subject.slice(0, 64) : '';
  const about = subject ? `: <strong>${html(subject)}</strong>` : '';
  // hasOwn: a query such as `?done=constructor` must not reach the object's prototype.
  const done =
    typeof query?.done === 'string' && Object.hasOwn(DONE_WORDS, query.done)
      ? DONE_WORDS[query.done as Done]
      : undefined;
  if (done) return `<p class="notice" role="status">${t(done)}${about}</p>`;
  if (typeof query?.refused !== 'string') return '';
  const refusal = Object.hasOwn(REFUSAL_WORDS, query.refused) ? REFUSAL_WORDS[query.refused] : undefined;
  const sentence = refusal ? ` ${t(refusal)}${refusal === 'passwordRule' ? ` ${MIN_PASSWORD_LENGTH}.` : ''}` : '';
  return `<p class="error" role="alert" data-code="${html(query.refused)}">${t('changeRefused')}${about}.${sentence}</p>`;
}
