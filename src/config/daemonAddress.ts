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
  const { enabled, host, port, token, tokenFile, openHealth, openMetrics } = http;
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
    Object.keys(http).length === 7;
  return valid ? { enabled, host, port: port as number, token, tokenFile, openHealth, openMetrics } : undefined;
}
