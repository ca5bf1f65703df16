import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { DEFAULT_CONFIG_FILE } from '../config/load.ts';
import { configSchema } from '../config/schema.ts';
import { renderNssmScript } from './nssmCommands.ts';
import { planService, type PlanInput } from './servicePlan.ts';
import { renderSupervisorProgram } from './supervisorProgram.ts';
import { renderSystemdUnit } from './systemdUnit.ts';
import { renderWinswXml } from './winswXml.ts';

/**
 * The files in service/: what `service install --dry-run` renders for a typical install
 * (C:\InvoiceLoader on Windows, /opt/invoice-loader on Linux) with the default config.
 * They are examples to read; `invoice-loader service install` renders the real ones.
 * A test keeps them equal to the renderers' output.
 */
export function exampleServiceFiles(): Record<string, string> {
  const config = configSchema.parse(parse(readFileSync(DEFAULT_CONFIG_FILE, 'utf8')));
  const windows: Omit<PlanInput, 'name'> = {
    config,
    configFile: 'C:\\InvoiceLoader\\config.yaml',
    installRoot: 'C:\\InvoiceLoader',
    nodeExecutable: 'C:\\Program Files\\nodejs\\node.exe',
    platform: 'win32',
    environmentFile: 'C:\\InvoiceLoader\\secrets.env',
  };
  const linux: Omit<PlanInput, 'name'> = {
    config,
    configFile: '/etc/invoice-loader/config.yaml',
    installRoot: '/opt/invoice-loader',
    nodeExecutable: '/usr/bin/node',
    platform: 'posix',
    user: 'invoice-loader',
    environmentFile: '/etc/invoice-loader/env',
  };
  const secretNames = [{ name: 'PGPASSWORD', value: '********' }];
  return {
    'service/nssm/install.ps1': renderNssmScript(planService({ ...windows, name: 'InvoiceLoader' })),
    'service/winsw/InvoiceLoader.xml': renderWinswXml(
      planService({ ...windows, name: 'InvoiceLoader', environment: secretNames }),
    ),
    'service/systemd/invoice-loader.service': renderSystemdUnit(planService({ ...linux, name: 'invoice-loader' })),
    'service/supervisor/invoice-loader.conf': renderSupervisorProgram(
      planService({ ...linux, name: 'invoice-loader', environment: secretNames }),
    ),
  };
}
