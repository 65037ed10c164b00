import { OPERATION_ACCESS, vectorMessages, type VectorService } from '../../domain';
import type { HttpApp } from '../http-app-type';
import { callOptions } from '../request-signal';
import { CollectionNameParams, SuccessResponse } from '../schemas/common-schemas';
import { problemResponses } from '../schemas/problem-schemas';
import { DeleteVectorsBody, GetVectorResponse, InsertVectorsBody, UpsertVectorsBody, VectorIdParams, WriteVectorsResponse } from '../schemas/vector-schemas';
import { succeeded, vectorInputs, written } from '../vector-wire';

const tags = ['vectors'];

/** Insert, Upsert, Delete and GetByID. */
export function vectorRoutes(app: HttpApp, vectors: VectorService): void {
  app.post(
    '/v1/collections/:name/vectors',
    {
      config: { access: OPERATION_ACCESS['VectorService.Insert'] },
      schema: {
        operationId: 'insertVectors',
        tags,
        summary: 'Insert vectors',
        description:
          'Insert: all or nothing. Empty or absent ids are generated and returned in `ids`. 409 ALREADY_EXISTS if an id is stored ' +
          '(nothing of the batch is written); 400 for a wrong dimension, a non-number element or duplicate ids; 413 above 10 000 vectors.',
        params: CollectionNameParams,
        body: InsertVectorsBody,
        response: { 200: WriteVectorsResponse, ...problemResponses(400, 404, 409, 413, 415, 429, 504) },
      },
    },
    async (request) => written(await vectors.insert(request.params.name, vectorInputs(request.body), callOptions(request))),
  );

  app.put(
    '/v1/collections/:name/vectors',
    {
      config: { access: OPERATION_ACCESS['VectorService.Upsert'] },
      schema: {
        operationId: 'upsertVectors',
        tags,
        summary: 'Insert or overwrite vectors',
        description: 'Upsert: writes by id, overwriting existing vectors. Every id is required (1..512 bytes). 413 above 10 000 vectors.',
        params: CollectionNameParams,
        body: UpsertVectorsBody,
        response: {
          200: { ...WriteVectorsResponse, examples: [{ ids: ['doc-1'], success: true, message: vectorMessages.upserted(1) }] },
          ...problemResponses(400, 404, 413, 415, 429, 504),
        },
      },
    },
    async (request) => written(await vectors.upsert(request.params.name, vectorInputs(request.body), callOptions(request))),
  );

  app.post(
    '/v1/collections/:name/vectors/delete',
    {
      config: { access: OPERATION_ACCESS['VectorService.Delete'] },
      schema: {
        operationId: 'deleteVectors',
        tags,
        summary: 'Delete vectors by id',
        description: 'Delete: idempotent, missing ids are ignored. A POST because the id list travels in the body. 200 with {success, message}.',
        params: CollectionNameParams,
        body: DeleteVectorsBody,
        response: {
          200: { ...SuccessResponse, examples: [{ success: true, message: vectorMessages.deleted(2) }] },
          ...problemResponses(400, 404, 413, 415, 429),
        },
      },
    },
    async (request) => succeeded(await vectors.delete(request.params.name, request.body.ids, callOptions(request))),
  );

  app.get(
    '/v1/collections/:name/vectors/:id',
    {
      config: { access: OPERATION_ACCESS['VectorService.GetByID'] },
      schema: {
        operationId: 'getVectorById',
        tags,
        summary: 'Get one vector',
        description: 'GetByID: the vector and its metadata. 404 if the collection or the id does not exist; 400 for an id over 512 bytes.',
        params: VectorIdParams,
        response: { 200: GetVectorResponse, ...problemResponses(400, 404) },
      },
    },
    async (request) => ({ vector: await vectors.getById(request.params.name, request.params.id, callOptions(request)) }),
  );
}
