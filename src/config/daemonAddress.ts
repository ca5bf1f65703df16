import type { Config } from './schema.ts';
import { isTree } from './layers.ts';
import { resolveConfigTree, type LoadOptions } from './tree.ts';

/**
 * The `http` section alone, for commands that only talk to the running daemon (`health`):
 * the same layers as loadConfig, without the schema and zod, which cost such a command a
 * third of its time (issue 18.9). Undefined when anything is off (a problem in the layers, a
 * value of the wrong shape): the caller then loads the whole configuration, which explains it.
 */
export function readDaemonAddress(options: LoadOptions = {}): Config['http'] | undefined {
  const { tree, problems } = resolveConfigTree(options);
  const http = tree.http;
  if (problems.length || !isTree(http)) return undefined;
  const { enabled, host, port, token, tokenFile, openHealth, openMetrics, tls, uploadRateLimit } = http;
  const valid =
    typeof enabled === 'boolean' &&
    typeof host === 'string' &&
    host !== '' &&
    Number.isInteger(port) &&
    (port as number) >= 0 &&
    (port as number) <= 65_535 &&
    typeof token === 'string' &&
    typeof tokenFile === 'string' &&
    tokenFile !== '' &&
    typeof openHealth === 'boolean' &&
    typeof openMetrics === 'boolean' &&
    validTls(tls) &&
    validRateLimit(uploadRateLimit) &&
    Object.keys(http).every((key) => KNOWN_KEYS.has(key));
  if (!valid) return undefined;
  return {
    enabled,
    host,
    port: port as number,
    token,
    tokenFile,
    openHealth,
    openMetrics,
    tls: tls as Config['http']['tls'],
    uploadRateLimit: uploadRateLimit as Config['http']['uploadRateLimit'],
  };
}

const KNOWN_KEYS = new Set([
  'enabled',
  'host',
  'port',
  'token',
  'tokenFile',
  'openHealth',
  'openMetrics',
  'tls',
  'uploadRateLimit',
]);

function validTls(tls: unknown): boolean {
  if (tls === undefined) return true;
  if (!isTree(tls)) return false;
  const keys = Object.keys(tls);
  return (
    keys.length === 3 &&
    typeof tls.cert === 'string' &&
    typeof tls.key === 'string' &&
    typeof tls.passphrase === 'string'
  );
}

function validRateLimit(limit: unknown): boolean {
  if (limit === undefined) return true;
  if (!isTree(limit)) return false;
  const { max, windowMs } = limit;
  return (
    Object.keys(limit).length === 2 &&
    Number.isInteger(max) &&
    (max as number) >= 1 &&
    Number.isInteger(windowMs) &&
    (windowMs as number) >= 1
  );
}
