import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { parse } from 'yaml';
import { DEFAULT_CONFIG_FILE } from '../../src/config/load.ts';
import { configSchema, type Config } from '../../src/config/schema.ts';
import { parseEnvironmentFile } from '../../src/service/environmentFile.ts';
import { exampleServiceFiles } from '../../src/service/exampleFiles.ts';
import { nssmInstallCommands } from '../../src/service/nssmCommands.ts';
import { windowsArgument } from '../../src/service/quoting.ts';
import { planService, type PlanInput } from '../../src/service/servicePlan.ts';
import { performSteps, type StepRunner } from '../../src/service/performSteps.ts';
import { serviceSteps } from '../../src/service/serviceSteps.ts';
import { renderSupervisorProgram } from '../../src/service/supervisorProgram.ts';
import { renderSystemdUnit } from '../../src/service/systemdUnit.ts';
import { renderWinswXml } from '../../src/service/winswXml.ts';

const defaults = (): Config => configSchema.parse(parse(readFileSync(DEFAULT_CONFIG_FILE, 'utf8')));

/** A plan for the default config with a 45 s shutdown timeout, one folder moved by `edit`. */
function planFor(edit: (config: Config) => void, input: Omit<PlanInput, 'config'>) {
  const config = defaults();
  config.shutdown.timeoutMs = 45_000;
  edit(config);
  return planService({ ...input, config });
}

const windowsPlan = (overrides: Partial<PlanInput> = {}) =>
  planFor((config) => (config.backup.dir = 'D:\\Zálohy faktúr'), {
    name: 'InvoiceLoader',
    configFile: 'C:\\Program Files\\InvoiceLoader\\config.yaml',
    installRoot: 'C:\\Program Files\\InvoiceLoader',
    nodeExecutable: 'C:\\Program Files\\nodejs\\node.exe',
    platform: 'win32',
    environment: [{ name: 'PGPASSWORD', value: 's3cr=t "x"' }],
    ...overrides,
  });

const linuxPlan = (overrides: Partial<PlanInput> = {}) =>
  planFor((config) => (config.logging.dir = '/var/log/invoice loader'), {
    name: 'invoice-loader',
    configFile: '/etc/invoice-loader/config.yaml',
    installRoot: '/opt/invoice-loader',
    nodeExecutable: '/usr/local/bin/node',
    platform: 'posix',
    user: 'loader',
    environmentFile: '/etc/invoice-loader/env',
    ...overrides,
  });

/** What Windows' CommandLineToArgvW makes of a command line (the rules Node's argv follows). */
function splitWindowsCommandLine(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let quoted = false;
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (char === '\\') {
      let count = 0;
      while (line[i] === '\\') {
        count++;
        i++;
      }
      if (line[i] === '"') {
        current += '\\'.repeat(Math.floor(count / 2));
        if (count % 2) current += '"';
        else quoted = !quoted;
      } else {
        current += '\\'.repeat(count);
        i--;
      }
      started = true;
    } else if (char === '"') {
      quoted = !quoted;
      started = true;
    } else if (/\s/.test(char) && !quoted) {
      if (started) args.push(current);
      current = '';
      started = false;
    } else {
      current += char;
      started = true;
    }
  }
  if (started) args.push(current);
  return args;
}

test('the plan holds absolute paths of the install: data, logs, inbox, outbox and backups, relative ones resolved', (t) => {
  const plan = windowsPlan();
  t.is(plan.binScript, 'C:\\Program Files\\InvoiceLoader\\bin\\invoice-loader.js');
  t.deepEqual(plan.writableDirs, [
    'C:\\Program Files\\InvoiceLoader\\data',
    'C:\\Program Files\\InvoiceLoader\\inbox',
    'C:\\Program Files\\InvoiceLoader\\logs',
    'C:\\Program Files\\InvoiceLoader\\outbox',
    'D:\\Zálohy faktúr',
  ]);
  for (const dir of plan.writableDirs) t.true(path.win32.isAbsolute(dir), dir);
});

