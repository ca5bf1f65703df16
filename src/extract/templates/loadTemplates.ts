/**
 * Reads every *.yaml / *.yml template from the given folders, in order: a template in a later
 * folder replaces one with the same id from an earlier folder, so a user folder can override a
 * shipped template without editing it. Every problem names the file and the key; all problems
 * are reported together, so fixing a template does not take one restart per typo.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isPair, isScalar, parseDocument, visit, type Document } from 'yaml';
import { LoaderError } from '../../errors.ts';
import { compileTemplate, TemplateKeyError } from './compileTemplate.ts';
import type { Template } from './template.ts';
import type { z } from 'zod';
import { templateSchema, type TemplateSpec } from './templateSchema.ts';

export interface TemplateProblem {
  file: string;
  key: string;
  message: string;
}

interface ReadSpec {
  spec: TemplateSpec;
  file: string;
}

export function loadTemplates(dirs: string[]): Template[] {
  const problems: TemplateProblem[] = [];
  const byId = new Map<string, ReadSpec>();
  for (const dir of dirs) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      problems.push({ file: dir, key: '(folder)', message: 'the template folder does not exist' });
      continue;
    }
    const seenHere = new Map<string, string>();
    for (const name of readdirSync(dir)
      .filter((entry) => /\.ya?ml$/i.test(entry))
      .sort()) {
      const file = path.join(dir, name);
      const spec = readSpec(file, problems);
      if (spec === null) continue;
      const earlier = seenHere.get(spec.id);
      if (earlier !== undefined) {
        problems.push({ file, key: 'id', message: `the id "${spec.id}" is already used by ${earlier}` });
        continue;
      }
      seenHere.set(spec.id, file);
      byId.set(spec.id, { spec, file });
    }
  }

  const templates: Template[] = [];
  for (const { spec, file } of byId.values()) {
    try {
      templates.push(compileTemplate(withParents(spec, byId), file));
    } catch (error) {
      if (!(error instanceof TemplateKeyError)) throw error;
      problems.push({ file, key: error.key, message: error.message });
    }
  }
  if (problems.length > 0) throw invalid(problems);
  return templates;
}

function readSpec(file: string, problems: TemplateProblem[]): TemplateSpec | null {
  let document: Document;
  try {
    document = parseDocument(readFileSync(file, 'utf8'));
  } catch (error) {
    problems.push({ file, key: '(file)', message: (error as Error).message });
    return null;
  }
  if (document.errors.length > 0) {
    problems.push({ file, key: '(yaml)', message: document.errors[0]!.message.split('\n')[0]! });
    return null;
  }
  keepKeywordsAsPrinted(document);
  const result = templateSchema.safeParse(document.toJS());
  if (result.success) return result.data;
  for (const issue of result.error.issues) problems.push(...describe(issue, [], file));
  return null;
}

/**
 * Keywords are usually identification numbers written without quotes (`all: [36555720]`),
 * which YAML reads as numbers, dropping leading zeros (IČO 00151653). Under `match` every
 * number is taken as the text it was written as.
 */
function keepKeywordsAsPrinted(document: Document): void {
  visit(document, {
    Scalar(_key, node, path) {
      const underMatch = path.some(
        (ancestor) => isPair(ancestor) && isScalar(ancestor.key) && ancestor.key.value === 'match',
      );
      if (underMatch && typeof node.value === 'number' && typeof node.source === 'string') node.value = node.source;
    },
  });
}

type Issue = z.core.$ZodIssue;

/**
 * The problems one zod issue stands for. For a key that may take several shapes (a field is a
 * regex, a list of patterns or an object), the shape the template evidently meant is the one
 * whose own keys are wrong, not the shapes of another type, so its messages are the ones shown.
 */
function describe(issue: Issue, prefix: PropertyKey[], file: string): TemplateProblem[] {
  const at = [...prefix, ...issue.path];
  if (issue.code === 'unrecognized_keys')
    return issue.keys.map((extra) => ({ file, key: formatKey([...at, extra]), message: 'unknown key (a typo?)' }));
  if (issue.code === 'invalid_union') {
    const meant = issue.errors.find((branch) =>
      branch.some((inner) => inner.path.length > 0 || inner.code !== 'invalid_type'),
    );
    if (meant !== undefined) return meant.flatMap((inner) => describe(inner, at, file));
  }
  return [{ file, key: formatKey(at), message: issue.message }];
}

/** The spec with its `extends` chain applied: the child's own keys win, fields and sections merge. */
function withParents(spec: TemplateSpec, byId: Map<string, ReadSpec>, chain: string[] = []): TemplateSpec {
  if (spec.extends === undefined) return spec;
  if (chain.includes(spec.id) || spec.extends === spec.id)
    throw new TemplateKeyError(
      'extends',
      `templates extend each other in a circle: ${[...chain, spec.id, spec.extends].join(' → ')}`,
    );
  const parentRead = byId.get(spec.extends);
  if (parentRead === undefined) throw new TemplateKeyError('extends', `no template has the id "${spec.extends}"`);
  const parent = withParents(parentRead.spec, byId, [...chain, spec.id]);
  return {
    ...spec,
    numbers: spec.numbers ?? parent.numbers,
    dates: spec.dates ?? parent.dates,
    sections: { ...parent.sections, ...spec.sections },
    fields: { ...parent.fields, ...spec.fields },
    vat_breakdown: spec.vat_breakdown ?? parent.vat_breakdown,
    lines: spec.lines ?? parent.lines,
  };
}

function formatKey(pathParts: readonly PropertyKey[]): string {
  if (pathParts.length === 0) return '(top level)';
  return pathParts
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

function invalid(problems: TemplateProblem[]): LoaderError {
  const described = problems.map((problem) => `${problem.file}: ${problem.key}: ${problem.message}`);
  return new LoaderError(
    'TEMPLATE_INVALID',
    `Extraction templates cannot be used until fixed: ${described.join('; ')}.`,
    { details: { problems } },
  );
}
