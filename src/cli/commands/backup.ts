import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { backupAndRotate, toolsFor } from '../../backup/backupJobs.ts';
import { BACKUP_TYPES, type BackupType } from '../../backup/backupFiles.ts';
import { listBackups, recordVerification } from '../../backup/listBackups.ts';
import { applyRetention } from '../../backup/retention.ts';
import { formatBytes } from '../../backup/runBackup.ts';
import { verifyBackup } from '../../backup/verifyBackup.ts';
import { withCliDatabase } from '../cliDatabase.ts';
import { configOption, loadConfigOrExit } from '../configOption.ts';
import { exitOnFailure } from '../exitOnFailure.ts';

const progress = (text: string) => process.stderr.write(`  ${text}\n`);
const age = (ms: number) =>
  ms < 3_600_000
    ? `${Math.round(ms / 60_000)} min`
    : ms < 172_800_000
      ? `${Math.round(ms / 3_600_000)} h`
      : `${Math.round(ms / 86_400_000)} d`;

const run: CommandModule<object, { config?: string; type: BackupType }> = {
  command: 'run',
  describe: 'back up the database now (documents included), verify it, apply retention',
  builder: (y) =>
    y.options({
      ...configOption,
      type: {
        choices: BACKUP_TYPES,
        default: 'manual' as const,
        describe: 'which set it belongs to (manual ones are never rotated)',
      },
    }),
  handler: (argv) =>
    exitOnFailure(async () => {
      const { config } = loadConfigOrExit(argv.config);
      await withCliDatabase(config, async (_pool, db) => {
        console.error(`Backing up ${db.target} into ${resolve(config.backup.dir)}`);
        const { file, summary } = await backupAndRotate(config.backup, db.url, argv.type, progress);
        console.log(summary);
        console.log(file);
      });
    }),
};

const list: CommandModule<object, { config?: string; json?: boolean }> = {
  command: 'list',
  describe: 'the backups on disk: age, size, verification and drill results',
  builder: (y) => y.options({ ...configOption, json: { type: 'boolean' } }),
  handler: (argv) =>
    exitOnFailure(async () => {
      const { config } = loadConfigOrExit(argv.config);
      const entries = await listBackups(resolve(config.backup.dir));
      if (argv.json) return void console.log(JSON.stringify(entries, null, 2));
      if (!entries.length) return void console.log(`No backups in ${resolve(config.backup.dir)} yet.`);
      for (const e of entries) {
        const verified = e.verified
          ? `${e.verified.ok ? 'verified' : 'FAILED'} (${e.verified.level ?? 'none'})`
          : 'not verified';
        const drill = e.drill
          ? `drill ${e.drill.ok ? 'ok' : 'FAILED'} ${Math.round(e.drill.drill?.durationMs ?? 0)} ms`
          : 'no drill';
        console.log(
          `${e.type.padEnd(8)} ${age(e.ageMs).padStart(7)} ago  ${formatBytes(e.sizeBytes).padStart(9)}  ${verified.padEnd(20)} ${drill.padEnd(18)} ${e.file}`,
        );
      }
    }),
};

const verify: CommandModule<object, { config?: string; file: string; drill?: boolean }> = {
  command: 'verify <file>',
  describe:
    'checksum, pg_restore --list and a full read; with --drill also restore into a scratch database and compare',
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true })
      .options({ ...configOption, drill: { type: 'boolean' } }),
  handler: (argv) =>
    exitOnFailure(async () => {
      const { config } = loadConfigOrExit(argv.config);
      await withCliDatabase(config, async (_pool, db) => {
        const tools = await toolsFor(config.backup, db.url);
        const result = await verifyBackup(resolve(argv.file), {
          level: argv.drill ? 'drill' : 'read',
          tools,
          adminUrl: db.url,
        });
        await recordVerification(resolve(argv.file), result);
        for (const step of result.steps)
          console.log(
            `${step.ok ? 'ok  ' : 'FAIL'} ${step.step.padEnd(9)} ${String(step.ms).padStart(6)} ms  ${step.detail}`,
          );
        if (result.drill)
          console.log(
            `restore drill: ${result.drill.tables.length} tables compared in ${Math.round(result.drill.durationMs)} ms (measured RTO)`,
          );
        if (!result.ok) process.exitCode = 1;
      });
    }),
};

const rotate: CommandModule<object, { config?: string }> = {
  command: 'rotate',
  describe: 'apply retention now (never deletes the newest verified backup)',
  builder: (y) => y.options(configOption),
  handler: (argv) =>
    exitOnFailure(async () => {
      const { config } = loadConfigOrExit(argv.config);
      const { deleted, kept } = await applyRetention(resolve(config.backup.dir), config.backup.retention, new Date());
      console.log(
        `kept ${kept.length}, removed ${deleted.length}${deleted.length ? `:\n  ${deleted.join('\n  ')}` : ''}`,
      );
    }),
};

export const backupCommand: CommandModule = {
  command: 'backup <command>',
  describe: 'database backups',
  builder: (y) => y.command(run).command(list).command(verify).command(rotate).demandCommand(1),
  handler: () => {},
};
