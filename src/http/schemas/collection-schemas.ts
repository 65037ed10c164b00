import { Type } from '@sinclair/typebox';
import { limits } from '../../domain';
import { checkedByDomain, collectionNameRule, indexParamsInput, IndexParamsOutput, RequestBody } from './common-schemas';

export const CreateCollectionBody = RequestBody(
  {
    name: Type.String({ description: 'Unique name: ^[A-Za-z_][A-Za-z0-9_]{0,254}$.', examples: ['articles'], ...collectionNameRule }),
    description: Type.Optional(
      Type.String({ description: 'Free text, at most 4096 characters.', examples: ['news embeddings'], ...checkedByDomain({ maxLength: limits.maxDescriptionLength }) }),
    ),
    vector_dim: Type.Integer({
      description: 'Dimension of every vector, 1..32768.',
      examples: [384],
      ...checkedByDomain({ minimum: limits.minDimension, maximum: limits.maxDimension }),
    }),
    index_params: Type.Optional(indexParamsInput(false)),
  },
  {
    description: 'CreateCollectionRequest.',
    examples: [
      {
        name: 'articles',
        description: 'news embeddings',
        vector_dim: 384,
        index_params: { index_type: 'HNSW', metric_type: 'COSINE', params: { m: 16, ef_construction: 200 } },
      },
    ],
  },
);

export const ListCollectionsResponse = Type.Object(
  { names: Type.Array(Type.String(), { description: 'Collection names in ascending order.' }) },
  { description: 'ListCollectionsResponse.', examples: [{ names: ['articles', 'images'] }] },
);

export const CollectionInfoResponse = Type.Object(
  {
    name: Type.String(),
    description: Type.String(),
    vector_dim: Type.Integer(),
    index_params: IndexParamsOutput,
    created_at: Type.Integer({ description: 'Unix milliseconds.' }),
    updated_at: Type.Integer({ description: 'Unix milliseconds of the last change to definition or data.' }),
  },
  {
    description: 'GetCollectionInfoResponse. Timestamps are JSON numbers (Unix ms), not proto3-JSON strings.',
    examples: [
      {
        name: 'articles',
        description: 'news embeddings',
        vector_dim: 384,
        index_params: { index_type: 'HNSW', metric_type: 'COSINE', params: { m: 16 } },
        created_at: 1735689600000,
        updated_at: 1735693200000,
      },
    ],
  },
);

export const CollectionStatsResponse = Type.Object(
  {
    name: Type.String(),
    vector_count: Type.Integer({ description: 'Number of stored vectors.' }),
    size_in_bytes: Type.Integer({ description: 'On-disk size as reported by the engine.' }),
  },
  { description: 'GetCollectionStatsResponse.', examples: [{ name: 'articles', vector_count: 120000, size_in_bytes: 196608000 }] },
);
