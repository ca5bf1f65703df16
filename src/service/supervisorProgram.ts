import { supervisorEnvironmentValue, supervisorWord } from './quoting.ts';
import { daemonArguments, stopWaitSeconds, type ServicePlan } from './servicePlan.ts';

/**
 * The supervisord program. stopasgroup/killasgroup: the embedded PostgreSQL is a child of
 * the daemon, and a stop or kill that reached only node would leave it running on the data folder.
 */
export function renderSupervisorProgram(plan: ServicePlan): string {
  const command = [plan.nodeExecutable, ...daemonArguments(plan)].map(supervisorWord).join(' ');
  const lines = [
    `; ${plan.name}.conf — rendered by \`invoice-loader service install --manager supervisor\`; do not edit by hand.`,
    `[program:${plan.name}]`,
    `directory=${plan.workingDirectory}`,
    `command=${command}`,
    ...(plan.user ? [`user=${plan.user}`] : []),
    ...(plan.environment.length
      ? [
          `environment=${plan.environment.map((entry) => `${entry.name}=${supervisorEnvironmentValue(entry.value)}`).join(',')}`,
        ]
      : []),
    'autostart=true',
    '; Exit 0 is a requested stop; anything else (1 = the root supervisor gave up) is restarted.',
    'autorestart=unexpected',
    'exitcodes=0',
    'startsecs=10',
    'startretries=5',
    'stopsignal=TERM',
    `; Above shutdown.timeoutMs (${plan.shutdownTimeoutMs} ms), so the ordered shutdown is never cut short.`,
    `stopwaitsecs=${stopWaitSeconds(plan)}`,
    'stopasgroup=true',
    'killasgroup=true',
    '; The daemon writes its own rotating JSON logs in logging.dir; this only catches early failures.',
    `stdout_logfile=${plan.logDir}/service-stdout.log`,
    'stdout_logfile_maxbytes=10MB',
    'stdout_logfile_backups=5',
    'redirect_stderr=true',
  ];
  return `${lines.join('\n')}\n`;
}
