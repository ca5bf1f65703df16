/** The `--config` option every command takes; apart from configOption.ts so it costs no schema. */
export const configOption = {
  config: { type: 'string', describe: 'config file (default: INVOICE_LOADER_CONFIG, then only config/default.yaml)' },
} as const;
