import { Type } from '@sinclair/typebox';
import { FIELD_OPERATORS, limits } from '../../domain';
import { checkedByDomain, FloatArray, FreeFormObject, modelNameRule, OptionalVector, RequestBody, textRule } from './common-schemas';

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
    mode: Type.Optional(
      Type.String({
        ...checkedByDomain({ enum: ['vector', 'text', 'hybrid', ''] }),
        description:
          'vector (default; query_text is embedded with the bound model), text (BM25 over the stored texts; needs query_text) or ' +
          'hybrid (both rankings fused by Reciprocal Rank Fusion; needs query_text). Scores: similarity or distance, BM25, RRF.',
        examples: ['hybrid'],
      }),
    ),
    rrf_k: Type.Optional(
      Type.Integer({ description: 'Reciprocal Rank Fusion\'s k in hybrid mode, 1..10000 (default 60).', examples: [60], ...checkedByDomain({ minimum: 1, maximum: limits.maxRrfK }) }),
    ),
    rerank: Type.Optional(
      RequestBody(
        {
          model: Type.String({ description: 'A registered reranker model.', examples: ['all-MiniLM-L6-v2-rerank'], ...modelNameRule }),
          candidates: Type.Optional(
            Type.Integer({
              description: 'Hits fetched and reranked, topk..1000; 0 or absent: max(topk, 50).',
              examples: [50],
              ...checkedByDomain({ minimum: 0, maximum: limits.maxRerankCandidates }),
            }),
          ),
        },
        { description: 'Rerank the search\'s candidates by their texts with a reranker model (needs query_text); scores become relevance scores.' },
      ),
    ),
  },
  { description: 'SearchOptions. Absent options mean top 10, no vectors, no filter, vector mode.' },
);

export const SearchBody = RequestBody(
  {
    query_vector: Type.Optional(OptionalVector({ description: 'Exactly vector_dim finite numbers ([] means none). Exclusive with query_text.', examples: [[0.1, -0.4, 0.3, 0.8]] })),
    query_text: Type.Optional(
      Type.String({
        description: 'A text query, in a collection bound to an embedding model: embedded (vector mode), matched by BM25 (text mode) or both (hybrid). At most 32 KiB.',
        examples: ['novels about winter planets'],
        ...textRule,
      }),
    ),
    options: Type.Optional(SearchOptionsSchema),
  },
  {
    // One query, by vector or by text; text and hybrid modes, and reranking, need the text.
    ...checkedByDomain({
      oneOf: [{ required: ['query_vector'], properties: { query_vector: { minItems: 1 } } }, { required: ['query_text'] }],
      anyOf: [
        { required: ['query_text'] },
        {
          not: {
            required: ['options'],
            properties: { options: { anyOf: [{ required: ['mode'], properties: { mode: { enum: ['text', 'hybrid'] } } }, { required: ['rerank'] }] } },
          },
        },
      ],
    }),
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
        text: Type.Optional(Type.String({ description: 'The record\'s text; absent when it has none.' })),
      }),
      { description: 'Hits, best first (closest; highest BM25, RRF or relevance score in the other modes), equal scores by id.' },
    ),
  },
  { description: 'SearchResponse.', examples: [{ results: [{ id: 'doc-1', score: 0.97, metadata: { genre: 'scifi', year: 2004 } }] }] },
);
