import { isTree, type Tree } from './layers.ts';

export interface InterpolationProblem {
  key: string;
  variable: string;
}

const REFERENCE = /\$\{ENV:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Replaces `${ENV:NAME}` in every string value; a reference to an unset variable is a problem. */
export function interpolateEnv(
  tree: Tree,
  env: NodeJS.ProcessEnv,
  problems: InterpolationProblem[],
  prefix = '',
): Tree {
  const result: Tree = {};
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isTree(value)) result[key] = interpolateEnv(value, env, problems, path);
    else if (typeof value === 'string') {
      result[key] = value.replace(REFERENCE, (_match, variable: string) => {
        const resolved = env[variable];
        if (resolved === undefined) {
          problems.push({ key: path, variable });
          return '';
        }
        return resolved;
      });
    } else result[key] = value;
  }
  return result;
}
