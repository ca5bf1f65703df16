import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Config } from '../config/schema.ts';
import { makePrivateFolder, PRIVATE_FILE_MODE } from '../runtime/privateFiles.ts';

/**
 * The API token: `http.token` when set; otherwise a random one kept in `http.tokenFile`
 * (created once, readable only by its owner), which the CLI reads to talk to the daemon.
 */
export function resolveHttpToken(http: Config['http'], create = true): string | undefined {
  if (http.token) return http.token;
  const file = resolve(http.tokenFile);
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing) return existing;
  } catch {
    if (!create) return undefined;
  }
  if (!create) return undefined;
  const token = randomBytes(24).toString('base64url');
  makePrivateFolder(dirname(file));
  writeFileSync(file, `${token}\n`, { mode: PRIVATE_FILE_MODE });
  return token;
}
