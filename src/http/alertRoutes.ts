import type { FastifyInstance } from 'fastify';
import { identityOf } from '../auth/httpIdentity.ts';
import { actorLabel } from '../auth/identity.ts';
import { errorMessage } from '../errors.ts';
import { sendRefusal } from './requestRefused.ts';

/**
 * `POST /api/alerts/test`: a test mail to alerts.to, as `alerts test` sends it. Behind the
 * same authentication as every /api route (registered inside the app's auth scope).
 */
export interface AlertRouteDeps {
  /** Sends the test mail; resolves with the recipients, rejects when mail is off or the server refused. */
  sendTest: (requestedBy: string) => Promise<string[]>;
}

export function registerAlertRoutes(app: FastifyInstance, deps: AlertRouteDeps): void {
  // Mail settings are the administrator's, like silences.
  app.post('/api/alerts/test', { config: { role: 'admin' } }, async (request, reply) => {
    try {
      // The mail names who asked for it (the signed-in admin or token), as every decision does.
      const to = await deps.sendTest(`${actorLabel(identityOf(request))} (HTTP ${request.ip})`);
      return { sent: true, to };
    } catch (error) {
      return sendRefusal(reply, 'ALERT_TEST_FAILED', errorMessage(error), { sent: false });
    }
  });
}
