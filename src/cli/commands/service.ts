import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CommandModule } from 'yargs';
import { maskEnvironment, parseEnvironmentFile } from '../../service/environmentFile.ts';
import { performSteps, runTool, systemStepRunner } from '../../service/performSteps.ts';
import { MANAGER_PLATFORM, SERVICE_MANAGERS, planService, type ServiceManager } from '../../service/servicePlan.ts';
import { describeStep, serviceSteps, type ServiceAction } from '../../service/serviceSteps.ts';
import { configOption, loadConfigOrExit } from '../configOption.ts';
import { exitOnFailure } from '../exitOnFailure.ts';

interface ServiceArgs {
  action: ServiceAction;
  manager: ServiceManager;
  name?: string;
  config?: string;
  'dry-run'?: boolean;
  user?: string;
  'env-file'?: string;
  'target-dir'?: string;
  tool?: string;
}

const INSTALL_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * `service install|uninstall|status`: renders the manager's files for this install (its
 * node, bin script, config and folders) and hands them to the manager. The rendering lives
 * in src/service/; this only gathers the inputs and prints or performs the steps.
 */
export const serviceCommand: CommandModule<object, ServiceArgs> = {
  command: 'service <action>',
  describe: 'install, remove or show the daemon as a service (NSSM, WinSW, systemd, supervisord)',
  builder: (y) =>
    y.positional('action', { choices: ['install', 'uninstall', 'status'] as const, demandOption: true }).options({
      ...configOption,
      manager: { choices: SERVICE_MANAGERS, demandOption: true, describe: 'the service manager' },
      name: { type: 'string', describe: 'service name (default: InvoiceLoader on Windows, invoice-loader on Linux)' },
      'dry-run': { type: 'boolean', describe: 'print the files and commands instead of installing' },
      user: { type: 'string', describe: 'account the daemon runs as (systemd, supervisor)' },
      'env-file': { type: 'string', describe: 'KEY=value file of secrets for the environment (PGPASSWORD, …)' },
      'target-dir': { type: 'string', describe: 'folder for the unit/conf/XML (default: the manager’s usual one)' },
      tool: { type: 'string', describe: 'path of nssm.exe or the WinSW executable (default: on PATH)' },
    }) as never,
  handler: async (argv) => {
    await exitOnFailure(async () => {
      const { config, file } = loadConfigOrExit(argv.config);
      const platform = MANAGER_PLATFORM[argv.manager];
      const envFile = argv['env-file'];
      const secrets = envFile ? parseEnvironmentFile(readFileSync(envFile, 'utf8')) : [];
      const plan = planService({
        name: argv.name ?? (platform === 'win32' ? 'InvoiceLoader' : 'invoice-loader'),
        config,
        configFile: file,
        installRoot: INSTALL_ROOT,
        nodeExecutable: process.execPath,
        platform,
        user: argv.user,
        environmentFile: envFile,
        environment: argv['dry-run'] ? maskEnvironment(secrets) : secrets,
      });
      const steps = serviceSteps(argv.manager, argv.action, plan, { targetDir: argv['target-dir'], tool: argv.tool });
      if (argv['dry-run']) {
        for (const step of steps) console.log(describeStep(step));
        return;
      }
      if (argv.action === 'status') {
        // The manager's own answer and exit code (systemctl: 3 = not running) are the status.
        const [query] = steps;
        if (query?.kind === 'run') process.exitCode = await runTool(systemStepRunner, query.program, query.args);
        return;
      }
      await performSteps(steps, systemStepRunner, { tolerateStopFailure: argv.action === 'uninstall' });
      if (argv.action === 'install') console.log(`Installed ${plan.name} (${argv.manager}).`);
      if (argv.action === 'uninstall') console.log(`Removed ${plan.name} (${argv.manager}).`);
    });
  },
};
