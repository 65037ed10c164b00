import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyTypeProvider } from 'fastify';

/**
 * Infers handler types from @sinclair/typebox schemas. @fastify/type-provider-typebox 6.x is built
 * on the newer `typebox` 1.x package, whose types do not match the 0.34 schemas the project uses.
 */
export interface TypeBoxProvider extends FastifyTypeProvider {
  validator: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
  serializer: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
}
