import { Type } from '@sinclair/typebox';
import { limits } from '../../domain';
import { checkedByDomain, FloatArray, FreeFormObject, RequestBody } from './common-schemas';
import { FilterObject } from './search-schemas';

const pageSizeDoc = `Records per page, 1..${limits.maxPageSize}; 0 or absent: ${limits.defaultPageSize}.`;
const pageTokenDoc = 'next_page_token of the previous page of the same listing (same collection, same filter); empty or absent for the first page. Opaque.';
const includeVectorDoc = 'Return the stored vectors too (default false).';

const pageSize = () =>
  Type.Optional(Type.Integer({ description: pageSizeDoc, examples: [100], ...checkedByDomain({ minimum: 0, maximum: limits.maxPageSize }) }));
const pageToken = () => Type.Optional(Type.String({ description: pageTokenDoc, ...checkedByDomain({ maxLength: limits.maxPageTokenLength }) }));

/** GET /v1/collections/{name}/vectors: ListVectors without a filter, its fields in the query string. */
export const ListVectorsQuery = RequestBody(
  { page_size: pageSize(), page_token: pageToken(), include_vector: Type.Optional(Type.Boolean({ description: includeVectorDoc })) },
  { description: 'ListVectorsRequest without collection_name (in the path) and filter (POST …/vectors/list takes one).' },
);

/** POST /v1/collections/{name}/vectors/list: ListVectors with everything in the body. */
export const ListVectorsBody = RequestBody(
  {
    filter: Type.Optional(FilterObject()),
    page_size: pageSize(),
    page_token: pageToken(),
    include_vector: Type.Optional(Type.Boolean({ description: includeVectorDoc })),
  },
  { description: 'ListVectorsRequest without collection_name (it is in the path).', examples: [{ filter: { genre: 'scifi' }, page_size: 2 }] },
);

export const ListVectorsResponse = Type.Object(
  {
    vectors: Type.Array(
      Type.Object({
        id: Type.String(),
        vector: Type.Optional(FloatArray({ description: 'Present when include_vector was true.' })),
        metadata: FreeFormObject({}),
        text: Type.Optional(Type.String({ description: 'The record\'s text; absent when it has none.' })),
      }),
      { description: 'In ascending id order (byte order of the UTF-8 ids).' },
    ),
    next_page_token: Type.String({ description: 'Send it as page_token for the next page; empty after the last page.' }),
  },
  {
    description: 'ListVectorsResponse.',
    examples: [{ vectors: [{ id: 'doc-1', metadata: { genre: 'scifi' } }, { id: 'doc-2', metadata: { genre: 'scifi' } }], next_page_token: '' }],
  },
);

/** POST /v1/collections/{name}/count: CountVectors with a filter. */
export const CountVectorsBody = RequestBody(
  { filter: Type.Optional(FilterObject()) },
  { description: 'CountVectorsRequest without collection_name (it is in the path).', examples: [{ filter: { genre: 'scifi' } }] },
);

export const CountVectorsResponse = Type.Object(
  { count: Type.Integer({ description: 'Vectors stored now that match the filter (all of them without one).' }) },
  { description: 'CountVectorsResponse.', examples: [{ count: 1234 }] },
);
