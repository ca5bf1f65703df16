import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ENV_PREFIX, envOverrides } from './envOverrides.ts';
import { interpolateEnv, type InterpolationProblem } from './interpolate.ts';
import { isTree, mergeLayer, setPath, sourceOf, type Sources, type Tree } from './layers.ts';

/**
 * The configuration's layers, before validation: defaults < user file < INVOICE_LOADER_*
 * variables, with ${ENV:…} resolved. Apart from load.ts so that a command which only needs the
 * daemon's address (src/config/daemonAddress.ts) does not load the schema and zod.
 */
export const DEFAULT_CONFIG_FILE = fileURLToPath(new URL('../../config/default.yaml', import.meta.url));

export interface ConfigProblem {
  key: string;
  problem: string;
  source: string;
}

export interface LoadOptions {
  /** A user config file (`--config`); falls back to INVOICE_LOADER_CONFIG. */
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

export interface ConfigTree {
  tree: Tree;
  /** The user file that was read, if any. */
  file: string | undefined;
  sources: Sources;
  problems: ConfigProblem[];
}

/** The merged, interpolated tree and what went wrong reading it. */
export function resolveConfigTree(options: LoadOptions = {}): ConfigTree {
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
  return { tree, file, sources, problems };
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
