import { OPERATION_ACCESS, type VectorService } from '../../domain';
import type { HttpApp } from '../http-app-type';
import { queryValidatorCompiler } from '../query-validation';
import { callOptions } from '../request-signal';
import {
  AliasAlteredResponse,
  AliasCreatedResponse,
  AliasDroppedResponse,
  AliasParams,
  AlterAliasBody,
  CreateAliasBody,
  ListAliasesQuery,
  ListAliasesResponse,
} from '../schemas/alias-schemas';
import { problemResponses } from '../schemas/problem-schemas';
import { aliasesOutput, succeeded } from '../vector-wire';

const tags = ['aliases'];

/** CreateAlias, AlterAlias, DropAlias, ListAliases. */
export function aliasRoutes(app: HttpApp, vectors: VectorService): void {
  app.post(
    '/v1/aliases',
    {
      config: { access: OPERATION_ACCESS['VectorService.CreateAlias'] },
      schema: {
        operationId: 'createAlias',
        tags,
        summary: 'Create an alias',
        description:
          'CreateAlias: a second name for a collection, accepted wherever a collection name is (DropCollection excepted). Answers 201 with a ' +
          'Location header (the alias, which PUT moves and DELETE drops). 404 if the collection does not exist; 409 ALREADY_EXISTS if the ' +
          'name is taken by an alias or a collection (they share one namespace); 400 if collection_name is itself an alias.',
        body: CreateAliasBody,
        response: { 201: AliasCreatedResponse, ...problemResponses(400, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const done = await vectors.createAlias(request.body.alias, request.body.collection_name, callOptions(request));
      return reply.code(201).header('location', `/v1/aliases/${encodeURIComponent(request.body.alias)}`).send(succeeded(done));
    },
  );

  app.put(
    '/v1/aliases/:alias',
    {
      config: { access: OPERATION_ACCESS['VectorService.AlterAlias'] },
      schema: {
        operationId: 'alterAlias',
        tags,
        summary: 'Point an alias at another collection',
        description:
          'AlterAlias: the atomic switch. A call through the alias runs wholly on the old or wholly on the new collection. ' +
          '404 if the alias or the collection does not exist; 400 if collection_name is itself an alias.',
        params: AliasParams,
        body: AlterAliasBody,
        response: { 200: AliasAlteredResponse, ...problemResponses(400, 404, 413, 415) },
      },
    },
    async (request) => succeeded(await vectors.alterAlias(request.params.alias, request.body.collection_name, callOptions(request))),
  );

  app.delete(
    '/v1/aliases/:alias',
    {
      config: { access: OPERATION_ACCESS['VectorService.DropAlias'] },
      schema: {
        operationId: 'dropAlias',
        tags,
        summary: 'Drop an alias',
        description: 'DropAlias: the alias goes, its collection stays. 404 if there is no such alias.',
        params: AliasParams,
        response: { 200: AliasDroppedResponse, ...problemResponses(400, 404) },
      },
    },
    async (request) => succeeded(await vectors.dropAlias(request.params.alias, callOptions(request))),
  );

  app.get(
    '/v1/aliases',
    {
      config: { access: OPERATION_ACCESS['VectorService.ListAliases'] },
      validatorCompiler: queryValidatorCompiler,
      schema: {
        operationId: 'listAliases',
        tags,
        summary: 'List aliases',
        description: 'ListAliases: every alias and the collection it names, sorted by alias; only one collection\'s with ?collection_name=. 404 if that collection does not exist.',
        querystring: ListAliasesQuery,
        response: { 200: ListAliasesResponse, ...problemResponses(400, 404, 431) },
      },
    },
    async (request) => aliasesOutput(await vectors.listAliases(request.query.collection_name, callOptions(request))),
  );
}
