import { Type } from '@sinclair/typebox';
import { limits } from '../../domain';
import { checkedByDomain, collectionNameRule, indexParamsInput, IndexParamsOutput, modelNameRule, RequestBody } from './common-schemas';

export const CreateCollectionBody = RequestBody(
  {
    name: Type.String({ description: 'Unique name: ^[A-Za-z_][A-Za-z0-9_]{0,254}$.', examples: ['articles'], ...collectionNameRule }),
    description: Type.Optional(
      Type.String({ description: 'Free text, at most 4096 characters.', examples: ['news embeddings'], ...checkedByDomain({ maxLength: limits.maxDescriptionLength }) }),
    ),
    vector_dim: Type.Integer({
      description: 'Dimension of every vector, 1..32768. With embedding_model: 0 (the model\'s dimension) or exactly the model\'s dimension.',
      examples: [384],
      ...checkedByDomain({ minimum: 0, maximum: limits.maxDimension }),
    }),
    index_params: Type.Optional(indexParamsInput(false)),
    embedding_model: Type.Optional(
      Type.String({
        description:
          'A registered embedding model to bind the collection to: records may then carry text alone (the service embeds it) and ' +
          'searches may send query_text. Fixed for the collection\'s life; the model cannot be unregistered while bound. Empty: none.',
        examples: ['all-MiniLM-L6-v2'],
        ...checkedByDomain({ anyOf: [{ const: '' }, modelNameRule['x-domain-rules']] }),
      }),
    ),
  },
  {
    ...checkedByDomain({
      anyOf: [
        { properties: { vector_dim: { minimum: limits.minDimension } } },
        { required: ['embedding_model'], properties: { embedding_model: { minLength: 1 } } },
      ],
    }),
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
    embedding_model: Type.Optional(
      Type.Object(
        {
          name: Type.String({ description: 'The registered name.' }),
          provider: Type.String(),
          model_id: Type.String(),
          weights: Type.String({ description: 'What pins the weights: dtype, and a Matryoshka cut when configured.' }),
          dimension: Type.Integer(),
        },
        { description: 'The embedding model the collection is bound to; absent for a collection of plain vectors.' },
      ),
    ),
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
