import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { LoaderError } from '../errors.ts';
import { configSchema, type Config } from './schema.ts';
import { ENV_PREFIX, envOverrides } from './envOverrides.ts';
import { interpolateEnv, type InterpolationProblem } from './interpolate.ts';
import { isTree, mergeLayer, setPath, sourceOf, type Sources, type Tree } from './layers.ts';

export const DEFAULT_CONFIG_FILE = fileURLToPath(new URL('../../config/default.yaml', import.meta.url));

export interface ConfigProblem {
  key: string;
  problem: string;
  source: string;
}

export interface LoadedConfig {
  config: Config;
  /** The user file that was read, if any. */
  file: string | undefined;
  /** For each leaf key: the file or environment variable that set it. */
  sources: Sources;
}

export interface LoadOptions {
  /** A user config file (`--config`); falls back to INVOICE_LOADER_CONFIG. */
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
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
  const env = options.env ?? process.env;
  const problems: ConfigProblem[] = [];
  const sources: Sources = new Map();

  const defaults = readYamlFile(DEFAULT_CONFIG_FILE, problems);
  let tree = mergeLayer({}, defaults, DEFAULT_CONFIG_FILE, sources);

  const requested = options.file ?? env.INVOICE_LOADER_CONFIG;
  const file = requested ? resolve(requested) : undefined;
  if (file) {
    if (!existsSync(file)) {
      const via = options.file ? '--config' : 'INVOICE_LOADER_CONFIG';
      problems.push({ key: '(file)', problem: `config file ${file} does not exist`, source: via });
    } else tree = mergeLayer(tree, readYamlFile(file, problems), file, sources);
  }

  const { overrides, unknown } = envOverrides(env, defaults);
  for (const variable of unknown) {
    problems.push({
      key: variable.slice(ENV_PREFIX.length),
      problem: 'does not name a config key',
      source: `environment ${variable}`,
    });
  }
  for (const override of overrides) {
    tree = setPath(tree, override.path, override.value);
    sources.set(override.path.join('.'), `environment ${override.variable}`);
  }

  const missing: InterpolationProblem[] = [];
  tree = interpolateEnv(tree, env, missing);
  for (const m of missing) {
    problems.push({
      key: m.key,
      problem: `refers to environment variable ${m.variable}, which is not set`,
      source: sourceOf(sources, m.key) ?? 'unknown',
    });
  }

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

function readYamlFile(path: string, problems: ConfigProblem[]): Tree {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    problems.push({ key: '(file)', problem: `cannot be read: ${(error as Error).message}`, source: path });
    return {};
  }
  const document = parseDocument(text, { prettyErrors: true });
  for (const error of document.errors) {
    const where = error.linePos?.[0] ? `${path}:${error.linePos[0].line}:${error.linePos[0].col}` : path;
    problems.push({ key: '(yaml)', problem: error.message.split('\n')[0] ?? 'invalid YAML', source: where });
  }
  if (document.errors.length) return {};
  const value: unknown = document.toJS();
  if (value === null || value === undefined) return {};
  if (!isTree(value)) {
    problems.push({ key: '(root)', problem: 'must be a mapping of sections', source: path });
    return {};
  }
  return value;
}
