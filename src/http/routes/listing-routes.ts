import { OPERATION_ACCESS, type VectorService } from '../../domain';
import type { HttpApp } from '../http-app-type';
import { queryValidatorCompiler } from '../query-validation';
import { callOptions } from '../request-signal';
import { CollectionNameParams } from '../schemas/common-schemas';
import { CountVectorsBody, CountVectorsResponse, ListVectorsBody, ListVectorsQuery, ListVectorsResponse } from '../schemas/listing-schemas';
import { problemResponses } from '../schemas/problem-schemas';
import { listVectorsInput, vectorPageOutput } from '../vector-wire';

const tags = ['vectors'];
const listDoc =
  'ListVectors: one page of the collection\'s vectors in ascending id order (byte order of the UTF-8 ids). Pass `next_page_token` ' +
  'back as `page_token` for the next page; it is empty after the last one. A vector stored for the whole listing is returned exactly ' +
  'once, whatever is written meanwhile. 400 for page_size out of 1..1000 or a page_token of another listing (another collection or filter).';
const countDoc = 'CountVectors: the exact number of vectors stored now';

/**
 * ListVectors and CountVectors, each twice: GET with the query string (no filter), and POST with
 * a JSON body for a filter. Count sits beside stats rather than at …/vectors/count, where it would
 * shadow GetByID of a vector whose id is "count".
 */
export function listingRoutes(app: HttpApp, vectors: VectorService): void {
  app.get(
    '/v1/collections/:name/vectors',
    {
      config: { access: OPERATION_ACCESS['VectorService.ListVectors'] },
      validatorCompiler: queryValidatorCompiler,
      schema: {
        operationId: 'listVectors',
        tags,
        summary: 'List vectors, a page at a time',
        description: `${listDoc} POST …/vectors/list takes a filter.`,
        params: CollectionNameParams,
        querystring: ListVectorsQuery,
        response: { 200: ListVectorsResponse, ...problemResponses(400, 404, 431) },
      },
    },
    async (request) => vectorPageOutput(await vectors.listVectors(request.params.name, listVectorsInput(request.query), callOptions(request))),
  );

  app.post(
    '/v1/collections/:name/vectors/list',
    {
      config: { access: OPERATION_ACCESS['VectorService.ListVectors'] },
      schema: {
        operationId: 'listVectorsFiltered',
        tags,
        summary: 'List vectors matching a filter, a page at a time',
        description: `${listDoc} The same filter must come with every page of a listing.`,
        params: CollectionNameParams,
        body: ListVectorsBody,
        response: { 200: ListVectorsResponse, ...problemResponses(400, 404, 413, 415) },
      },
    },
    async (request) => vectorPageOutput(await vectors.listVectors(request.params.name, listVectorsInput(request.body), callOptions(request))),
  );

  app.get(
    '/v1/collections/:name/count',
    {
      config: { access: OPERATION_ACCESS['VectorService.CountVectors'] },
      schema: {
        operationId: 'countVectors',
        tags,
        summary: 'Count vectors',
        description: `${countDoc}. POST takes a filter. 404 if the collection does not exist.`,
        params: CollectionNameParams,
        response: { 200: CountVectorsResponse, ...problemResponses(400, 404) },
      },
    },
    async (request) => ({ count: await vectors.countVectors(request.params.name, undefined, callOptions(request)) }),
  );

  app.post(
    '/v1/collections/:name/count',
    {
      config: { access: OPERATION_ACCESS['VectorService.CountVectors'] },
      schema: {
        operationId: 'countVectorsFiltered',
        tags,
        summary: 'Count vectors matching a filter',
        description: `${countDoc} that match \`filter\` (all of them without one). 400 for a bad filter (the field names the offending path).`,
        params: CollectionNameParams,
        body: CountVectorsBody,
        response: { 200: CountVectorsResponse, ...problemResponses(400, 404, 413, 415) },
      },
    },
    async (request) => ({ count: await vectors.countVectors(request.params.name, request.body.filter, callOptions(request)) }),
  );
}
