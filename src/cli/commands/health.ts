import type { CommandModule } from 'yargs';
import { errorMessage } from '../../errors.ts';
import type { HealthReport } from '../../runtime/health.ts';
import { configOption } from '../configFlag.ts';
import { daemonAddressOrExit } from '../daemonAddressOption.ts';
import { daemonRequest } from '../daemonClient.ts';

export const healthCommand: CommandModule<object, { config?: string; json?: boolean }> = {
  command: 'health',
  describe: 'ask the running daemon how it is; exit 0 on pass or warn, 1 on fail or no answer',
  builder: (y) => y.options({ ...configOption, json: { type: 'boolean', describe: 'print the health+json document' } }),
  handler: async (argv) => {
    const http = await daemonAddressOrExit(argv.config);
    let report: HealthReport;
    try {
      report = (await (await daemonRequest(http, '/health')).json()) as HealthReport;
    } catch (error) {
      if (argv.json) console.log(JSON.stringify({ status: 'fail', output: errorMessage(error) }));
      else console.error(`fail: ${errorMessage(error)}`);
      process.exitCode = 1;
      return;
    }
    if (argv.json) console.log(JSON.stringify(report, null, 2));
    else {
      console.log(`${report.status} — ${report.description} ${report.version}`);
      for (const [name, checks] of Object.entries(report.checks)) {
        for (const check of checks) {
          const value =
            check.observedValue === undefined || check.observedValue === null
              ? ''
              : ` ${String(check.observedValue)}${check.observedUnit ?? ''}`;
          console.log(
            `  ${check.status.padEnd(4)} ${name}${check.componentId ? ` ${check.componentId}` : ''}${value}${check.output ? ` — ${check.output}` : ''}`,
          );
        }
      }
    }
    process.exitCode = report.status === 'fail' ? 1 : 0;
  },
};