test('NSSM starts node.exe itself, waits longer than the shutdown timeout for Ctrl+C, restarts with a throttle and rotates its capture', (t) => {
  const plan = windowsPlan();
  const commands = nssmInstallCommands(plan);
  const setting = (key: string) => commands.find((args) => args[0] === 'set' && args[2] === key)?.slice(3);
  t.deepEqual(commands[0], ['install', 'InvoiceLoader', 'C:\\Program Files\\nodejs\\node.exe']);
  t.true(Number(setting('AppStopMethodConsole')![0]) > 45_000);
  t.deepEqual(setting('AppNoConsole'), ['0']);
  t.deepEqual(setting('AppExit'), ['Default', 'Restart']);
  t.true(Number(setting('AppRestartDelay')![0]) >= 5000);
  t.true(Number(setting('AppThrottle')![0]) > 0);
  t.deepEqual(setting('AppRotateFiles'), ['1']);
  t.deepEqual(setting('AppStdout'), ['C:\\Program Files\\InvoiceLoader\\logs\\service-stdout.log']);
  t.deepEqual(setting('AppEnvironmentExtra'), ['PGPASSWORD=s3cr=t "x"']);
  // The parameters, split as Windows splits them, are the bin script, run and the config: no secret among them.
  t.deepEqual(splitWindowsCommandLine(setting('AppParameters')![0]!), [
    'C:\\Program Files\\InvoiceLoader\\bin\\invoice-loader.js',
    'run',
    '--config',
    'C:\\Program Files\\InvoiceLoader\\config.yaml',
  ]);
  t.false(commands.flat().some((arg) => /npm|cmd\.exe/i.test(arg)));
});

test('a Windows argument survives CommandLineToArgvW: spaces, quotes and trailing backslashes', (t) => {
  const values = ['C:\\a b\\', 'plain', 'say "hi"', 'C:\\x\\\\"y', ''];
  t.deepEqual(splitWindowsCommandLine(values.map(windowsArgument).join(' ')), values);
});

test('WinSW XML: stoptimeout above the shutdown timeout, restart delays, resetfailure, roll-by-size logs, escaped values', (t) => {
  const xml = renderWinswXml(windowsPlan());
  t.regex(xml, /<stoptimeout>55 sec<\/stoptimeout>/);
  t.is(xml.match(/<onfailure action="restart" delay="\d+ sec"\/>/g)?.length, 3);
  t.regex(xml, /<resetfailure>1 hour<\/resetfailure>/);
  t.regex(xml, /<log mode="roll-by-size">/);
  t.regex(xml, /<executable>C:\\Program Files\\nodejs\\node\.exe<\/executable>/);
  t.regex(xml, /<env name="PGPASSWORD" value="s3cr=t &quot;x&quot;"\/>/);
  t.notRegex(xml, /<arguments>[^<]*PGPASSWORD/);
});

test('systemd unit: restart on failure after ≥ 5 s with start limits, stop timeout above the shutdown timeout, hardening Node tolerates', (t) => {
  const unit = renderSystemdUnit(linuxPlan());
  const values = (key: string) => [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]);
  t.deepEqual(values('Restart'), ['on-failure']);
  t.true(Number(values('RestartSec')[0]) >= 5);
  t.true(Number(values('StartLimitBurst')[0]) > 0);
  t.true(Number(values('StartLimitIntervalSec')[0]) > 0);
  t.true(Number(values('TimeoutStopSec')[0]) * 1000 > 45_000);
  t.deepEqual(values('ProtectSystem'), ['strict']);
  t.deepEqual(values('NoNewPrivileges'), ['yes']);
  t.deepEqual(values('PrivateTmp'), ['yes']);
  t.deepEqual(values('MemoryDenyWriteExecute'), []);
  t.deepEqual(values('ReadWritePaths'), [
    '/opt/invoice-loader/backups',
    '/opt/invoice-loader/data',
    '/opt/invoice-loader/inbox',
    '/opt/invoice-loader/outbox',
    '"/var/log/invoice loader"',
  ]);
  t.deepEqual(values('ExecStart'), [
    '/usr/local/bin/node /opt/invoice-loader/bin/invoice-loader.js run --config /etc/invoice-loader/config.yaml',
  ]);
  t.deepEqual(values('User'), ['loader']);
  t.deepEqual(values('EnvironmentFile'), ['-/etc/invoice-loader/env']);
});

