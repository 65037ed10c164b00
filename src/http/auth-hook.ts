import type { FastifyInstance } from 'fastify';
import type { AccessControl, Principal } from '../domain';
import { isDomainError } from '../errors';
import { presentedKey } from '../transport/bearer-token';
import './route-access';

declare module 'fastify' {
  interface FastifyRequest {
    /** Whom the API key identified; null for public routes and when authentication is off. */
    principal: Principal | null;
  }
}

/** Swagger UI registers its page and assets itself; they are as public as /openapi.json. */
const SWAGGER_UI = /^\/docs(\/|$)/;

/**
 * Must be registered before any route. Fails closed twice: a route that declares no
 * `config.access` stops the app from building, and every request is checked against its route's
 * access before anything else reads it. Errors go through the route's own error handler, so
 * /openai/v1 answers in OpenAI's error body and the rest in problem+json.
 */
export function registerAccessChecks(app: FastifyInstance, access: AccessControl): void {
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route) => {
    if (route.config?.access !== undefined) return;
    if (SWAGGER_UI.test(route.url)) {
      route.config = { ...route.config, access: 'public' };
      return;
    }
    throw new Error(`route ${String(route.method)} ${route.url} declares no config.access`);
  });
  app.addHook('onRequest', async (request, reply) => {
    const needed = request.routeOptions.config.access;
    // No route matched: the not-found handler answers, and no handler runs.
    if (needed === undefined) return;
    try {
      const principal = access.authenticate(needed, presentedKey(request.headers.authorization));
      if (principal !== undefined) {
        request.principal = principal;
        // Both, so the "request completed" line carries the key's name too.
        request.log = reply.log = request.log.child({ keyName: principal.name });
      }
      access.throttle(needed, principal, request.ip);
    } catch (error) {
      // RFC 6750 §3: a 401 names the scheme the client should use.
      if (isDomainError(error) && error.code === 'UNAUTHENTICATED') reply.header('www-authenticate', 'Bearer');
      throw error;
    }
  });
}
