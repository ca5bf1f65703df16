import type { CommandModule } from 'yargs';
import { errorMessage } from '../../errors.ts';
import { startDaemon } from '../../runtime/daemon.ts';
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
    // Last line of defence: anything that still escapes is logged before the process ends.
    process.on('uncaughtException', (error) => {
      logger.fatal({ err: errorMessage(error), stack: error.stack, code: 'UNCAUGHT' }, 'uncaught exception');
      void close().then(() => process.exit(1));
    });
    process.on('unhandledRejection', (reason) =>
      logger.error({ err: errorMessage(reason), code: 'UNHANDLED_REJECTION' }, 'unhandled promise rejection'),
    );

    const daemon = await startDaemon(loaded, logger);
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
    logger.info({ exit_code: code }, code === 0 ? 'daemon stopped' : 'daemon exiting with an error');
    await close();
    process.exit(code);
  },
};
