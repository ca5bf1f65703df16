import type pg from 'pg';
import { productNames, type ProductChoice } from '../db/lineMatchStore.ts';
import { html, type Word } from './text.ts';

/**
 * The NEX product cell of a line on the invoice page: the product matching found (code and
 * name when known), how sure and how it was found, and for an operator a labelled choice among
 * the products matching offered, confirmed by a button (the editor script sends it as
 * `POST /api/invoices/:id/lines/:line/match`). Lines are named by their stored number: that is
 * the row the choice is written to.
 */
export interface LineMatchView {
  gsCode: string | null;
  name: string | null;
  matchedBy: string | null;
  confidence: string | null;
  alternatives: ProductChoice[];
}

/** Each stored line's match, by line number, with the product names known from matching and supplier items. */
export async function lineMatchViews(
  pool: pg.Pool,
  stored: Array<Record<string, unknown>>,
): Promise<Map<number, LineMatchView>> {
  const current = stored.map((line) => line.nex_product_id).filter((code): code is string => typeof code === 'string');
  const known = await productNames(pool, current);
  return new Map(
    stored.map((line) => {
      const gsCode = (line.nex_product_id as string | null) ?? null;
      const alternatives = Array.isArray(line.match_alternatives) ? (line.match_alternatives as ProductChoice[]) : [];
      const offered = alternatives.find((choice) => choice.gs_code === gsCode)?.name;
      return [
        Number(line.line_number),
        {
          gsCode,
          name: offered ?? (gsCode ? (known.get(gsCode) ?? null) : null),
          matchedBy: (line.matched_by as string | null) ?? null,
          confidence: (line.match_confidence as string | null) ?? null,
          alternatives,
        },
      ];
    }),
  );
}

export function matchCell(
  t: (word: Word) => string,
  view: LineMatchView | undefined,
  line: number,
  editable: boolean,
): string {
  if (!view) return '<td class="match"></td>';
  const product = view.gsCode
    ? `<span class="product">${html(view.gsCode)}${view.name ? ` ${html(view.name)}` : ''}</span>`
    : `<span class="product none">${t('notMatched')}</span>`;
  const how = [
    view.matchedBy ? t(`matchedBy_${view.matchedBy}` as Word) : '',
    view.confidence === null ? '' : `${t('confidence')} ${percent(view.confidence)}`,
  ].filter(Boolean);
  const shown = `${product}${how.length ? `<br><small class="how">${html(how.join(' · '))}</small>` : ''}`;
  if (!editable || view.alternatives.length === 0) return `<td class="match">${shown}</td>`;
  return `<td class="match">${shown}<br>${picker(t, view, line)}</td>`;
}

function picker(t: (word: Word) => string, view: LineMatchView, line: number): string {
  const id = `match-${line}`;
  const choices = [
    ...(view.gsCode && !view.alternatives.some((choice) => choice.gs_code === view.gsCode)
      ? [
          {
            gs_code: view.gsCode,
            name: view.name,
            confidence: view.confidence === null ? null : Number(view.confidence),
          },
        ]
      : []),
    ...view.alternatives,
  ];
  const options = choices.map((choice) => {
    const sure = choice.confidence === null ? '' : ` (${percent(String(choice.confidence))})`;
    const selected = choice.gs_code === view.gsCode ? ' selected' : '';
    return `<option value="${html(choice.gs_code)}"${selected}>${html(`${choice.gs_code} ${choice.name ?? ''}`.trim() + sure)}</option>`;
  });
  const label = `${t('pickProduct')}, ${t('row')} ${line}`;
  return `<label for="${id}" class="pick">${html(label)}</label>
<select id="${id}" data-match-line="${line}"><option value=""${view.gsCode ? '' : ' selected'}>${t('noProduct')}</option>${options.join('')}</select>
<button type="button" data-do="match" data-line="${line}" data-label="${html(t('confirmProduct'))}">${t('confirmProduct')}</button>`;
}

/** A confidence of 0…1 as a whole percent; for the eye only (never a money value). */
function percent(confidence: string): string {
  const value = Number(confidence);
  return Number.isFinite(value) ? `${Math.round(value * 100)} %` : confidence;
}
