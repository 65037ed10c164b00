import type { Access } from '../domain';

/**
 * Every route states who may call it (`config: { access }`): an RPC-equivalent role from the
 * domain's access table, `public`, or `metrics`. The auth hook reads it; a route without it is refused.
 */
declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
}
