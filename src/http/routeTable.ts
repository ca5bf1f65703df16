import type { FastifyInstance, RouteOptions } from 'fastify';
import { LoaderError } from '../errors.ts';
import { isBehindSignIn, type Role } from './access.ts';

/** Who may call a route: everyone, or callers with at least that role. */
export type Access = Role | 'public';

export interface RouteAccess {
  method: string;
  url: string;
  access: Access;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route the server answers, with who may call it (for the docs' table and the tests). */
    routeAccess(): RouteAccess[];
  }
}

const openRoutes = new WeakSet<object>();

/** Makes `scope` the context of routes anyone may call; they declare no role, so none is mistaken for a check. */
export function openToEveryone(scope: FastifyInstance): void {
  scope.addHook('onRoute', (route) => {
    if (route.config?.role) {
      throw new LoaderError(
        'HTTP_PUBLIC_ROUTE_WITH_ROLE',
        `Route ${String(route.method)} ${route.url} is public but declares the role ${route.config.role}: register it behind sign-in instead.`,
      );
    }
    openRoutes.add(route);
  });
}

/**
 * Records every route of `app` and refuses to start a server with a route that is neither in
 * the public context nor behind sign-in (registered straight on the root, say), because such
 * a route would answer anyone whatever it declares.
 */
export function trackRouteAccess(app: FastifyInstance): void {
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  app.addHook('onReady', async () => {
    const loose = routes.filter((route) => !openRoutes.has(route) && !isBehindSignIn(route));
    if (loose.length > 0) {
      throw new LoaderError(
        'HTTP_ROUTE_UNGUARDED',
        `Routes outside both the public and the signed-in context: ${loose.map(describe).join(', ')}.`,
      );
    }
  });
  app.decorate('routeAccess', () =>
    routes.flatMap((route) =>
      [route.method].flat().map((method) => ({
        method,
        url: route.url,
        access: openRoutes.has(route) ? ('public' as const) : route.config!.role!,
      })),
    ),
  );
}

function describe(route: RouteOptions): string {
  return `${[route.method].flat().join('|')} ${route.url}`;
}
