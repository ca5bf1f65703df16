import { secretKeyPattern } from './schema.ts';
import { isTree, type Tree } from './layers.ts';

export const REDACTED = '[redacted]';

/** A copy of the config fit for printing: secret values replaced, passwords cut out of URLs. */
export function redactConfig<T extends Tree>(tree: T, prefix = ''): T {
  const result: Tree = {};
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isTree(value)) result[key] = redactConfig(value, path);
    else if (typeof value === 'string' && value !== '' && secretKeyPattern.test(key)) result[key] = REDACTED;
    else if (typeof value === 'string') result[key] = redactUrl(value);
    else result[key] = value;
  }
  return result as T;
}

/** postgres://user:secret@host/db → postgres://user:[redacted]@host/db */
export function redactUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+):[^@\s]*@/i, `$1:${REDACTED}@`);
}
