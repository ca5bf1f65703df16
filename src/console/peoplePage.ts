import type pg from 'pg';
import type { Identity } from '../auth/identity.ts';
import { listPeople, type Person } from '../auth/people.ts';
import { MIN_PASSWORD_LENGTH } from '../auth/passwords.ts';
import { ROLES, type Role } from '../auth/roles.ts';
import { outcomeNotice } from './adminOutcome.ts';
import { html, words, type Lang, type Word } from './text.ts';

/**
 * Ľudia / People (admins): who signs in, with what role, and plain POST forms (CSRF token, no
 * JavaScript needed) to add a person, change a role, disable or enable, and set a password.
 * The admin's own row offers no disable and no role change: the server refuses both anyway.
 */
const ROLE_WORDS: Record<Role, Word> = {
  viewer: 'roleViewer',
  operator: 'roleOperator',
  approver: 'roleApprover',
  admin: 'roleAdmin',
};

export function roleOptions(lang: Lang, roles: readonly Role[], selected?: Role): string {
  const t = words(lang);
  return roles
    .map(
      (role) =>
        `<option value="${role}"${role === selected ? ' selected' : ''}>${html(t(ROLE_WORDS[role]))} (${role})</option>`,
    )
    .join('');
}

export function timeCell(iso: string | null, none: string): string {
  return iso ? `<time datetime="${html(iso)}">${html(iso)}</time>` : none;
}

/** A lockout that has run out stays in the row until the next sign-in; it locks nobody, so it is not shown. */
function lockedNow(person: Person): string | null {
  return person.locked_until && Date.parse(person.locked_until) > Date.now() ? person.locked_until : null;
}

function personRow(person: Person, lang: Lang, csrfField: string, self: boolean): string {
  const t = words(lang);
  const name = html(person.name);
  const action = (what: string) => `/people/${encodeURIComponent(person.name)}/${what}`;
  const roleCell = self
    ? `${html(t(ROLE_WORDS[person.role]))} (${person.role})`
    : `<form method="post" action="${action('role')}">${csrfField}<select name="role" aria-label="${t('roleColumn')}: ${name}">${roleOptions(lang, ROLES, person.role)}</select> <button type="submit">${t('changeRole')}</button></form>`;
  const toggle = person.disabled
    ? `<form method="post" action="${action('enable')}">${csrfField}<button type="submit" aria-label="${t('enable')} ${name}">${t('enable')}</button></form>`
    : self
      ? ''
      : `<form method="post" action="${action('disable')}">${csrfField}<button type="submit" aria-label="${t('disable')} ${name}">${t('disable')}</button></form>`;
  const password = `<form method="post" action="${action('password')}">${csrfField}<input type="password" name="password" aria-label="${t('newPassword')}: ${name}" minlength="${MIN_PASSWORD_LENGTH}" autocomplete="new-password" required> <button type="submit">${t('setPassword')}</button></form>`;
  return `<tr data-person="${name}">
<th scope="row">${name}${self ? ` (${t('you')})` : ''}</th>
<td>${html(person.display_name)}</td>
<td>${roleCell}</td>
<td>${person.disabled ? t('yes') : t('no')}${person.has_password ? '' : ` · ${t('noPassword')}`} ${toggle}</td>
<td>${timeCell(person.last_sign_in_at, t('never'))}</td>
<td>${timeCell(lockedNow(person), '')}</td>
<td>${password}</td>
</tr>`;
}

function addForm(lang: Lang, csrfField: string): string {
  const t = words(lang);
  return `<h2>${t('addPerson')}</h2>
<form class="filters" id="add-person" method="post" action="/people">${csrfField}
<label>${t('signInName')} <input name="name" required maxlength="64" autocomplete="off" autocapitalize="none"></label>
<label>${t('displayName')} <input name="display_name" maxlength="200"></label>
<label>${t('roleColumn')} <select name="role">${roleOptions(lang, ROLES, 'viewer')}</select></label>
<label>${t('initialPassword')} (${MIN_PASSWORD_LENGTH}+) <input type="password" name="password" minlength="${MIN_PASSWORD_LENGTH}" autocomplete="new-password" required></label>
<button type="submit">${t('addPerson')}</button>
</form>`;
}

export async function peoplePage(
  pool: pg.Pool,
  lang: Lang,
  options: { identity: Identity; csrf: string; query: Record<string, unknown> | undefined },
): Promise<string> {
  const t = words(lang);
  const people = await listPeople(pool);
  const csrfField = `<input type="hidden" name="_csrf" value="${html(options.csrf)}">`;
  const self = (person: Person) => options.identity.kind === 'person' && options.identity.name === person.name;
  const head = [
    'signInName',
    'displayName',
    'roleColumn',
    'disabled',
    'lastSignIn',
    'lockedUntil',
    'newPassword',
  ] as const;
  return `<h1>${t('people')}</h1>${outcomeNotice(options.query, lang)}
<table id="people"><thead><tr>${head.map((word) => `<th scope="col">${t(word)}</th>`).join('')}</tr></thead><tbody>
${people.map((person) => personRow(person, lang, csrfField, self(person))).join('\n')}
</tbody></table>
${addForm(lang, csrfField)}`;
}
