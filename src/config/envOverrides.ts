import { parse as parseYaml } from 'yaml';
import { isTree, type Tree } from './layers.ts';

export const ENV_PREFIX = 'INVOICE_LOADER_';
/** Variables with the prefix that are not config keys. */
const RESERVED = new Set([
  'INVOICE_LOADER_CONFIG',
  'INVOICE_LOADER_NODE_VERSION',
  'INVOICE_LOADER_NODE_CACHE',
  'INVOICE_LOADER_BACKUP_PASSPHRASE', // read by `config backup` and `config restore`, never a setting
]);

export interface EnvOverride {
  variable: string;
  path: string[];
  value: unknown;
}

export interface EnvOverrideResult {
  overrides: EnvOverride[];
  unknown: string[];
}

/**
 * Maps INVOICE_LOADER_* variables onto keys of the known config tree. Levels are separated
 * by `__`, or by `_` where that is unambiguous; within a level the underscores of a
 * camelCase key may be written or left out (HEARTBEAT__INTERVAL_MS, HEARTBEAT_INTERVALMS).
 */
export function envOverrides(env: NodeJS.ProcessEnv, known: Tree): EnvOverrideResult {
  const overrides: EnvOverride[] = [];
  const unknown: string[] = [];
  for (const [variable, raw] of Object.entries(env)) {
    if (!variable.startsWith(ENV_PREFIX) || RESERVED.has(variable) || raw === undefined) continue;
    const words = variable.slice(ENV_PREFIX.length).toLowerCase().split('_');
    const path = resolveKeyPath(words, known);
    if (!path) {
      unknown.push(variable);
      continue;
    }
    overrides.push({ variable, path, value: coerce(raw, valueAt(known, path)) });
  }
  return { overrides, unknown };
}

function resolveKeyPath(words: string[], node: unknown): string[] | undefined {
  if (words.length === 0) return [];
  if (!isTree(node)) return undefined;
  for (let take = 1; take <= words.length; take++) {
    const wanted = words.slice(0, take).join('');
    if (wanted === '') continue; // a `__` separator
    const key = Object.keys(node).find((k) => k.toLowerCase() === wanted);
    if (key === undefined) continue;
    const rest = resolveKeyPath(dropSeparator(words.slice(take)), node[key]);
    if (rest) return [key, ...rest];
  }
  return undefined;
}

function dropSeparator(words: string[]): string[] {
  return words[0] === '' ? words.slice(1) : words;
}

function valueAt(tree: Tree, path: string[]): unknown {
  let node: unknown = tree;
  for (const key of path) node = isTree(node) ? node[key] : undefined;
  return node;
}

function coerce(raw: string, current: unknown): unknown {
  if (typeof current === 'string') return raw;
  if (typeof current === 'number') return raw.trim() === '' ? raw : Number(raw);
  if (typeof current === 'boolean') {
    if (/^(true|1|yes|on)$/i.test(raw)) return true;
    if (/^(false|0|no|off)$/i.test(raw)) return false;
    return raw;
  }
  try {
    return parseYaml(raw) as unknown;
  } catch {
    return raw;
  }
}