test('supervisord program: stopasgroup, killasgroup and stopwaitsecs above the shutdown timeout', (t) => {
  const conf = renderSupervisorProgram(linuxPlan({ environment: [{ name: 'PGPASSWORD', value: '50%,off' }] }));
  t.regex(conf, /^stopasgroup=true$/m);
  t.regex(conf, /^killasgroup=true$/m);
  t.regex(conf, /^stopwaitsecs=55$/m);
  t.regex(conf, /^environment=PGPASSWORD="50%%,off"$/m);
  t.regex(conf, /^command=\/usr\/local\/bin\/node \/opt\/invoice-loader\/bin\/invoice-loader\.js run --config /m);
});

test('install steps create the writable folders before the unit, then reload', (t) => {
  const plan = linuxPlan();
  const install = serviceSteps('systemd', 'install', plan, { targetDir: '/tmp/units' });
  const kinds = install.map((step) => (step.kind === 'run' ? `${step.program} ${step.args.join(' ')}` : step.kind));
  t.deepEqual(kinds, [
    ...plan.writableDirs.map(() => 'mkdir'),
    'write',
    'systemctl daemon-reload',
    'systemctl enable invoice-loader',
  ]);
  const supervisor = serviceSteps('supervisor', 'install', plan, { targetDir: '/etc/supervisor/conf.d' });
  t.deepEqual(
    supervisor.filter((step) => step.kind === 'run').map((step) => step.args.join(' ')),
    ['reread', 'update'],
  );
  const written = supervisor.find((step) => step.kind === 'write');
  t.is(written?.kind === 'write' ? written.mode : 0, 0o600);
});

function recordingRunner(exitCodes: Record<string, number>): StepRunner & { done: string[] } {
  const done: string[] = [];
  return {
    done,
    mkdir: async (dir) => void done.push(`mkdir ${dir}`),
    write: async (file) => void done.push(`write ${file}`),
    remove: async (file) => void done.push(`remove ${file}`),
    run: async (program, args) => {
      const line = [program, ...args].join(' ');
      done.push(line);
      return exitCodes[line] ?? 0;
    },
  };
}

test('uninstall goes on when the service was stopped already; a failing install step stops the rest', async (t) => {
  const plan = linuxPlan();
  const uninstall = recordingRunner({ 'systemctl disable --now invoice-loader': 5 });
  await performSteps(serviceSteps('systemd', 'uninstall', plan, { targetDir: '/u' }), uninstall, {
    tolerateStopFailure: true,
  });
  t.deepEqual(uninstall.done, [
    'systemctl disable --now invoice-loader',
    'remove /u/invoice-loader.service',
    'systemctl daemon-reload',
  ]);

  const install = recordingRunner({ 'systemctl daemon-reload': 1 });
  const error = await t.throwsAsync(
    performSteps(serviceSteps('systemd', 'install', plan, { targetDir: '/u' }), install),
  );
  t.is((error as { code?: string }).code, 'SERVICE_STEP_FAILED');
  t.false(install.done.includes('systemctl enable invoice-loader'));
});

test('the environment file is read with CRLF, comments, export and quotes', (t) => {
  t.deepEqual(parseEnvironmentFile('# secrets\r\nPGPASSWORD="a b"\r\nexport NEX_API_KEY=k=1\r\n\r\nnot a line\r\n'), [
    { name: 'PGPASSWORD', value: 'a b' },
    { name: 'NEX_API_KEY', value: 'k=1' },
  ]);
});

test('the example files in service/ are what the renderers produce', (t) => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  for (const [file, content] of Object.entries(exampleServiceFiles())) {
    t.is(
      readFileSync(path.join(root, file), 'utf8'),
      content,
      `${file} is stale: node scripts/render-service-examples.ts`,
    );
  }
});
