import { spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { ImapFlow } from 'imapflow';
import { freePort } from '../../src/runtime/freePort.ts';
import { run } from './run.ts';

/**
 * A real Dovecot IMAP server for one test: its own config, Maildir and port on 127.0.0.1, in a
 * temp folder. The tests never install it: `npm test` runs scripts/install-test-deps.sh first.
 * `stop()` and `start()` take the server down and up again on the same port, as an outage would.
 */
const SEARCH_PATH = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin'];

function findProgram(name: string): string | undefined {
  return SEARCH_PATH.map((dir) => join(dir, name)).find((path) => existsSync(path));
}

let installed: string | undefined;

// Servers still running when the test process ends (a test that timed out) are stopped then.
const running = new Set<number>();
process.once('exit', () => {
  for (const pid of running) {
    if (pid <= 0) continue; // never a process group
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
});

/** The dovecot binary, or a clear error saying how to install it (tests never install packages). */
export function ensureDovecot(): string {
  installed ??= findProgram('dovecot');
  if (installed) return installed;
  throw new Error(
    'Dovecot is not installed, and the mailbox tests need a real IMAP server. ' +
      'Run scripts/install-test-deps.sh (as root; `npm test` runs it first), or apt-get install -y dovecot-imapd.',
  );
}

/**
 * The daemon's `intake.imap` settings for this server's test account. The password is given as
 * `${ENV:NAME}` when `passwordEnv` is set (the daemon child gets it from its environment, so it
 * is not in the config file), else in the clear.
 */
export function imapIntake(
  dovecot: Pick<Dovecot, 'host' | 'port' | 'user'> & { password?: string },
  passwordEnv?: string,
) {
  return {
    enabled: true,
    host: dovecot.host,
    port: dovecot.port,
    security: 'plain' as const,
    user: dovecot.user,
    password: passwordEnv ? `\${ENV:${passwordEnv}}` : dovecot.password,
  };
}

export interface DovecotOptions {
  /** Also listen with TLS (a self-signed certificate): STARTTLS on `port`, IMAPS on `tlsPort`. */
  tls?: boolean;
  /** Leave IMAP IDLE out of the capabilities, as some servers do. */
  noIdle?: boolean;
  /** More accounts besides `user`, with the same password. */
  extraUsers?: string[];
}

export interface Dovecot {
  host: string;
  port: number;
  tlsPort: number;
  user: string;
  password: string;
  /** The self-signed certificate (PEM file) when started with `tls`. */
  certFile: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** An IMAP client logged in as the test user, or `as` another (closed when the test ends). */
  client(as?: string): Promise<ImapFlow>;
  /** APPENDs a raw mail; resolves with its UID. */
  append(raw: Buffer, folder?: string, flags?: string[], as?: string): Promise<number>;
  /** The mails in a folder (empty when the folder does not exist). */
  list(
    folder: string,
    as?: string,
  ): Promise<Array<{ uid: number; flags: string[]; messageId: string; subject: string }>>;
  /** The folder's UIDVALIDITY. */
  uidValidity(folder?: string, as?: string): Promise<bigint>;
  /** Sets the folder's UIDVALIDITY (doveadm), as a restored or migrated mailbox may have it. */
  setUidValidity(value: bigint, folder?: string, as?: string): Promise<void>;
  /** Deletes every folder and mail of an account, as if its mailbox were replaced by an empty one. */
  wipe(as?: string): void;
  /** Stops the server and removes its folder (done by the test's teardown when started with one). */
  cleanUp(): Promise<void>;
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function until(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`Dovecot: timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs a helper program to its end without blocking the event loop; throws with its stderr when it fails. */
async function mustRun(program: string, args: string[]): Promise<void> {
  const result = await run(program, args, { timeoutMs: 60_000 });
  if (result.status !== 0) {
    throw new Error(
      `${program} ${args[0]} failed (${result.status ?? result.signal}): ${result.stderr || result.error}`,
    );
  }
}

/**
 * Starts the dovecot master, which forks into the background and exits: resolves with that
 * exit code. Its output goes to a file, since the daemon keeps stdout and stderr open.
 */
function launch(binary: string, args: string[], output: number): Promise<number | string> {
  return new Promise((resolve) => {
    const child = spawn(binary, args, { stdio: ['ignore', output, output] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', (error) => (clearTimeout(timer), resolve(error.message)));
    child.once('exit', (code, signal) => (clearTimeout(timer), resolve(code ?? String(signal))));
  });
}

export async function startDovecot(t: ExecutionContext | undefined, options: DovecotOptions = {}): Promise<Dovecot> {
  const binary = ensureDovecot();
  const dir = mkdtempSync(join(tmpdir(), 'invoice-loader-dovecot-'));
  // Dovecot's own processes run as its system users, and the mail as nobody: they must reach in.
  chmodSync(dir, 0o755);
  const mailRoot = join(dir, 'mail');
  mkdirSync(mailRoot);
  chownSync(mailRoot, 65534, 65534);
  const port = await freePort();
  const tlsPort = options.tls ? await freePort() : 0;
  const user = 'invoices';
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const users = [user, ...(options.extraUsers ?? [])];
  writeFileSync(join(dir, 'users'), users.map((name) => `${name}:{PLAIN}${password}::::::\n`).join(''), {
    mode: 0o644,
  });
  const certFile = join(dir, 'cert.pem');
  if (options.tls) {
    await mustRun('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      certFile,
    ]);
    chmodSync(join(dir, 'key.pem'), 0o644);
  }
  const config = join(dir, 'dovecot.conf');
  writeFileSync(
    config,
    `protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = invoice-loader-test-${port}
log_path = ${dir}/dovecot.log
ssl = ${options.tls ? 'yes' : 'no'}
${options.tls ? `ssl_cert = <${certFile}\nssl_key = <${join(dir, 'key.pem')}\n` : ''}disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${mailRoot}/%u
first_valid_uid = 1
${options.noIdle ? 'imap_capability = IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE SORT UIDPLUS MOVE NAMESPACE UNSELECT\n' : ''}passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${mailRoot}/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${tlsPort}
  }
}
`,
  );
  const clients: ImapFlow[] = [];
  const masterPid = () => {
    try {
      return Number(readFileSync(join(dir, 'run', 'master.pid'), 'utf8').trim());
    } catch {
      return 0;
    }
  };

  const server: Omit<Dovecot, 'cleanUp'> = {
    host: '127.0.0.1',
    port,
    tlsPort,
    user,
    password,
    certFile,
    async start() {
      // The master forks into the background and keeps its stdout and stderr: a file, not a pipe we would wait on.
      const errors = openSync(join(dir, 'stderr.log'), 'a');
      const status = await launch(binary, ['-c', config], errors).finally(() => closeSync(errors));
      if (status !== 0) {
        throw new Error(`dovecot did not start (${status}): ${readFileSync(join(dir, 'stderr.log'), 'utf8')}`);
      }
      await until('it accepts connections', () => portOpen(port));
      const pid = masterPid();
      if (pid > 0) running.add(pid);
    },
    async stop() {
      const pid = masterPid();
      if (!pid || !processAlive(pid)) return;
      // SIGTERM to the master ends every imap process: each client sees its connection close.
      process.kill(pid, 'SIGTERM');
      await until('it has stopped', async () => !processAlive(pid) && !(await portOpen(port)));
      running.delete(pid);
    },
    async client(as = user) {
      const client = new ImapFlow({
        host: '127.0.0.1',
        port,
        secure: false,
        doSTARTTLS: false,
        auth: { user: as, pass: password },
        logger: false,
        disableAutoIdle: true,
      });
      client.on('error', () => {});
      await client.connect();
      clients.push(client);
      return client;
    },
    async append(raw, folder = 'INBOX', flags = [], as = user) {
      const client = await server.client(as);
      try {
        if (folder !== 'INBOX') await client.mailboxCreate(folder);
        const appended = await client.append(folder, raw, flags);
        if (!appended || !appended.uid) throw new Error('APPEND gave no UID');
        return appended.uid;
      } finally {
        await client.logout().catch(() => client.close());
      }
    },
    async list(folder, as = user) {
      const client = await server.client(as);
      try {
        const exists = (await client.list()).some((box) => box.path === folder);
        if (!exists) return [];
        const lock = await client.getMailboxLock(folder);
        try {
          const found: Array<{ uid: number; flags: string[]; messageId: string; subject: string }> = [];
          if (client.mailbox && client.mailbox.exists === 0) return found;
          for await (const message of client.fetch('1:*', { uid: true, flags: true, envelope: true })) {
            found.push({
              uid: message.uid,
              flags: [...(message.flags ?? [])],
              messageId: message.envelope?.messageId ?? '',
              subject: message.envelope?.subject ?? '',
            });
          }
          return found;
        } finally {
          lock.release();
        }
      } finally {
        await client.logout().catch(() => client.close());
      }
    },
    async uidValidity(folder = 'INBOX', as = user) {
      const client = await server.client(as);
      try {
        const status = await client.status(folder, { uidValidity: true });
        if (!status || status.uidValidity === undefined) throw new Error(`no UIDVALIDITY for ${folder}`);
        return status.uidValidity;
      } finally {
        await client.logout().catch(() => client.close());
      }
    },
    async setUidValidity(value, folder = 'INBOX', as = user) {
      const doveadm = findProgram('doveadm');
      if (!doveadm) throw new Error('doveadm (dovecot-core) is missing');
      await mustRun(doveadm, ['-c', config, 'mailbox', 'update', '-u', as, '--uid-validity', String(value), folder]);
    },
    wipe(as = user) {
      rmSync(join(mailRoot, as), { recursive: true, force: true });
    },
  };

  const cleanUp = async () => {
    for (const client of clients) client.close();
    await server.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  if (t) t.teardown(cleanUp);
  await server.start();
  return { ...server, cleanUp };
}
