import { Type } from '@sinclair/typebox';
import { FIELD_OPERATORS, limits } from '../../domain';
import { checkedByDomain, FloatArray, FreeFormObject, InputVector, RequestBody } from './common-schemas';

const filterDoc =
  'Mongo-style filter: a bare value means $eq; operators $eq $ne $gt $gte $lt $lte $in $nin $exists, ' +
  'composed with $and $or $not; dotted keys reach nested metadata ("author.name"). Values: string, number, boolean.';

/**
 * The filter's first level as JSON Schema states it: `$and`/`$or` (non-empty arrays of filters),
 * `$not` (a filter), or a dotted key (no empty segment, none starting with `$`) holding a scalar or
 * a non-empty operator object. Deeper levels follow the same grammar (docs/API.md).
 */
const filterRules = checkedByDomain({
  propertyNames: { pattern: '^(\\$(and|or|not)|[^$.][^.]*(\\.[^$.][^.]*)*)$', maxLength: limits.filter.maxKeyBytes },
  patternProperties: {
    '^\\$(and|or)$': { type: 'array', minItems: 1, items: { type: 'object' } },
    '^\\$not$': { type: 'object' },
    '^[^$]': {
      anyOf: [
        { type: ['string', 'number', 'boolean'] },
        { type: 'object', minProperties: 1, propertyNames: { enum: [...FIELD_OPERATORS] } },
      ],
    },
  },
});

/** The filter language as a request field (Search's options.filter, ListVectors' and CountVectors' filter). */
export function FilterObject(description = filterDoc) {
  return FreeFormObject({ description, examples: [{ genre: 'scifi', year: { $gte: 2000, $lt: 2010 } }], ...filterRules });
}

export const SearchOptionsSchema = RequestBody(
  {
    topk: Type.Optional(Type.Integer({ description: 'How many hits, 1..1024 (default 10).', examples: [5], ...checkedByDomain({ minimum: limits.minTopK, maximum: limits.maxTopK }) })),
    include_vector: Type.Optional(Type.Boolean({ description: 'Return each hit\'s vector (default false).' })),
    filter: Type.Optional(FilterObject()),
  },
  { description: 'SearchOptions. Absent options mean top 10, no vectors, no filter.' },
);

export const SearchBody = RequestBody(
  {
    query_vector: InputVector({ description: 'Exactly vector_dim finite numbers.', examples: [[0.1, -0.4, 0.3, 0.8]] }),
    options: Type.Optional(SearchOptionsSchema),
  },
  {
    description: 'SearchRequest without collection_name (it is in the path).',
    examples: [
      {
        query_vector: [0.1, -0.4, 0.3, 0.8],
        options: { topk: 5, include_vector: false, filter: { genre: 'scifi', year: { $gte: 2000 }, $or: [{ lang: 'en' }, { lang: { $exists: false } }] } },
      },
    ],
  },
);

export const SearchResponse = Type.Object(
  {
    results: Type.Array(
      Type.Object({
        id: Type.String(),
        score: Type.Number({ description: 'Similarity for COSINE and IP (higher is closer); squared L2 distance for L2 (lower is closer).' }),
        vector: Type.Optional(FloatArray({ description: 'Present when include_vector was true.' })),
        metadata: FreeFormObject({}),
      }),
      { description: 'Hits, closest first.' },
    ),
  },
  { description: 'SearchResponse.', examples: [{ results: [{ id: 'doc-1', score: 0.97, metadata: { genre: 'scifi', year: 2004 } }] }] },
);
