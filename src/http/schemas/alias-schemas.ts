import { Type } from '@sinclair/typebox';
import { limits, vectorMessages } from '../../domain';
import { checkedByDomain, collectionNameRule, RequestBody, SuccessResponse } from './common-schemas';

const aliasDoc = 'An alias: the collection name rules (^[A-Za-z_][A-Za-z0-9_]{0,254}$), and free among aliases and collections.';
const targetDoc = "A collection's own name (not another alias).";

export const AliasParams = Type.Object({
  alias: Type.String({ description: aliasDoc, examples: ['articles_live'], ...collectionNameRule }),
});

export const CreateAliasBody = RequestBody(
  {
    alias: Type.String({ description: aliasDoc, examples: ['articles_live'], ...collectionNameRule }),
    collection_name: Type.String({ description: targetDoc, examples: ['articles_v2'], ...collectionNameRule }),
  },
  { description: 'CreateAliasRequest.', examples: [{ alias: 'articles_live', collection_name: 'articles_v2' }] },
);

export const AlterAliasBody = RequestBody(
  { collection_name: Type.String({ description: targetDoc, examples: ['articles_v3'], ...collectionNameRule }) },
  { description: 'AlterAliasRequest without alias (it is in the path).', examples: [{ collection_name: 'articles_v3' }] },
);

export const ListAliasesQuery = RequestBody(
  {
    collection_name: Type.Optional(
      Type.String({
        description: 'Only the aliases of this collection (or of the collection this alias names); empty or absent: all.',
        ...checkedByDomain({ pattern: `^$|${limits.collectionName.source}` }),
      }),
    ),
  },
  { description: 'ListAliasesRequest.' },
);

export const ListAliasesResponse = Type.Object(
  {
    aliases: Type.Array(Type.Object({ alias: Type.String(), collection_name: Type.String({ description: 'The collection it names now.' }) }), {
      description: 'Sorted by alias.',
    }),
  },
  { description: 'ListAliasesResponse.', examples: [{ aliases: [{ alias: 'articles_live', collection_name: 'articles_v2' }] }] },
);

export const AliasCreatedResponse = { ...SuccessResponse, examples: [{ success: true, message: vectorMessages.aliasCreated('articles_live', 'articles_v2') }] };
export const AliasAlteredResponse = { ...SuccessResponse, examples: [{ success: true, message: vectorMessages.aliasAltered('articles_live', 'articles_v3') }] };
export const AliasDroppedResponse = { ...SuccessResponse, examples: [{ success: true, message: vectorMessages.aliasDropped('articles_live') }] };
