import path from 'node:path';
import type { Config } from '../config/schema.ts';

export const SERVICE_MANAGERS = ['nssm', 'winsw', 'systemd', 'supervisor'] as const;
export type ServiceManager = (typeof SERVICE_MANAGERS)[number];

/** Which path flavour a manager's files are written in: the Windows managers get C:\ paths. */
export const MANAGER_PLATFORM: Record<ServiceManager, 'win32' | 'posix'> = {
  nssm: 'win32',
  winsw: 'win32',
  systemd: 'posix',
  supervisor: 'posix',
};

/**
 * Everything a service manager's files need, as absolute paths of this install. The
 * renderers are pure functions of this plan, so a plan built with path.win32 on Linux
 * renders exactly what an install on Windows would.
 */
export interface ServicePlan {
  name: string;
  description: string;
  /** The node executable itself (process.execPath): never npm or cmd, which do not pass Ctrl+C on. */
  nodeExecutable: string;
  /** bin/invoice-loader.js of this install. */
  binScript: string;
  /** The folder relative config paths are resolved against (the daemon's working directory). */
  workingDirectory: string;
  /** The user config file, or undefined to run on config/default.yaml alone. */
  configFile: string | undefined;
  /** Where the manager's own stdout/stderr capture goes (the daemon's JSON logs are in logging.dir). */
  logDir: string;
  /** The folders the daemon writes: data, logs, inbox, outbox, backups (for ProtectSystem=strict). */
  writableDirs: string[];
  /** shutdown.timeoutMs: every manager must wait longer than this before killing. */
  shutdownTimeoutMs: number;
  /** The account the service runs as (systemd, supervisord); undefined = the manager's default. */
  user: string | undefined;
  /** A file of KEY=value secrets (PGPASSWORD, NEX_API_KEY, …) for the environment, never the command line. */
  environmentFile: string | undefined;
  /**
   * The secrets themselves for managers that cannot read such a file (NSSM's AppEnvironmentExtra,
   * WinSW's <env>, supervisord's environment=). Dry runs pass masked values.
   */
  environment: EnvironmentEntry[];
}

export interface EnvironmentEntry {
  name: string;
  value: string;
}

export interface PlanInput {
  name: string;
  config: Config;
  configFile: string | undefined;
  /** The install folder (where bin/ and package.json are). */
  installRoot: string;
  nodeExecutable: string;
  platform: 'win32' | 'posix';
  user?: string | undefined;
  environmentFile?: string | undefined;
  environment?: EnvironmentEntry[];
}

/** The daemon's arguments after the node executable, the same for every manager. */
export function daemonArguments(plan: ServicePlan): string[] {
  return [plan.binScript, 'run', ...(plan.configFile ? ['--config', plan.configFile] : [])];
}

/** Seconds a manager waits for the ordered shutdown: shutdown.timeoutMs plus a margin for the last log lines. */
export function stopWaitSeconds(plan: ServicePlan): number {
  return Math.ceil(plan.shutdownTimeoutMs / 1000) + 10;
}

export function planService(input: PlanInput): ServicePlan {
  const p = input.platform === 'win32' ? path.win32 : path.posix;
  const root = p.resolve(input.installRoot);
  const at = (value: string) => p.resolve(root, value);
  const { config } = input;
  const writable = [
    p.dirname(at(config.http.tokenFile)),
    ...(config.database.url === '' ? [at(config.database.embedded.dir)] : []),
    at(config.logging.dir),
    at(config.intake.dropFolder.path),
    at(config.nex.outboxDir),
    at(config.backup.dir),
  ];
  return {
    name: input.name,
    description:
      'Supplier Invoice Loader: supplier invoices from mail, folder and HTTP into PostgreSQL and NEX Genesis',
    nodeExecutable: input.nodeExecutable,
    binScript: p.join(root, 'bin', 'invoice-loader.js'),
    workingDirectory: root,
    configFile: input.configFile === undefined ? undefined : p.resolve(root, input.configFile),
    logDir: at(config.logging.dir),
    writableDirs: outermost(writable, p),
    shutdownTimeoutMs: config.shutdown.timeoutMs,
    user: input.user,
    environmentFile: input.environmentFile === undefined ? undefined : p.resolve(root, input.environmentFile),
    environment: input.environment ?? [],
  };
}

/** Unique folders, without those inside another one of the list (./data and ./data/postgres → ./data). */
function outermost(dirs: string[], p: path.PlatformPath): string[] {
  const unique = [...new Set(dirs)].sort();
  const inside = (dir: string, other: string) => {
    const rel = p.relative(other, dir);
    return rel !== '' && !rel.startsWith('..') && !p.isAbsolute(rel);
  };
  return unique.filter((dir) => !unique.some((other) => inside(dir, other)));
}
