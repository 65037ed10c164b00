import type { FastifyInstance } from 'fastify';

/**
 * A method a known path does not serve. 405 has no ErrorCode of its own (the closed set is named
 * like gRPC's codes, which have no "method" to get wrong), so it travels as INVALID_ARGUMENT on the
 * field `method` with its own status, as 415 does for `content-type` (fastify-error-translation.ts).
 */
export class MethodNotAllowed extends Error {
  readonly code = 'METHOD_NOT_ALLOWED';

  constructor(
    readonly method: string,
    readonly allowed: readonly string[],
  ) {
    super(`${method} is not served here; allowed: ${allowed.join(', ')}`);
  }
}

interface ServedRoute {
  pattern: RegExp;
  method: string;
  /** Path parameters and wildcards: fewer means a more specific template. */
  params: number;
}

/**
 * RFC 9110 §15.5.6: a request for a path the door serves, with a method it does not serve there,
 * is 405 with `Allow` listing the methods it does serve, rather than 404 (the path exists). Must be
 * registered before any route. Answered in onRequest, before the body is read, so a method Fastify
 * expects a body with (QUERY) is not first refused for its missing Content-Type. The error goes
 * through the matched scope's error handler: problem+json, or OpenAI's body under /openai/v1.
 */
export function refuseUnservedMethods(app: FastifyInstance): void {
  const routes: ServedRoute[] = [];
  app.addHook('onRoute', (route) => {
    const pattern = patternOf(route.url);
    const params = route.url.split('/').filter((segment) => segment.startsWith(':') || segment.includes('*')).length;
    for (const method of [route.method].flat()) routes.push({ pattern, method, params });
  });
  app.addHook('onRequest', async (request, reply) => {
    if (!request.is404) return;
    const q = request.url.indexOf('?');
    const path = q === -1 ? request.url : request.url.slice(0, q);
    const matching = routes.filter((r) => r.pattern.test(path));
    if (matching.length === 0) return;
    // The resource is the most specific template matching the path, as the router and the OpenAPI
    // document see it: `/vectors/delete` is the Delete route (POST), not GetByID of an id 'delete'.
    const specific = Math.min(...matching.map((r) => r.params));
    const allowed = [...new Set(matching.filter((r) => r.params === specific).map((r) => r.method))].sort();
    reply.header('allow', allowed.join(', '));
    throw new MethodNotAllowed(request.method, allowed);
  });
}

/** Fastify's route syntax as a regular expression over the raw path: `:param` is one segment, `*` the rest. */
function patternOf(url: string): RegExp {
  const source = url
    .split(/(:[A-Za-z0-9_]+|\*)/)
    .map((part) => (part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}
