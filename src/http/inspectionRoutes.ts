import type { FastifyInstance } from 'fastify';
import type { DaemonView } from './app.ts';
import { sendRefusal } from './requestRefused.ts';

/** The live actor tree, its inspection stream, and the chaos tests' crash switch; behind sign-in. */
export function registerInspectionRoutes(scope: FastifyInstance, view: DaemonView): void {
  scope.get('/api/actors', { config: { role: 'viewer' } }, async () => view.tree());

  scope.get('/api/inspect/stream', { config: { role: 'viewer' } }, (request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    // A HEAD answer has no body, and Node sends the headers only with the first body byte or end().
    if (request.method === 'HEAD') return void reply.raw.end();
    const send = (event: string, data: unknown) =>
      reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    send('tree', view.tree());
    const unsubscribe = view.inspection.subscribe((record) => send('inspection', record));
    const keepAlive = setInterval(() => reply.raw.write(': keep-alive\n\n'), 15_000);
    request.raw.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
    });
  });

  scope.post<{ Params: { actor: string } }>(
    '/api/debug/crash/:actor',
    {
      config: { role: 'admin' },
      schema: { params: { type: 'object', properties: { actor: { type: 'string', minLength: 1 } } } },
    },
    async (request, reply) => {
      if (!view.faultInjection) {
        return sendRefusal(
          reply,
          'FAULT_INJECTION_DISABLED',
          'Fault injection is off; set debug.faultInjection: true to use this route.',
        );
      }
      const { actor } = request.params;
      if (!view.crash(actor)) {
        return sendRefusal(reply, 'UNKNOWN_ACTOR', `There is no running actor "${actor}".`);
      }
      return reply.code(202).send({ crashed: actor });
    },
  );
}
