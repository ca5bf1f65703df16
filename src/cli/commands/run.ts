import type { CommandModule } from 'yargs';
import { startDaemon, type RunningDaemon } from '../../runtime/daemon.ts';
import { installLastResort } from '../../runtime/lastResort.ts';
import { createDaemonLogger } from '../../runtime/logger.ts';
import { onTerminationSignal } from '../../runtime/signals.ts';
import { configOption, loadConfigOrExit } from '../configOption.ts';

export const runCommand: CommandModule<object, { config?: string }> = {
  command: 'run',
  describe: 'run the daemon in the foreground (what NSSM, systemd and supervisord start)',
  builder: (y) => y.options(configOption),
  handler: async (argv) => {
    const loaded = loadConfigOrExit(argv.config);
    const { logger, close } = createDaemonLogger(loaded.config.logging);
    const started: { daemon?: RunningDaemon } = {};
    const lastResort = installLastResort({
      logger,
      stop: () => started.daemon?.stop('fatal error'),
      close,
      exit: (code) => process.exit(code),
    });
    const daemon = await startDaemon(loaded, logger);
    started.daemon = daemon;
    const removeSignals = onTerminationSignal(
      (signal) => void daemon.stop(`signal ${signal}`),
      (signal) => {
        logger.warn({ signal }, 'second signal: exiting at once');
        void close().then(() => process.exit(1));
      },
    );
    const code = await daemon.finished.then(
      (finishedCode) => finishedCode,
      () => 1,
    );
    removeSignals();
    // After a fatal error the last resort has stopped the tree and exits 1 itself.
    if (lastResort.fatal()) return;
    logger.info({ exit_code: code }, code === 0 ? 'daemon stopped' : 'daemon exiting with an error');
    await close();
    process.exit(code);
  },
};
