import { Type } from '@sinclair/typebox';
import { limits, vectorMessages } from '../../domain';
import { checkedByDomain, collectionNameRule, FloatArray, FreeFormObject, idRule, OptionalVector, RequestBody, textRule } from './common-schemas';

const metadataDoc = 'Free-form JSON object (at most 64 KiB serialized); searchable with the filter language.';

const textDoc =
  'The record\'s text, stored and returned with it; at most 32 KiB of UTF-8, not blank. Only in a collection bound to an ' +
  'embedding model: with no vector, the service embeds it with the bound model; with a vector, the vector is kept.';

const batchRule = checkedByDomain({ minItems: 1, maxItems: limits.maxBatchSize });

/** A vector to write; Insert may leave `id` empty or out (one is generated), Upsert may not. */
function vectorInput(idGenerated: boolean) {
  return RequestBody(
    {
      id: Type.Optional(
        Type.String({
          description: idGenerated ? 'At most 512 bytes. Empty or absent: the service generates one.' : '1..512 bytes; required.',
          examples: ['doc-1'],
          ...(idGenerated ? checkedByDomain({ maxLength: limits.maxIdBytes }) : idRule),
        }),
      ),
      vector: Type.Optional(OptionalVector({ description: 'Exactly vector_dim finite numbers; may be left out (or empty) when text is given in a bound collection.', examples: [[0.12, -0.5, 0.33, 0.9]] })),
      metadata: Type.Optional(FreeFormObject({ description: metadataDoc, examples: [{ genre: 'scifi', year: 2004 }] })),
      text: Type.Optional(Type.String({ description: textDoc, examples: ['The Left Hand of Darkness, a 1969 novel.'], ...textRule })),
    },
    {
      description: 'Vector.',
      ...checkedByDomain({ ...(idGenerated ? {} : { required: ['id'] }), anyOf: [{ required: ['vector'], properties: { vector: { minItems: 1 } } }, { required: ['text'] }] }),
    },
  );
}

const writeExample = {
  vectors: [
    { id: 'doc-1', vector: [0.12, -0.5, 0.33, 0.9], metadata: { genre: 'scifi', year: 2004, author: { name: 'Le Guin' } } },
    { id: '', vector: [0.4, 0.1, -0.2, 0.05], metadata: { genre: 'poetry' } },
  ],
};

const vectorsDoc = '1..10 000 vectors per call (413 above), ids distinct.';

export const InsertVectorsBody = RequestBody(
  { vectors: Type.Array(vectorInput(true), { description: vectorsDoc, ...batchRule }) },
  { description: 'InsertRequest without collection_name (it is in the path).', examples: [writeExample] },
);

export const UpsertVectorsBody = RequestBody(
  { vectors: Type.Array(vectorInput(false), { description: vectorsDoc, ...batchRule }) },
  { description: 'UpsertRequest without collection_name (it is in the path).', examples: [{ vectors: [{ ...writeExample.vectors[0], id: 'doc-1' }] }] },
);

export const WriteVectorsResponse = Type.Object(
  {
    ids: Type.Array(Type.String(), { description: 'The ids written, in input order (generated ones included).' }),
    success: Type.Boolean(),
    message: Type.String(),
  },
  { description: 'InsertResponse / UpsertResponse.', examples: [{ ids: ['doc-1', '5b0f9a1e-0d7c-4c51-9d0e-3c4a1f1b2f6e'], success: true, message: vectorMessages.inserted(2) }] },
);

export const DeleteVectorsBody = RequestBody(
  { ids: Type.Array(Type.String({ ...idRule }), { description: '1..10 000 ids to delete (1..512 bytes each); missing ones are ignored.', ...batchRule }) },
  { description: 'DeleteRequest without collection_name (it is in the path).', examples: [{ ids: ['doc-1', 'doc-2'] }] },
);

export const VectorIdParams = Type.Object({
  name: Type.String({ description: 'Collection name.', examples: ['articles'], ...collectionNameRule }),
  id: Type.String({ description: 'Vector id (URL-encoded), 1..512 bytes.', examples: ['doc-1'], ...idRule }),
});

export const StoredVectorSchema = Type.Object({
  id: Type.String(),
  vector: FloatArray({}),
  metadata: FreeFormObject({ description: metadataDoc }),
  text: Type.Optional(Type.String({ description: 'The record\'s text; absent when it has none.' })),
});

export const GetVectorResponse = Type.Object(
  { vector: StoredVectorSchema },
  { description: 'GetByIDResponse.', examples: [{ vector: { id: 'doc-1', vector: [0.12, -0.5, 0.33, 0.9], metadata: { genre: 'scifi', year: 2004 } } }] },
);
