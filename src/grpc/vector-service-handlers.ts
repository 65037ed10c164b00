import type { SnapshotService, VectorService } from '../domain';
import { snapshotHandlers } from './snapshot-handlers';
import type { VectorServiceImplementation } from '../gen/taishang/ai/v1/vector_service';
import {
  aliasOut,
  collectionInfoOut,
  listedVectorOut,
  indexParamsIn,
  searchOptionsIn,
  searchResultOut,
  vectorIn,
  vectorOut,
} from './vector-wire';

/**
 * The 24 VectorService RPCs (the two snapshot streams in snapshot-handlers.ts): each converts the request, makes one domain call with the call's
 * signal (it fires on client cancel and on an expired deadline), and converts back. Errors are
 * left to the error-mapping middleware. RPCs answering google.protobuf.Empty drop the domain's
 * summary: the seed's contract has no field for it.
 */
export function vectorServiceHandlers(vectors: VectorService, snapshots: SnapshotService): VectorServiceImplementation {
  return {
    ...snapshotHandlers(snapshots),

    async createCollection(req, { signal }) {
      const done = await vectors.createCollection(
        { name: req.name, description: req.description, vectorDim: req.vectorDim, indexParams: indexParamsIn(req.indexParams), embeddingModel: req.embeddingModel },
        { signal },
      );
      return { success: true, message: done.message };
    },

    async dropCollection(req, { signal }) {
      await vectors.dropCollection(req.name, { signal });
      return {};
    },

    async hasCollection(req, { signal }) {
      return { exists: await vectors.hasCollection(req.name, { signal }) };
    },

    async listCollections(_req, { signal }) {
      return { names: await vectors.listCollections({ signal }) };
    },

    async getCollectionInfo(req, { signal }) {
      return collectionInfoOut(await vectors.getCollectionInfo(req.name, { signal }));
    },

    async getCollectionStats(req, { signal }) {
      const stats = await vectors.getCollectionStats(req.name, { signal });
      return { name: stats.name, vectorCount: stats.vectorCount, sizeInBytes: stats.sizeInBytes };
    },

    async createIndex(req, { signal }) {
      await vectors.createIndex(req.collectionName, indexParamsIn(req.indexParams), { signal });
      return {};
    },

    async dropIndex(req, { signal }) {
      await vectors.dropIndex(req.collectionName, { signal });
      return {};
    },

    async hasIndex(req, { signal }) {
      return { exists: await vectors.hasIndex(req.collectionName, { signal }) };
    },

    async insert(req, { signal }) {
      const done = await vectors.insert(req.collectionName, req.vectors.map(vectorIn), { signal });
      return { ids: done.ids, success: true, message: done.message };
    },

    async upsert(req, { signal }) {
      const done = await vectors.upsert(req.collectionName, req.vectors.map(vectorIn), { signal });
      return { ids: done.ids, success: true, message: done.message };
    },

    async delete(req, { signal }) {
      const done = await vectors.delete(req.collectionName, req.ids, { signal });
      return { success: true, message: done.message };
    },

    async search(req, { signal }) {
      const hits = await vectors.search(
        req.collectionName,
        { queryVector: req.queryVector, queryText: req.queryText, options: searchOptionsIn(req.options) },
        { signal },
      );
      return { results: hits.map(searchResultOut) };
    },

    async getByID(req, { signal }) {
      return { vector: vectorOut(await vectors.getById(req.collectionName, req.id, { signal })) };
    },

    async health(_req, { signal }) {
      const health = await vectors.health({ signal });
      return { healthy: health.healthy, message: health.message };
    },

    async compact(req, { signal }) {
      await vectors.compact(req.collectionName, { signal });
      return {};
    },

    async listVectors(req, { signal }) {
      const page = await vectors.listVectors(
        req.collectionName,
        { filter: req.filter, pageSize: req.pageSize, pageToken: req.pageToken, includeVector: req.includeVector },
        { signal },
      );
      return { vectors: page.vectors.map(listedVectorOut), nextPageToken: page.nextPageToken };
    },

    async countVectors(req, { signal }) {
      return { count: await vectors.countVectors(req.collectionName, req.filter, { signal }) };
    },

    async createAlias(req, { signal }) {
      const done = await vectors.createAlias(req.alias, req.collectionName, { signal });
      return { success: true, message: done.message };
    },

    async alterAlias(req, { signal }) {
      const done = await vectors.alterAlias(req.alias, req.collectionName, { signal });
      return { success: true, message: done.message };
    },

    async dropAlias(req, { signal }) {
      const done = await vectors.dropAlias(req.alias, { signal });
      return { success: true, message: done.message };
    },

    async listAliases(req, { signal }) {
      return { aliases: (await vectors.listAliases(req.collectionName, { signal })).map(aliasOut) };
    },
  };
}
