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
import { writingFrom } from './vector-request-decoding';

/**
 * The 24 VectorService RPCs (the two snapshot streams in snapshot-handlers.ts): each converts the request, makes one domain call with the call's
 * context as its options, and converts back. The context, not a `{ signal }` copy: its signal
 * (it fires on client cancel and on an expired deadline) is made on first read (unary-call.ts),
 * and a call that never waits on the engine only asks `aborted`, which makes none. Errors are
 * left to the error-mapping middleware. RPCs answering google.protobuf.Empty drop the domain's
 * summary: the seed's contract has no field for it.
 */
export function vectorServiceHandlers(vectors: VectorService, snapshots: SnapshotService): VectorServiceImplementation {
  return {
    ...snapshotHandlers(snapshots),

    async createCollection(req, call) {
      const done = await vectors.createCollection(
        { name: req.name, description: req.description, vectorDim: req.vectorDim, indexParams: indexParamsIn(req.indexParams), embeddingModel: req.embeddingModel },
        call,
      );
      return { success: true, message: done.message };
    },

    async dropCollection(req, call) {
      await vectors.dropCollection(req.name, call);
      return {};
    },

    async hasCollection(req, call) {
      return { exists: await vectors.hasCollection(req.name, call) };
    },

    async listCollections(_req, call) {
      return { names: await vectors.listCollections(call) };
    },

    async getCollectionInfo(req, call) {
      return collectionInfoOut(await vectors.getCollectionInfo(req.name, call));
    },

    async getCollectionStats(req, call) {
      const stats = await vectors.getCollectionStats(req.name, call);
      return { name: stats.name, vectorCount: stats.vectorCount, sizeInBytes: stats.sizeInBytes };
    },

    async createIndex(req, call) {
      await vectors.createIndex(req.collectionName, indexParamsIn(req.indexParams), call);
      return {};
    },

    async dropIndex(req, call) {
      await vectors.dropIndex(req.collectionName, call);
      return {};
    },

    async hasIndex(req, call) {
      return { exists: await vectors.hasIndex(req.collectionName, call) };
    },

    async insert(req, call) {
      const done = await writingFrom(req, call, () => vectors.insert(req.collectionName, req.vectors.map(vectorIn), call));
      return { ids: done.ids, success: true, message: done.message };
    },

    async upsert(req, call) {
      const done = await writingFrom(req, call, () => vectors.upsert(req.collectionName, req.vectors.map(vectorIn), call));
      return { ids: done.ids, success: true, message: done.message };
    },

    async delete(req, call) {
      const done = await vectors.delete(req.collectionName, req.ids, call);
      return { success: true, message: done.message };
    },

    async search(req, call) {
      const hits = await vectors.search(
        req.collectionName,
        { queryVector: req.queryVector, queryText: req.queryText, options: searchOptionsIn(req.options) },
        call,
      );
      return { results: hits.map(searchResultOut) };
    },

    async getByID(req, call) {
      return { vector: vectorOut(await vectors.getById(req.collectionName, req.id, call)) };
    },

    async health(_req, call) {
      const health = await vectors.health(call);
      return { healthy: health.healthy, message: health.message };
    },

    async compact(req, call) {
      await vectors.compact(req.collectionName, call);
      return {};
    },

    async listVectors(req, call) {
      const page = await vectors.listVectors(
        req.collectionName,
        { filter: req.filter, pageSize: req.pageSize, pageToken: req.pageToken, includeVector: req.includeVector },
        call,
      );
      return { vectors: page.vectors.map(listedVectorOut), nextPageToken: page.nextPageToken };
    },

    async countVectors(req, call) {
      return { count: await vectors.countVectors(req.collectionName, req.filter, call) };
    },

    async createAlias(req, call) {
      const done = await vectors.createAlias(req.alias, req.collectionName, call);
      return { success: true, message: done.message };
    },

    async alterAlias(req, call) {
      const done = await vectors.alterAlias(req.alias, req.collectionName, call);
      return { success: true, message: done.message };
    },

    async dropAlias(req, call) {
      const done = await vectors.dropAlias(req.alias, call);
      return { success: true, message: done.message };
    },

    async listAliases(req, call) {
      return { aliases: (await vectors.listAliases(req.collectionName, call)).map(aliasOut) };
    },
  };
}
