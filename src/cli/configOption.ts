import { ConfigError, loadConfig, type LoadedConfig } from '../config/load.ts';

export { configOption } from './configFlag.ts';

/** Loads the config for a CLI command; on problems prints every one and exits 1. */
export function loadConfigOrExit(file: string | undefined): LoadedConfig {
  try {
    return loadConfig({ file });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
