import { windowsArgument, xmlText } from './quoting.ts';
import { daemonArguments, stopWaitSeconds, type ServicePlan } from './servicePlan.ts';

/** Restart delays after the first, second and later failures; the count resets after a calm hour. */
export const WINSW_RESTART_DELAYS = ['10 sec', '30 sec', '60 sec'] as const;

/**
 * The WinSW (v2/v3) service definition. WinSW stops the service by sending Ctrl+C to node.exe
 * and waits stoptimeout before killing the process tree, so the ordered shutdown runs as on Linux.
 */
export function renderWinswXml(plan: ServicePlan): string {
  const args = daemonArguments(plan).map(windowsArgument).join(' ');
  const lines = [
    '<!-- Rendered by `invoice-loader service install --manager winsw`; render again instead of editing. -->',
    '<service>',
    `  <id>${xmlText(plan.name)}</id>`,
    `  <name>${xmlText(plan.name)}</name>`,
    `  <description>${xmlText(plan.description)}</description>`,
    `  <executable>${xmlText(plan.nodeExecutable)}</executable>`,
    `  <arguments>${xmlText(args)}</arguments>`,
    `  <workingdirectory>${xmlText(plan.workingDirectory)}</workingdirectory>`,
    '  <startmode>Automatic</startmode>',
    '  <delayedAutoStart>true</delayedAutoStart>',
    `  <!-- Above shutdown.timeoutMs (${plan.shutdownTimeoutMs} ms), so the ordered shutdown is never cut short. -->`,
    `  <stoptimeout>${stopWaitSeconds(plan)} sec</stoptimeout>`,
    ...WINSW_RESTART_DELAYS.map((delay) => `  <onfailure action="restart" delay="${delay}"/>`),
    '  <resetfailure>1 hour</resetfailure>',
    ...plan.environment.map((entry) => `  <env name="${xmlText(entry.name)}" value="${xmlText(entry.value)}"/>`),
    '  <!-- The daemon writes its own rotating JSON logs in logging.dir; these only catch early failures. -->',
    `  <logpath>${xmlText(plan.logDir)}</logpath>`,
    '  <log mode="roll-by-size">',
    '    <sizeThreshold>10240</sizeThreshold>',
    '    <keepFiles>5</keepFiles>',
    '  </log>',
    '</service>',
  ];
  return `${lines.join('\r\n')}\r\n`;
}
