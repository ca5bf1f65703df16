import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestSmtp } from '../support/smtpServer.ts';
import { until } from '../support/until.ts';
import { corpus, feed, sleep } from './feeds.ts';
import { DaemonSeat, FAST, poolFor, ScenarioSkipped, scenarioDatabase, settle, type Scenario } from './harness.ts';

/**
 * (g) The backup folder's disk fills up. The backup folder is a small tmpfs of its own (root
 * may mount one; anyone else gets a clear "skipped" instead of a fake), backups are scheduled
 * every few seconds, and invoices flow the whole time. With the disk filled to the last
 * kilobytes, the backup must fail cleanly (no partial file left, an alert mail that says the
 * disk is full, Slovak first) while invoices keep being posted; once the space is freed, the
 * next scheduled backup must succeed.
 */
const SIZE_MB = 8;

function mountSmallDisk(): { dir: string; unmount: () => void } | string {
  const dir = mkdtempSync(join(tmpdir(), 'invoice-loader-chaos-backups-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${SIZE_MB}m,mode=0700`, 'tmpfs', dir], {
    encoding: 'utf8',
  });
  if (mounted.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return `cannot mount a tmpfs (${(mounted.stderr || mounted.error?.message || '').trim()}); run as root`;
  }
  return {
    dir,
    unmount: () => {
      spawnSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fills the file system of `dir` up to `leaveBytes` free with one file; returns its path. */
function fill(dir: string, leaveBytes: number): string {
  const { bavail, bsize } = statfsSync(dir);
  const filler = join(dir, 'filler.bin');
  writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - leaveBytes)));
  return filler;
}

function backupFiles(dir: string): string[] {
  return readdirSync(join(dir, 'daily'), { withFileTypes: true }).flatMap((e) => (e.isFile() ? [e.name] : []));
}

export const backupDiskFull: Scenario = {
  id: 'g',
  name: 'backup disk full',
  async run(ctx) {
    const disk = mountSmallDisk();
    if (typeof disk === 'string') throw new ScenarioSkipped(disk);
    ctx.cleanup.defer(disk.unmount);
    const count = ctx.profile === 'long' ? 300 : 90;
    const smtp = await startTestSmtp({ user: 'loader', password: 'chaos-smtp' });
    ctx.cleanup.defer(() => smtp.stop());
    const url = await scenarioDatabase(ctx, 'g');
    const seat = await DaemonSeat.open(ctx, {
      databaseUrl: url,
      config: {
        ...FAST,
        backup: {
          enabled: true,
          dir: disk.dir,
          schedule: { daily: '*/4 * * * * *', weekly: '', monthly: '' },
          retention: { daily: 2, weekly: 1, monthly: 1 },
          drill: { schedule: '' },
        },
        alerts: {
          smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: 'loader', password: 'chaos-smtp' },
          from: 'loader@magerstav.sk',
          to: ['it@partner.sk'],
          groupWaitMs: 300,
          evaluateMs: 200,
          retry: { minMs: 300, maxMs: 2_000 },
          reports: { daily: { enabled: false }, weekly: { enabled: false } },
        },
      },
    });
    const daemon = seat.current;
    await daemon.waitForStatus('/health/ready', 200);
    const docs = corpus(count, ['drop', 'http']);
    const failures: string[] = [];
    const feeding = feed({ daemon: () => daemon, inbox: seat.inbox }, docs, { pauseMs: 150 });

    // A first backup while there is room, then the disk filled to its last 32 KB.
    const firstOk = await daemon.waitForLog(
      (e) => e.job === 'backup' && e.level === 30 && /verified/.test(e.msg),
      60_000,
    );
    const before = backupFiles(disk.dir);
    const filler = fill(disk.dir, 32 * 1024);
    const mark = daemon.logs.length;
    const failed = await daemon.waitForLog((e) => e.code === 'BACKUP_FAILED', 60_000, mark);
    ctx.log(`backup failed as it should: ${failed.msg}`);
    const mail = await until(
      'the alert mail of the failed backup',
      () => smtp.received.find((m) => /backup_failed/.test(m.parsed.text ?? '')),
      { timeoutMs: 30_000 },
    ).catch(() => undefined);
    if (!mail) failures.push('no alert mail for the failed backup');
    else {
      const text = `${mail.parsed.subject}\n${mail.parsed.text}`;
      if (!/miesto|plný/i.test(text))
        failures.push(`the alert does not say the disk is full (Slovak): ${mail.parsed.subject}`);
      ctx.log(`alert: ${mail.parsed.subject}`);
    }
    const partial = readdirSync(disk.dir).filter((name) => name.startsWith('.'));
    if (partial.length) failures.push(`partial files left behind: ${partial.join(', ')}`);
    const after = backupFiles(disk.dir);
    if (after.some((name) => !before.includes(name))) failures.push('a file of the failed backup was left in daily/');

    // Room again: the next scheduled backup succeeds.
    rmSync(filler);
    const recovered = await daemon
      .waitForLog((e) => e.job === 'backup' && e.level === 30 && /verified/.test(e.msg), 60_000, daemon.logs.length)
      .catch(() => undefined);
    if (!recovered) failures.push('no successful backup after the space was freed');
    await feeding;
    await sleep(500);
    const pool = poolFor(ctx, url);
    const tally = await settle({ pool, docs, postings: { outbox: seat.outbox }, inbox: seat.inbox }, 120_000);
    if (!daemon.running) failures.push('the daemon exited');
    const failedBackups = daemon.logs.filter((e) => e.code === 'BACKUP_FAILED').length;
    return {
      tally,
      detail: `first backup ${firstOk ? 'ok' : '?'}, ${failedBackups} failed on the full disk, ${recovered ? 'then one succeeded' : 'none succeeded after'}`,
      failures,
    };
  },
};
