import type pg from 'pg';
import { listTokenRecords, type TokenRecord } from '../auth/apiTokens.ts';
import { listPeople } from '../auth/people.ts';
import { INTEGRATION_ROLES } from '../auth/roles.ts';
import { outcomeNotice } from './adminOutcome.ts';
import { roleOptions, timeCell } from './peoplePage.ts';
import type { Created } from './tokenChanges.ts';
import { html, words, type Lang } from './text.ts';

/**
 * Tokeny / Tokens (admins): the live tokens and the latest revoked ones (never a token itself:
 * only its digest is stored), a revoke form per live token, and two forms that create one — a
 * person's token, or an integration token whose role can never be approver. The created token
 * is shown once, on the page that answers the form.
 */
function tokenRow(token: TokenRecord, lang: Lang, csrfField: string): string {
  const t = words(lang);
  const label = html(token.label);
  const owner = token.person ? html(token.person) : `${t('integration')}: ${html(token.role)}`;
  const revoke = token.revoked_at
    ? ''
    : `<form method="post" action="/tokens/revoke">${csrfField}<input type="hidden" name="label" value="${label}"><button type="submit" aria-label="${t('revoke')} ${label}">${t('revoke')}</button></form>`;
  return `<tr data-token="${label}"${token.revoked_at ? ' class="revoked"' : ''}>
<th scope="row">${label}</th><td>${owner}</td>
<td>${timeCell(token.created_at, '')}</td><td>${timeCell(token.last_used_at, t('never'))}</td>
<td>${timeCell(token.revoked_at, '')}</td><td>${revoke}</td></tr>`;
}

function createForms(lang: Lang, csrfField: string, people: string[]): string {
  const t = words(lang);
  const label = `<label>${t('tokenLabel')} <input name="label" required maxlength="64" autocomplete="off"></label>`;
  const personOptions = people.map((name) => `<option value="${html(name)}">${html(name)}</option>`).join('');
  return `<h2>${t('createToken')}</h2>
<form class="filters" id="person-token" method="post" action="/tokens">${csrfField}
<strong>${t('personToken')}</strong>${label}
<label>${t('person')} <select name="person" required>${personOptions}</select></label>
<button type="submit">${t('createToken')}</button></form>
<form class="filters" id="integration-token" method="post" action="/tokens">${csrfField}
<strong>${t('integrationToken')}</strong>${label}
<label>${t('roleColumn')} <select name="role">${roleOptions(lang, INTEGRATION_ROLES, 'operator')}</select></label>
<button type="submit">${t('createToken')}</button></form>`;
}

export async function tokensPage(
  pool: pg.Pool,
  lang: Lang,
  options: { csrf: string; query: Record<string, unknown> | undefined },
): Promise<string> {
  const t = words(lang);
  const tokens = await listTokenRecords(pool);
  const enabled = (await listPeople(pool)).filter((person) => !person.disabled).map((person) => person.name);
  const csrfField = `<input type="hidden" name="_csrf" value="${html(options.csrf)}">`;
  const head = ['tokenLabel', 'actsAs', 'created', 'lastUsed', 'revoked'] as const;
  const table =
    tokens.length === 0
      ? `<p>${t('none')}</p>`
      : `<table id="tokens"><thead><tr>${head.map((word) => `<th scope="col">${t(word)}</th>`).join('')}<th></th></tr></thead><tbody>
${tokens.map((token) => tokenRow(token, lang, csrfField)).join('\n')}
</tbody></table>`;
  return `<h1>${t('tokens')}</h1>${outcomeNotice(options.query, lang)}${table}${createForms(lang, csrfField, enabled)}`;
}

/** The answer to the create form: the token, once, with the warning that it is not shown again. */
export function tokenCreatedPage(created: Created, lang: Lang): string {
  const t = words(lang);
  const owner =
    'person' in created.owner ? html(created.owner.person) : `${t('integration')}: ${html(created.owner.role)}`;
  return `<h1>${t('tokenCreated')}</h1>
<p class="notice" role="status">${t('tokenLabel')}: <strong>${html(created.label)}</strong> · ${t('actsAs')}: ${owner}</p>
<p class="error" role="alert">${t('tokenShownOnce')}</p>
<label for="new-token">${t('tokenCreated')}</label>
<input id="new-token" readonly size="60" value="${html(created.token)}">
<p><a href="/tokens">${t('backToTokens')}</a></p>`;
}
