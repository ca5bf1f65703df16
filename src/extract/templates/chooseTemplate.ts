/**
 * Which template reads a document: among those whose keywords match, the highest priority
 * (then the most keywords found, then the id, so the choice never depends on file order);
 * when none matches, the fallback template.
 */
import { LoaderError } from '../../errors.ts';
import type { Template } from './template.ts';

export function chooseTemplate(text: string, templates: readonly Template[]): Template {
  const haystack = squeeze(text);
  const candidates = templates
    .filter((template) => !template.fallback || template.match.all.length + template.match.any.length > 0)
    .map((template) => ({ template, found: keywordsFound(template, haystack) }))
    .filter((candidate): candidate is { template: Template; found: number } => candidate.found !== null)
    .sort(
      (a, b) =>
        b.template.priority - a.template.priority || b.found - a.found || a.template.id.localeCompare(b.template.id),
    );
  const chosen = candidates[0]?.template ?? fallbackOf(templates);
  if (chosen === undefined)
    throw new LoaderError(
      'NO_TEMPLATE',
      'No extraction template matches this document and no fallback template is loaded; add a template for this supplier or restore config/templates/generic.yaml.',
    );
  return chosen;
}

/** How many keywords matched, or null when the template does not match at all. */
function keywordsFound(template: Template, haystack: string): number | null {
  const has = (keyword: string) => haystack.includes(squeeze(keyword));
  const { all, any, exclude } = template.match;
  if (all.length + any.length === 0) return null;
  if (!all.every(has)) return null;
  const anyFound = any.filter(has).length;
  if (any.length > 0 && anyFound === 0) return null;
  if (exclude.some(has)) return null;
  return all.length + anyFound;
}

function fallbackOf(templates: readonly Template[]): Template | undefined {
  return templates
    .filter((template) => template.fallback)
    .sort((a, b) => b.priority - a.priority || a.id.localeCompare(b.id))[0];
}

/** Keywords and text compared without letter case and spaces: "36 555 720" is "36555720". */
function squeeze(text: string): string {
  return text.toLowerCase().replace(/\s+/g, '');
}
