import Ajv from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';
import { DOMAIN_RULES } from './schemas/common-schemas';

/**
 * The validator of routes that read the query string. A query string carries text only, so
 * `page_size=10` must be read as the integer its schema declares and `include_vector=true` as a
 * boolean: this Ajv coerces those scalars, where the app's does not (a body's "1.5" must never
 * become 1.5; build-http-app.ts). Anything that is not a clean integer or boolean stays a 400
 * naming the parameter. Bodies never go through it: the routes using it have none.
 */
const ajv = new Ajv({ coerceTypes: true, useDefaults: false, removeAdditional: false, allErrors: false, keywords: [DOMAIN_RULES] });

export const queryValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema }) => ajv.compile(schema as object);
