import { Type } from '@sinclair/typebox';
import { indexParamsInput, RequestBody } from './common-schemas';

export const CreateIndexBody = RequestBody(
  { index_params: indexParamsInput(true) },
  {
    description: 'CreateIndexRequest without collection_name (it is in the path). index_type is required here.',
    examples: [{ index_params: { index_type: 'HNSW', metric_type: 'COSINE', params: { m: 16, ef_construction: 200 } } }],
  },
);

export const HasIndexResponse = Type.Object(
  { exists: Type.Boolean({ description: 'Whether a vector index is declared on the collection.' }) },
  { description: 'HasIndexResponse.', examples: [{ exists: true }] },
);
