import { readDaemonAddress } from '../config/daemonAddress.ts';
import type { Config } from '../config/schema.ts';

/**
 * The daemon's HTTP settings for a command that only talks to it: the light path, else the
 * full load (imported only then), which prints every problem and exits 1.
 */
export async function daemonAddressOrExit(file: string | undefined): Promise<Config['http']> {
  const light = readDaemonAddress({ file });
  if (light) return light;
  const { loadConfigOrExit } = await import('./configOption.ts');
  return loadConfigOrExit(file).config.http;
}
