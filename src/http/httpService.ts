import type { FastifyInstance } from 'fastify';
import { fromCallback, fromPromise } from 'xstate';
import { LoaderError } from '../errors.ts';
import { buildHttpApp, type HttpDeps } from './app.ts';
import { readHttpsFiles } from './tls.ts';

/**
 * The `http` actor's I/O for machines/service.ts. Each start builds a fresh server
 * (a closed Fastify instance cannot listen again). An actor that crashed never ran its
 * graceful stop, so a start first closes whatever server the previous incarnation left
 * listening; otherwise the restart would find its own port taken.
 */
export function createHttpService(deps: HttpDeps) {
  let app: FastifyInstance | undefined;
  const log = deps.logger.child({ actor: 'http' });
  // Read here, when the daemon is built: a wrong path stops the start with its sentence.
  const https = readHttpsFiles(deps.settings.tls);
  const scheme = https ? 'https' : 'http';
  return {
    actors: {
      start: fromPromise<void>(async () => {
        await app?.close().catch(() => undefined);
        app = buildHttpApp({ ...deps, https });
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
        log.info({ url: `${scheme}://${deps.settings.host}:${deps.settings.port}` }, 'HTTP server listening');
        if (!https && !isLoopback(deps.settings.host)) {
          log.warn(
            { code: 'HTTP_PLAIN_ON_NETWORK', host: deps.settings.host },
            `HTTP bez TLS na sieťovej adrese ${deps.settings.host}: tokeny a heslá idú sieťou nešifrované; nastavte http.tls. / ` +
              `Plain HTTP on the network address ${deps.settings.host}: tokens and passwords cross the network unencrypted; set http.tls (docs/security.md).`,
          );
        }
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

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    bare === 'localhost' ||
    bare === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare) ||
    bare === '::ffff:127.0.0.1'
  );
}
