import { Type, type ObjectOptions, type SchemaOptions, type TProperties } from '@sinclair/typebox';
import { vectorMessages } from '../../domain';

/** A JSON object with free keys (metadata, filters, index params); nothing is dropped when serialized. */
export function FreeFormObject(options: SchemaOptions) {
  return Type.Unsafe<Record<string, unknown>>({ ...options, type: 'object', additionalProperties: true });
}

/** A request body: unknown fields are rejected (proto3 JSON does the same), so a typo is a 400, not a silent default. */
export function RequestBody<T extends TProperties>(properties: T, options: ObjectOptions) {
  return Type.Object(properties, { ...options, additionalProperties: false });
}

/** A vector: exactly `vector_dim` finite numbers. Strings are not coerced; the dimension is checked by the domain. */
export function FloatArray(options: SchemaOptions) {
  return Type.Array(Type.Number(), options);
}

export const CollectionNameParams = Type.Object({
  name: Type.String({ description: 'Collection name: ^[A-Za-z_][A-Za-z0-9_]{0,254}$', examples: ['articles'] }),
});

export const SuccessResponse = Type.Object(
  {
    success: Type.Boolean({ description: 'Always true: failures are problem+json errors, never success=false.' }),
    message: Type.String({ description: 'A short human-readable summary.' }),
  },
  { description: 'The operation succeeded.', examples: [{ success: true, message: vectorMessages.dropped('articles') }] },
);

const indexTypeDoc = 'FLAT (exact), HNSW, IVF_FLAT, IVF_PQ or AUTOINDEX; each engine rejects the ones it cannot build, naming those it can.';
const metricTypeDoc = 'COSINE (default), IP or L2. score is the similarity for COSINE and IP, the squared Euclidean distance for L2.';
const paramsDoc = 'Engine-neutral build and search parameters such as m, ef_construction, ef, nlist, nprobe.';

/** IndexParams as sent: every field optional; values are checked by the domain. */
export const IndexParamsInput = RequestBody(
  {
    index_type: Type.Optional(Type.String({ description: `${indexTypeDoc} Empty or absent: no index.`, examples: ['HNSW'] })),
    metric_type: Type.Optional(Type.String({ description: metricTypeDoc, examples: ['COSINE'] })),
    params: Type.Optional(FreeFormObject({ description: paramsDoc, examples: [{ m: 16, ef_construction: 200 }] })),
  },
  { description: 'Index and metric of a collection.' },
);

/** IndexParams as returned: index_type is empty when no index is declared. */
export const IndexParamsOutput = Type.Object(
  {
    index_type: Type.String({ description: `${indexTypeDoc} Empty when no index is declared.` }),
    metric_type: Type.String({ description: metricTypeDoc }),
    params: FreeFormObject({ description: paramsDoc }),
  },
  { description: 'Index and metric of a collection.' },
);
