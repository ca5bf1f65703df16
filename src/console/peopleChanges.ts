import type pg from 'pg';
import { signedInWithCookie } from '../auth/httpIdentity.ts';
import { actorLabel, type Identity } from '../auth/identity.ts';
import {
  addPerson,
  assertRole,
  disablePerson,
  enablePerson,
  findPerson,
  personName,
  setPassword,
  setRole,
} from '../auth/people.ts';
import { LoaderError } from '../errors.ts';
import type { Logger } from '../runtime/logger.ts';
import { refusalOf, type Outcome } from './adminOutcome.ts';

/**
 * The people page's changes, made as the signed-in admin: each is logged with who made it
 * (never a password), and a refusal the admin can act on comes back as an outcome to show.
 * An admin cannot disable themselves nor take away their own admin role: with nobody else to
 * undo it, the console would lose its last admin and only the server's CLI could repair it.
 */
export interface PeopleChangeContext {
  pool: pg.Pool;
  identity: Identity;
  log: Pick<Logger, 'info'>;
}

function isSelf(identity: Identity, name: string): boolean {
  return identity.kind === 'person' && identity.name === name;
}

async function existing(pool: pg.Pool, name: string) {
  const person = await findPerson(pool, name);
  if (!person) throw new LoaderError('PERSON_NOT_FOUND', `There is no person named ${name}.`);
  return person;
}

/** Runs a change; a refusal becomes the outcome that says so, about `subject`. */
async function attempt(subject: string, change: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await change();
  } catch (error) {
    // The subject is what the form said; it rides in the redirect's URL, so it is kept short.
    return refusalOf(error, subject.slice(0, 64));
  }
}

export function addFromConsole(
  context: PeopleChangeContext,
  form: { name: string; displayName: string; role: string; password: string },
): Promise<Outcome> {
  return attempt(form.name.trim().toLowerCase(), async () => {
    const person = await addPerson(context.pool, form);
    context.log.info({ by: actorLabel(context.identity), person: person.name, role: person.role }, 'person added');
    return { done: 'added', subject: person.name };
  });
}

export function changeRoleFromConsole(context: PeopleChangeContext, target: string, role: string): Promise<Outcome> {
  return attempt(target, async () => {
    const name = personName(target);
    const wanted = assertRole(role);
    const person = await existing(context.pool, name);
    // The same role again changes nothing, and must not sign the person out for nothing.
    if (person.role === wanted) return { done: 'unchanged', subject: name };
    if (isSelf(context.identity, name)) {
      throw new LoaderError('PERSON_SELF_DEMOTE', 'An admin cannot take away their own admin role; ask another admin.');
    }
    await setRole(context.pool, name, wanted);
    context.log.info(
      { by: actorLabel(context.identity), person: name, from: person.role, role: wanted },
      'person role changed',
    );
    return { done: 'role', subject: name };
  });
}

export function disableFromConsole(context: PeopleChangeContext, target: string): Promise<Outcome> {
  return attempt(target, async () => {
    const name = personName(target);
    if (isSelf(context.identity, name)) {
      throw new LoaderError('PERSON_SELF_DISABLE', 'An admin cannot disable themselves; ask another admin.');
    }
    if ((await existing(context.pool, name)).disabled) return { done: 'unchanged', subject: name };
    await disablePerson(context.pool, name);
    context.log.info({ by: actorLabel(context.identity), person: name }, 'person disabled');
    return { done: 'disabled', subject: name };
  });
}

export function enableFromConsole(context: PeopleChangeContext, target: string): Promise<Outcome> {
  return attempt(target, async () => {
    const name = personName(target);
    if (!(await existing(context.pool, name)).disabled) return { done: 'unchanged', subject: name };
    await enablePerson(context.pool, name);
    context.log.info({ by: actorLabel(context.identity), person: name }, 'person enabled');
    return { done: 'enabled', subject: name };
  });
}

/** Also lifts a lockout, and ends the person's sessions (the admin's own too, when it is theirs). */
export function passwordFromConsole(context: PeopleChangeContext, target: string, password: string): Promise<Outcome> {
  return attempt(target, async () => {
    const person = await setPassword(context.pool, target, password);
    context.log.info({ by: actorLabel(context.identity), person: person.name }, 'person password set');
    return { done: 'password', subject: person.name };
  });
}

/** Whether the change ended the caller's own session (their password changed), so the page is gone. */
export function endedOwnSession(identity: Identity, outcome: Outcome): boolean {
  return (
    'done' in outcome &&
    outcome.done === 'password' &&
    signedInWithCookie(identity) &&
    identity.name === outcome.subject
  );
}
