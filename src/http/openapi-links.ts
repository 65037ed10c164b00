/**
 * OpenAPI links: how a response feeds the next call (the collection just created is the one to
 * insert into; the id just inserted is the one to fetch). Swagger UI shows them, and stateful
 * fuzzers (schemathesis) follow them to reach code behind an existing collection instead of
 * guessing names that mostly do not exist.
 */
type Operations = Record<string, Record<string, { operationId?: string; responses?: Record<string, { links?: unknown }> }>>;

const COLLECTION_FROM_BODY = { name: '$request.body#/name' };
const SAME_COLLECTION = { name: '$request.path.name' };
const MODEL_FROM_BODY = { name: '$request.body#/config/name' };
const ALIAS_FROM_BODY = { alias: '$request.body#/alias' };
/** The collection an upload just created. */
const IMPORTED = { name: '$response.body#/collection_name' };
/** A collection's calls made through the alias just created. */
const THROUGH_ALIAS = { name: '$request.body#/alias' };

/** operationId → status → link name → the operation it leads to and how its parameters are filled. */
interface Link {
  operationId: string;
  parameters?: Record<string, string>;
  /** A body (merged into the generated one by schemathesis) whose values may be runtime expressions. */
  requestBody?: Record<string, string>;
}

const LINKS: Record<string, Record<string, Record<string, Link>>> = {
  createCollection: {
    201: {
      InsertVectors: { operationId: 'insertVectors', parameters: COLLECTION_FROM_BODY },
      UpsertVectors: { operationId: 'upsertVectors', parameters: COLLECTION_FROM_BODY },
      SearchVectors: { operationId: 'searchVectors', parameters: COLLECTION_FROM_BODY },
      GetCollectionInfo: { operationId: 'getCollectionInfo', parameters: COLLECTION_FROM_BODY },
      GetCollectionStats: { operationId: 'getCollectionStats', parameters: COLLECTION_FROM_BODY },
      CreateIndex: { operationId: 'createIndex', parameters: COLLECTION_FROM_BODY },
      CompactCollection: { operationId: 'compactCollection', parameters: COLLECTION_FROM_BODY },
      ListVectors: { operationId: 'listVectors', parameters: COLLECTION_FROM_BODY },
      ListVectorsFiltered: { operationId: 'listVectorsFiltered', parameters: COLLECTION_FROM_BODY },
      CountVectors: { operationId: 'countVectors', parameters: COLLECTION_FROM_BODY },
      CountVectorsFiltered: { operationId: 'countVectorsFiltered', parameters: COLLECTION_FROM_BODY },
      // An alias of the new collection: its name with a suffix (runtime expressions embed in strings).
      CreateAlias: { operationId: 'createAlias', requestBody: { alias: '{$request.body#/name}_live', collection_name: '$request.body#/name' } },
      DropCollection: { operationId: 'dropCollection', parameters: COLLECTION_FROM_BODY },
      ExportSnapshot: { operationId: 'exportSnapshot', parameters: COLLECTION_FROM_BODY },
      // Over the new collection's name: 409 unless replace=true, then the upload's checks.
      ImportSnapshot: { operationId: 'importSnapshot', parameters: COLLECTION_FROM_BODY },
    },
  },
  importSnapshot: {
    201: {
      GetCollectionInfo: { operationId: 'getCollectionInfo', parameters: IMPORTED },
      ListVectors: { operationId: 'listVectors', parameters: IMPORTED },
      ExportSnapshot: { operationId: 'exportSnapshot', parameters: IMPORTED },
      DropCollection: { operationId: 'dropCollection', parameters: IMPORTED },
    },
  },
  insertVectors: {
    200: {
      GetVectorById: { operationId: 'getVectorById', parameters: { ...SAME_COLLECTION, id: '$response.body#/ids/0' } },
      SearchVectors: { operationId: 'searchVectors', parameters: SAME_COLLECTION },
      DeleteVectors: { operationId: 'deleteVectors', parameters: SAME_COLLECTION },
    },
  },
  upsertVectors: {
    200: { GetVectorById: { operationId: 'getVectorById', parameters: { ...SAME_COLLECTION, id: '$response.body#/ids/0' } } },
  },
  createIndex: {
    200: {
      HasIndex: { operationId: 'hasIndex', parameters: SAME_COLLECTION },
      SearchVectors: { operationId: 'searchVectors', parameters: SAME_COLLECTION },
      DropIndex: { operationId: 'dropIndex', parameters: SAME_COLLECTION },
    },
  },
  createAlias: {
    201: {
      AlterAlias: { operationId: 'alterAlias', parameters: ALIAS_FROM_BODY, requestBody: { collection_name: '$request.body#/collection_name' } },
      DropAlias: { operationId: 'dropAlias', parameters: ALIAS_FROM_BODY },
      ListAliases: { operationId: 'listAliases', parameters: { 'query.collection_name': '$request.body#/collection_name' } },
      GetCollectionInfo: { operationId: 'getCollectionInfo', parameters: THROUGH_ALIAS },
      InsertVectors: { operationId: 'insertVectors', parameters: THROUGH_ALIAS },
      SearchVectors: { operationId: 'searchVectors', parameters: THROUGH_ALIAS },
      ListVectors: { operationId: 'listVectors', parameters: THROUGH_ALIAS },
      CountVectors: { operationId: 'countVectors', parameters: THROUGH_ALIAS },
      DropCollection: { operationId: 'dropCollection', parameters: THROUGH_ALIAS },
    },
  },
  listVectors: {
    200: { NextPage: { operationId: 'listVectors', parameters: { ...SAME_COLLECTION, 'query.page_token': '$response.body#/next_page_token' } } },
  },
  registerModel: {
    201: {
      GetModelInfo: { operationId: 'getModelInfo', parameters: MODEL_FROM_BODY },
      UpdateModelConfig: { operationId: 'updateModelConfig', parameters: MODEL_FROM_BODY },
      UnregisterModel: { operationId: 'unregisterModel', parameters: MODEL_FROM_BODY },
    },
  },
};

/** @fastify/swagger's transformObject: adds the links above to the generated document. */
export function withLinks<T extends { paths?: unknown }>(document: T): T {
  const paths = (document.paths ?? {}) as Operations;
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      const links = operation.operationId === undefined ? undefined : LINKS[operation.operationId];
      if (links === undefined) continue;
      for (const [status, entries] of Object.entries(links)) {
        const response = operation.responses?.[status];
        if (response !== undefined) response.links = entries;
      }
    }
  }
  return document;
}
