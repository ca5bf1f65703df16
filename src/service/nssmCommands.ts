import path from 'node:path';
import { powershellLiteral, windowsArgument } from './quoting.ts';
import { daemonArguments, stopWaitSeconds, type ServicePlan } from './servicePlan.ts';

export const NSSM_RESTART_DELAY_MS = 10_000;
/** A run shorter than this counts as a crash loop and NSSM delays the next start further. */
export const NSSM_THROTTLE_MS = 30_000;
export const NSSM_ROTATE_BYTES = 10 * 1024 * 1024;

/**
 * The nssm invocations (argument lists after `nssm`) that install the service. node.exe is
 * the application itself: npm or cmd in between would not pass Ctrl+C on, and the daemon's
 * ordered shutdown would be a kill. AppNoConsole stays 0: a service without a console gets
 * no Ctrl+C at all (the known trap), and NSSM would skip straight to killing it.
 */
export function nssmInstallCommands(plan: ServicePlan): string[][] {
  const name = plan.name;
  const set = (...args: string[]) => ['set', name, ...args];
  return [
    ['install', name, plan.nodeExecutable],
    set('AppParameters', daemonArguments(plan).map(windowsArgument).join(' ')),
    set('AppDirectory', plan.workingDirectory),
    set('DisplayName', 'Supplier Invoice Loader'),
    set('Description', plan.description),
    set('Start', 'SERVICE_AUTO_START'),
    set('AppNoConsole', '0'),
    // Ctrl+C first and wait longer than shutdown.timeoutMs; the window and thread methods are fallbacks.
    set('AppStopMethodSkip', '0'),
    set('AppStopMethodConsole', String(stopWaitSeconds(plan) * 1000)),
    set('AppStopMethodWindow', '5000'),
    set('AppStopMethodThreads', '5000'),
    set('AppKillProcessTree', '1'),
    set('AppExit', 'Default', 'Restart'),
    set('AppRestartDelay', String(NSSM_RESTART_DELAY_MS)),
    set('AppThrottle', String(NSSM_THROTTLE_MS)),
    set('AppStdout', path.win32.join(plan.logDir, 'service-stdout.log')),
    set('AppStderr', path.win32.join(plan.logDir, 'service-stderr.log')),
    set('AppStdoutCreationDisposition', '4'),
    set('AppStderrCreationDisposition', '4'),
    set('AppRotateFiles', '1'),
    set('AppRotateOnline', '1'),
    set('AppRotateBytes', String(NSSM_ROTATE_BYTES)),
    // Secrets reach the daemon's environment only, never its command line (visible to every user).
    ...(plan.environment.length
      ? [set('AppEnvironmentExtra', ...plan.environment.map((entry) => `${entry.name}=${entry.value}`))]
      : []),
  ];
}

export const nssmUninstallCommands = (plan: ServicePlan): string[][] => [
  ['stop', plan.name],
  ['remove', plan.name, 'confirm'],
];

export const nssmStatusCommand = (plan: ServicePlan): string[] => ['status', plan.name];

/**
 * The same commands as a PowerShell script an administrator can read before running it.
 * Secrets are read from the environment file at install time, so the script holds none.
 */
export function renderNssmScript(plan: ServicePlan): string {
  const withoutSecrets = { ...plan, environment: [] };
  const lines = [
    `# Installs the Windows service ${plan.name} with NSSM — rendered by`,
    '# `invoice-loader service install --manager nssm`; run in an elevated PowerShell.',
    '$ErrorActionPreference = "Stop"',
    '$Nssm = "nssm"',
    ...nssmInstallCommands(withoutSecrets).map((args) => `& $Nssm ${args.map(powershellLiteral).join(' ')}`),
  ];
  if (plan.environmentFile) {
    lines.push(
      '# Secrets (KEY=value lines) go to AppEnvironmentExtra, not the command line.',
      `$Secrets = @(Get-Content -LiteralPath ${powershellLiteral(plan.environmentFile)} | Where-Object { $_ -match '^[A-Za-z_][A-Za-z0-9_]*=' })`,
      `if ($Secrets.Count) { & $Nssm set ${powershellLiteral(plan.name)} AppEnvironmentExtra @Secrets }`,
    );
  }
  lines.push(`Write-Host "Installed ${plan.name}. Start it with: nssm start ${plan.name}"`);
  return `${lines.join('\r\n')}\r\n`;
}
