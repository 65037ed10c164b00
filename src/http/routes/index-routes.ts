import { OPERATION_ACCESS, vectorMessages, type VectorService } from '../../domain';
import type { HttpApp } from '../http-app-type';
import { callOptions } from '../request-signal';
import { CollectionNameParams, SuccessResponse } from '../schemas/common-schemas';
import { CreateIndexBody, HasIndexResponse } from '../schemas/index-schemas';
import { problemResponses } from '../schemas/problem-schemas';
import { indexParamsInput, succeeded } from '../vector-wire';

const tags = ['indexes'];

/** CreateIndex, HasIndex, DropIndex on the collection's one vector index. */
export function indexRoutes(app: HttpApp, vectors: VectorService): void {
  app.put(
    '/v1/collections/:name/index',
    {
      config: { access: OPERATION_ACCESS['VectorService.CreateIndex'] },
      schema: {
        operationId: 'createIndex',
        tags,
        summary: 'Build the vector index',
        description:
          'CreateIndex: builds (or replaces) the collection\'s vector index. 200 with {success, message}; ' +
          '400 for an index type the engine cannot build (the detail lists the supported ones); 404 if the collection does not exist.',
        params: CollectionNameParams,
        body: CreateIndexBody,
        response: { 200: { ...SuccessResponse, examples: [{ success: true, message: vectorMessages.indexBuilt('articles') }] }, ...problemResponses(400, 404, 413, 415) },
      },
    },
    async (request) => succeeded(await vectors.createIndex(request.params.name, indexParamsInput(request.body.index_params), callOptions(request))),
  );

  app.get(
    '/v1/collections/:name/index',
    {
      config: { access: OPERATION_ACCESS['VectorService.HasIndex'] },
      schema: {
        operationId: 'hasIndex',
        tags,
        summary: 'Check for a vector index',
        description: 'HasIndex: {exists} tells whether a vector index is declared (its parameters are in GET /v1/collections/{name}). 404 if the collection does not exist.',
        params: CollectionNameParams,
        response: { 200: HasIndexResponse, ...problemResponses(400, 404) },
      },
    },
    async (request) => ({ exists: await vectors.hasIndex(request.params.name, callOptions(request)) }),
  );

  app.delete(
    '/v1/collections/:name/index',
    {
      config: { access: OPERATION_ACCESS['VectorService.DropIndex'] },
      schema: {
        operationId: 'dropIndex',
        tags,
        summary: 'Drop the vector index',
        description: 'DropIndex: search falls back to exact search. 200 with {success, message}; 404 if the collection does not exist.',
        params: CollectionNameParams,
        response: { 200: { ...SuccessResponse, examples: [{ success: true, message: vectorMessages.indexDropped('articles') }] }, ...problemResponses(400, 404) },
      },
    },
    async (request) => succeeded(await vectors.dropIndex(request.params.name, callOptions(request))),
  );
}
