import path from 'node:path';
import { nssmInstallCommands, nssmStatusCommand, nssmUninstallCommands } from './nssmCommands.ts';
import { MANAGER_PLATFORM, type ServiceManager, type ServicePlan } from './servicePlan.ts';
import { renderSupervisorProgram } from './supervisorProgram.ts';
import { renderSystemdUnit } from './systemdUnit.ts';
import { renderWinswXml } from './winswXml.ts';

export type ServiceAction = 'install' | 'uninstall' | 'status';

/** One thing an install does; a dry run prints the list, a real run performs it in order. */
export type ServiceStep =
  | { kind: 'mkdir'; path: string }
  | { kind: 'write'; path: string; content: string; mode: number }
  | { kind: 'remove'; path: string }
  | { kind: 'run'; program: string; args: string[] };

export interface StepOptions {
  /** Where the manager's file goes: the systemd unit folder, supervisord's conf.d, WinSW's XML folder. */
  targetDir?: string | undefined;
  /** The nssm or WinSW executable (default: found on PATH). */
  tool?: string | undefined;
}

export const DEFAULT_TARGET_DIRS: Record<ServiceManager, (plan: ServicePlan) => string> = {
  systemd: () => '/etc/systemd/system',
  supervisor: () => '/etc/supervisor/conf.d',
  winsw: (plan) => path.win32.join(plan.workingDirectory, 'service'),
  nssm: () => '',
};

/** The file a manager reads, with its content; NSSM keeps its settings in the registry instead. */
export function serviceFile(
  manager: ServiceManager,
  plan: ServicePlan,
  targetDir = DEFAULT_TARGET_DIRS[manager](plan),
): { path: string; content: string; mode: number } | undefined {
  const p = MANAGER_PLATFORM[manager] === 'win32' ? path.win32 : path.posix;
  switch (manager) {
    case 'systemd':
      return { path: p.join(targetDir, `${plan.name}.service`), content: renderSystemdUnit(plan), mode: 0o644 };
    case 'supervisor':
      // 0600: the program's environment= line holds the secrets.
      return { path: p.join(targetDir, `${plan.name}.conf`), content: renderSupervisorProgram(plan), mode: 0o600 };
    case 'winsw':
      return { path: p.join(targetDir, `${plan.name}.xml`), content: renderWinswXml(plan), mode: 0o600 };
    case 'nssm':
      return undefined;
  }
}

export function serviceSteps(
  manager: ServiceManager,
  action: ServiceAction,
  plan: ServicePlan,
  options: StepOptions = {},
): ServiceStep[] {
  const file = serviceFile(manager, plan, options.targetDir ?? DEFAULT_TARGET_DIRS[manager](plan));
  const run = (program: string, ...args: string[]): ServiceStep => ({ kind: 'run', program, args });
  const folders: ServiceStep[] = plan.writableDirs.map((dir) => ({ kind: 'mkdir', path: dir }));
  const tool = options.tool ?? manager;
  switch (manager) {
    case 'systemd':
      if (action === 'status') return [run('systemctl', 'status', '--no-pager', plan.name)];
      if (action === 'install') {
        // ProtectSystem=strict fails the start when a ReadWritePaths folder is missing: create them first.
        return [
          ...folders,
          { kind: 'write', ...file! },
          run('systemctl', 'daemon-reload'),
          run('systemctl', 'enable', plan.name),
        ];
      }
      return [
        run('systemctl', 'disable', '--now', plan.name),
        { kind: 'remove', path: file!.path },
        run('systemctl', 'daemon-reload'),
      ];
    case 'supervisor':
      if (action === 'status') return [run('supervisorctl', 'status', plan.name)];
      if (action === 'install') {
        return [
          ...folders,
          { kind: 'write', ...file! },
          run('supervisorctl', 'reread'),
          run('supervisorctl', 'update'),
        ];
      }
      return [
        run('supervisorctl', 'stop', plan.name),
        { kind: 'remove', path: file!.path },
        run('supervisorctl', 'reread'),
        run('supervisorctl', 'update'),
      ];
    case 'nssm':
      if (action === 'status') return [run(tool, ...nssmStatusCommand(plan))];
      if (action === 'install') return [...folders, ...nssmInstallCommands(plan).map((args) => run(tool, ...args))];
      return nssmUninstallCommands(plan).map((args) => run(tool, ...args));
    case 'winsw':
      // WinSW 3 takes the XML's path; the service is named by its <id>.
      if (action === 'status') return [run(tool, 'status', file!.path)];
      if (action === 'install') return [...folders, { kind: 'write', ...file! }, run(tool, 'install', file!.path)];
      return [run(tool, 'stop', file!.path), run(tool, 'uninstall', file!.path)];
  }
}

/** A step as one line of a dry run. */
export function describeStep(step: ServiceStep): string {
  switch (step.kind) {
    case 'mkdir':
      return `create folder ${step.path}`;
    case 'remove':
      return `remove ${step.path}`;
    case 'run':
      return `run: ${[step.program, ...step.args].map((word) => (/[\s"]/.test(word) ? `"${word.replace(/"/g, '\\"')}"` : word)).join(' ')}`;
    case 'write':
      return `write ${step.path} (mode ${step.mode.toString(8)}):\n${step.content}`;
  }
}
