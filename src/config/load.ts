import { LoaderError } from '../errors.ts';
import { configSchema, type Config } from './schema.ts';
import { sourceOf, type Sources } from './layers.ts';
import { resolveConfigTree, type ConfigProblem, type LoadOptions } from './tree.ts';

export { DEFAULT_CONFIG_FILE, type ConfigProblem, type LoadOptions } from './tree.ts';

export interface LoadedConfig {
  config: Config;
  /** The user file that was read, if any. */
  file: string | undefined;
  /** For each leaf key: the file or environment variable that set it. */
  sources: Sources;
}

export class ConfigError extends LoaderError {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super(
      'CONFIG_INVALID',
      `The configuration has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map(formatProblem).join('\n'),
    );
    this.problems = problems;
  }
}

export function formatProblem(p: ConfigProblem): string {
  return `  - ${p.key}: ${p.problem} (${p.source})`;
}

/** Loads defaults < user file < INVOICE_LOADER_* variables, resolves ${ENV:…}, validates. */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const { tree, file, sources, problems } = resolveConfigTree(options);
  // reportInput: zod 4 leaves the offending value out of its issues otherwise, and a wrong type would read as missing.
  const parsed = configSchema.safeParse(tree, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path.join('.') || '(root)';
      const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys : [];
      if (unknownKeys.length) {
        for (const extra of unknownKeys) {
          const fullKey = issue.path.length ? `${key}.${extra}` : extra;
          problems.push({
            key: fullKey,
            problem: 'is not a known setting (misspelt?)',
            source: sourceOf(sources, fullKey) ?? 'unknown',
          });
        }
      } else {
        problems.push({ key, problem: describeIssue(issue), source: sourceOf(sources, key) ?? 'not set anywhere' });
      }
    }
  }
  if (problems.length || !parsed.success) throw new ConfigError(problems);
  return { config: parsed.data, file, sources };
}

function describeIssue(issue: { code: string; message: string; input?: unknown }): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required but missing';
  if (typeof issue.input === 'number' && Number.isNaN(issue.input)) return 'must be a number';
  return issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
}
