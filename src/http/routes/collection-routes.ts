import { OPERATION_ACCESS, vectorMessages, type VectorService } from '../../domain';
import type { HttpApp } from '../http-app-type';
import { callOptions } from '../request-signal';
import { CollectionInfoResponse, CollectionStatsResponse, CreateCollectionBody, ListCollectionsResponse } from '../schemas/collection-schemas';
import { CollectionNameParams, SuccessResponse } from '../schemas/common-schemas';
import { problemResponses } from '../schemas/problem-schemas';
import { collectionInfoOutput, createCollectionInput, succeeded } from '../vector-wire';

const tags = ['collections'];

/** CreateCollection, ListCollections, GetCollectionInfo, HasCollection, DropCollection, GetCollectionStats, Compact. */
export function collectionRoutes(app: HttpApp, vectors: VectorService): void {
  app.post(
    '/v1/collections',
    {
      config: { access: OPERATION_ACCESS['VectorService.CreateCollection'] },
      schema: {
        operationId: 'createCollection',
        tags,
        summary: 'Create a collection',
        description:
          'CreateCollection. Answers 201 with a Location header. 409 ALREADY_EXISTS if the name is taken; ' +
          '400 for a bad name, dimension, metric or index type.',
        body: CreateCollectionBody,
        response: {
          201: { ...SuccessResponse, examples: [{ success: true, message: vectorMessages.created('articles') }] },
          ...problemResponses(400, 404, 409, 413, 415, 429, 504),
        },
      },
    },
    async (request, reply) => {
      const done = await vectors.createCollection(createCollectionInput(request.body), callOptions(request));
      const location = `/v1/collections/${encodeURIComponent(request.body.name)}`;
      return reply.code(201).header('location', location).send(succeeded(done));
    },
  );

  app.get(
    '/v1/collections',
    {
      config: { access: OPERATION_ACCESS['VectorService.ListCollections'] },
      schema: {
        operationId: 'listCollections',
        tags,
        summary: 'List collections',
        description: 'ListCollections: every collection name, in ascending order.',
        response: { 200: ListCollectionsResponse, ...problemResponses() },
      },
    },
    async (request) => ({ names: await vectors.listCollections(callOptions(request)) }),
  );

  app.get(
    '/v1/collections/:name',
    {
      config: { access: OPERATION_ACCESS['VectorService.GetCollectionInfo'] },
      schema: {
        operationId: 'getCollectionInfo',
        tags,
        summary: 'Describe a collection',
        description: 'GetCollectionInfo: description, dimension, index parameters and timestamps. 404 if the collection does not exist.',
        params: CollectionNameParams,
        response: { 200: CollectionInfoResponse, ...problemResponses(400, 404) },
      },
    },
    async (request) => collectionInfoOutput(await vectors.getCollectionInfo(request.params.name, callOptions(request))),
  );

  app.head(
    '/v1/collections/:name',
    {
      config: {
        access: OPERATION_ACCESS['VectorService.HasCollection'],
        // @fastify/swagger leaves HEAD routes out unless asked, then suffixes their operationId with
        // "-head"; this HEAD is an operation of its own (HasCollection), so its id is kept.
        swagger: { exposeHeadRoute: true },
        swaggerTransform: ({ schema, url }) => ({ schema: { ...schema, operationId: 'hasCollection' }, url }),
      },
      schema: {
        operationId: 'hasCollection',
        tags,
        summary: 'Check that a collection exists',
        description: 'HasCollection: 200 if the collection exists, 404 if not, 400 for an invalid name. Never a body.',
        params: CollectionNameParams,
        response: {
          200: { description: 'The collection exists.', type: 'null' },
          400: { description: 'The name is invalid.', type: 'null' },
          404: { description: 'The collection does not exist.', type: 'null' },
        },
      },
    },
    async (request, reply) => {
      const exists = await vectors.hasCollection(request.params.name, callOptions(request));
      return reply.code(exists ? 200 : 404).send();
    },
  );

  app.delete(
    '/v1/collections/:name',
    {
      config: { access: OPERATION_ACCESS['VectorService.DropCollection'] },
      schema: {
        operationId: 'dropCollection',
        tags,
        summary: 'Drop a collection',
        description: 'DropCollection: removes the collection and all its vectors. 200 with {success, message}; 404 if it does not exist.',
        params: CollectionNameParams,
        response: { 200: { ...SuccessResponse, examples: [{ success: true, message: vectorMessages.dropped('articles') }] }, ...problemResponses(400, 404) },
      },
    },
    async (request) => succeeded(await vectors.dropCollection(request.params.name, callOptions(request))),
  );

  app.get(
    '/v1/collections/:name/stats',
    {
      config: { access: OPERATION_ACCESS['VectorService.GetCollectionStats'] },
      schema: {
        operationId: 'getCollectionStats',
        tags,
        summary: 'Collection statistics',
        description: 'GetCollectionStats: vector count and on-disk size. 404 if the collection does not exist.',
        params: CollectionNameParams,
        response: { 200: CollectionStatsResponse, ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const stats = await vectors.getCollectionStats(request.params.name, callOptions(request));
      return { name: stats.name, vector_count: stats.vectorCount, size_in_bytes: stats.sizeInBytes };
    },
  );

  app.post(
    '/v1/collections/:name/compact',
    {
      config: { access: OPERATION_ACCESS['VectorService.Compact'] },
      schema: {
        operationId: 'compactCollection',
        tags,
        summary: 'Compact a collection',
        description: 'Compact: merges small files and purges deleted rows. No body. 200 with {success, message}; 404 if the collection does not exist.',
        params: CollectionNameParams,
        response: { 200: { ...SuccessResponse, examples: [{ success: true, message: vectorMessages.compacted('articles') }] }, ...problemResponses(400, 404) },
      },
    },
    async (request) => succeeded(await vectors.compact(request.params.name, callOptions(request))),
  );
}
