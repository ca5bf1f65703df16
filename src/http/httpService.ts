import type { FastifyInstance } from 'fastify';
import { fromCallback, fromPromise } from 'xstate';
import { LoaderError } from '../errors.ts';
import { buildHttpApp, type HttpDeps } from './app.ts';

/**
 * The `http` actor's I/O for machines/service.ts. Each start builds a fresh server
 * (a closed Fastify instance cannot listen again). An actor that crashed never ran its
 * graceful stop, so a start first closes whatever server the previous incarnation left
 * listening; otherwise the restart would find its own port taken.
 */
export function createHttpService(deps: HttpDeps) {
  let app: FastifyInstance | undefined;
  const log = deps.logger.child({ actor: 'http' });
  return {
    actors: {
      start: fromPromise<void>(async () => {
        await app?.close().catch(() => undefined);
        app = buildHttpApp(deps);
        try {
          await app.listen({ host: deps.settings.host, port: deps.settings.port });
        } catch (error) {
          await app.close().catch(() => undefined);
          app = undefined;
          const code = (error as { code?: string }).code;
          const where = `${deps.settings.host}:${deps.settings.port}`;
          throw new LoaderError(
            'HTTP_LISTEN_FAILED',
            code === 'EADDRINUSE'
              ? `Port ${where} is already in use: stop the other program or set http.port.`
              : `Cannot listen on ${where}: ${(error as Error).message}`,
            { cause: error },
          );
        }
        log.info({ url: `http://${deps.settings.host}:${deps.settings.port}` }, 'HTTP server listening');
      }),
      watch: fromCallback(({ sendBack }) => {
        const server = app?.server;
        const onError = (error: Error) => sendBack({ type: 'child.failed', error });
        server?.on('error', onError);
        return () => server?.off('error', onError);
      }),
      stop: fromPromise<void>(async () => {
        await app?.close();
        app = undefined;
      }),
    },
  };
}
