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

/**
 * postgres://user:secret@host/db → postgres://user:[redacted]@host/db. The user info ends at
 * the last `@` of the authority (as URL parsers and pg read it), so a password holding an `@`
 * is hidden whole; a `password=` query parameter is hidden too.
 */
export function redactUrl(value: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is.exec(value);
  if (!match) return value;
  const [, scheme, authority = '', rest = ''] = match;
  const at = authority.lastIndexOf('@');
  const colon = authority.slice(0, Math.max(at, 0)).indexOf(':');
  const hiddenAuthority =
    at >= 0 && colon >= 0 ? `${authority.slice(0, colon)}:${REDACTED}${authority.slice(at)}` : authority;
  return scheme + hiddenAuthority + rest.replace(/([?&](?:ssl)?password=)[^&#]*/gi, `$1${REDACTED}`);
}
