import { systemdPath, systemdWord } from './quoting.ts';
import { daemonArguments, stopWaitSeconds, type ServicePlan } from './servicePlan.ts';

/** Restarts allowed within the interval before systemd stops trying (the daemon's own supervisor restarts actors first). */
export const START_LIMIT = { intervalSec: 600, burst: 5 } as const;
export const RESTART_SEC = 10;

/**
 * The systemd unit. Hardening is what Node tolerates: the filesystem is read-only except the
 * daemon's own folders, but MemoryDenyWriteExecute stays off because V8's JIT writes
 * executable memory and the process would die on its first compiled function.
 */
export function renderSystemdUnit(plan: ServicePlan): string {
  const exec = [plan.nodeExecutable, ...daemonArguments(plan)].map(systemdWord).join(' ');
  const lines = [
    `# ${plan.name}.service — rendered by \`invoice-loader service install --manager systemd\`.`,
    '# Render it again after moving the install or changing folders in the config; do not edit by hand.',
    '[Unit]',
    `Description=${plan.description}`,
    'After=network-online.target postgresql.service',
    'Wants=network-online.target',
    '# Exit 1 means the root supervisor gave up: start again, but not in a tight loop forever.',
    `StartLimitIntervalSec=${START_LIMIT.intervalSec}`,
    `StartLimitBurst=${START_LIMIT.burst}`,
    '',
    '[Service]',
    'Type=simple',
    ...(plan.user ? [`User=${plan.user}`, `Group=${plan.user}`] : []),
    `WorkingDirectory=${systemdPath(plan.workingDirectory)}`,
    ...(plan.environmentFile
      ? [
          '# Secrets (PGPASSWORD, NEX_API_KEY, …) for ${ENV:…} in the config file.',
          `EnvironmentFile=-${systemdPath(plan.environmentFile)}`,
        ]
      : []),
    `ExecStart=${exec}`,
    '# SIGTERM to the daemon only: it stops the embedded PostgreSQL itself. What is left at the deadline is killed.',
    'KillSignal=SIGTERM',
    'KillMode=mixed',
    `# Above shutdown.timeoutMs (${plan.shutdownTimeoutMs} ms), so the ordered shutdown is never cut short.`,
    `TimeoutStopSec=${stopWaitSeconds(plan)}`,
    'Restart=on-failure',
    `RestartSec=${RESTART_SEC}`,
    'NoNewPrivileges=yes',
    'PrivateTmp=yes',
    'ProtectSystem=strict',
    ...plan.writableDirs.map((dir) => `ReadWritePaths=${systemdWord(dir)}`),
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectControlGroups=yes',
    'RestrictSUIDSGID=yes',
    'LockPersonality=yes',
    '# MemoryDenyWriteExecute is deliberately not set: V8 compiles JavaScript into executable memory.',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ];
  return `${lines.join('\n')}\n`;
}
