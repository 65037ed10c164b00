import { OPERATION_ACCESS, type VectorService } from '../../domain';
import type { HttpApp } from '../http-app-type';
import { callOptions } from '../request-signal';
import { CollectionNameParams } from '../schemas/common-schemas';
import { problemResponses } from '../schemas/problem-schemas';
import { SearchBody, SearchResponse } from '../schemas/search-schemas';
import { searchInput } from '../vector-wire';

/** Search: the k nearest vectors among those matching an optional filter. */
export function searchRoutes(app: HttpApp, vectors: VectorService): void {
  app.post(
    '/v1/collections/:name/search',
    {
      config: { access: OPERATION_ACCESS['VectorService.Search'] },
      schema: {
        operationId: 'searchVectors',
        tags: ['search'],
        summary: 'Search nearest vectors',
        description:
          'Search: the topk (1..1024, default 10) nearest vectors, closest first, among those matching `options.filter` ' +
          '(pushed down into the engine). 400 for a wrong dimension, topk out of range or a bad filter (the field names the offending path).',
        params: CollectionNameParams,
        body: SearchBody,
        response: { 200: SearchResponse, ...problemResponses(400, 404, 413, 415, 429, 504) },
      },
    },
    async (request) => ({ results: await vectors.search(request.params.name, searchInput(request.body), callOptions(request)) }),
  );
}
