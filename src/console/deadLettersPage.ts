import type pg from 'pg';
import type { Identity } from '../auth/identity.ts';
import { actorLabel } from '../auth/identity.ts';
import { roleAllows } from '../auth/roles.ts';
import { listDeadLetters, replayAllDeadLetters, replayDeadLetter } from '../db/deadLetters.ts';
import { html, words, type Lang } from './text.ts';

/**
 * Nedoručené / Dead letters: the invoices whose posting gave up, with the last error, and
 * (for operators and above) plain forms that replay one or all. The forms post to console
 * routes, so the page works without JavaScript; who replays is the session's person.
 */
export async function deadLettersPage(
  pool: pg.Pool,
  lang: Lang,
  options: { identity: Identity; csrf: string; replayed: number | null },
): Promise<string> {
  const t = words(lang);
  const letters = await listDeadLetters(pool);
  const canReplay = roleAllows(options.identity.role, 'operator');
  const csrfField = `<input type="hidden" name="_csrf" value="${html(options.csrf)}">`;
  const notice =
    options.replayed === null
      ? ''
      : `<p class="notice" role="status">${t('replayedCount')}: <strong>${options.replayed}</strong></p>`;
  const rows = letters.map(
    (letter) => `<tr data-id="${html(letter.id)}">
<td><a href="/invoices/${html(letter.id)}">${html(letter.invoice_number ?? letter.id)}</a></td>
<td>${html(letter.supplier_name)}</td>
<td><span class="amount">${html(letter.total_gross)}</span> ${html(letter.currency)}</td>
<td>${letter.attempts}</td>
<td class="error">${html(letter.last_error)}</td>
<td><time datetime="${html(letter.dead_since)}">${html(letter.dead_since)}</time></td>
${
  canReplay
    ? `<td><form method="post" action="/dead-letters/${html(letter.id)}/replay">${csrfField}<button type="submit" aria-label="${t('replay')} ${html(letter.invoice_number ?? letter.id)}">${t('replay')}</button></form></td>`
    : ''
}</tr>`,
  );
  const table =
    letters.length === 0
      ? `<p>${t('none')}</p>`
      : `<table id="dead-letters"><thead><tr><th scope="col">${t('invoice')}</th><th scope="col">${t('supplier')}</th><th scope="col">${t('gross')}</th><th scope="col">${t('attempts')}</th><th scope="col">${t('lastError')}</th><th scope="col">${t('since')}</th>${canReplay ? '<th></th>' : ''}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`;
  const replayAll =
    canReplay && letters.length > 0
      ? `<form method="post" action="/dead-letters/replay-all">${csrfField}<button type="submit">${t('replayAll')}</button></form>`
      : '';
  return `<h1>${t('deadLetters')}</h1>${notice}${table}${replayAll}`;
}

/** How many the replay put back; the page after the redirect says so. */
export async function replayFromConsole(
  pool: pg.Pool,
  identity: Identity,
  which: { id: string } | 'all',
): Promise<number> {
  const actor = actorLabel(identity);
  const replays =
    which === 'all' ? await replayAllDeadLetters(pool, actor) : [await replayDeadLetter(pool, which.id, actor)];
  return replays.filter((replay) => replay.replayed).length;
}
