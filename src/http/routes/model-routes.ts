import { modelMessages, OPERATION_ACCESS, type ModelService } from '../../domain';
import type { HttpApp } from '../http-app-type';
import { chunkEventData, embeddingsOutput, embedOutput, generateOutput, modelConfigInput, modelConfigOutput, rerankOutput } from '../model-wire';
import { callOptions } from '../request-signal';
import { SuccessResponse } from '../schemas/common-schemas';
import {
  EmbedBody,
  EmbeddingsBody,
  EmbeddingsResponse,
  EmbedResponse,
  GenerateBody,
  GenerateResponse,
  GenerationEventStream,
  GetModelResponse,
  ListModelsResponse,
  ModelNameParams,
  RegisterModelBody,
  RerankBody,
  RerankResponse,
  UpdateModelBody,
} from '../schemas/model-schemas';
import { problemResponses } from '../schemas/problem-schemas';
import { sendEventStream } from '../sse-stream';
import { succeeded } from '../vector-wire';

const tags = ['models'];
const callErrors = 'a disabled model or the wrong kind (an embedding model asked to generate or rerank, or the reverse) is 400 FAILED_PRECONDITION; 404 for an unknown model';

/** The registry (Register, List, Get, Update, Unregister) and the model calls, one domain call each. */
export function modelRoutes(app: HttpApp, models: ModelService): void {
  app.post(
    '/v1/models',
    {
      config: { access: OPERATION_ACCESS['ModelService.RegisterModel'] },
      schema: {
        operationId: 'registerModel',
        tags,
        summary: 'Register a model',
        description:
          'RegisterModel. Answers 201 with a Location header. 409 ALREADY_EXISTS if the name is taken; 400 for an unknown provider, ' +
          'parameters of the wrong type, a secret in parameters, or (FAILED_PRECONDITION) local model files that are missing.',
        body: RegisterModelBody,
        response: {
          201: { ...SuccessResponse, examples: [{ success: true, message: modelMessages.registered('smollm') }] },
          ...problemResponses(400, 409, 413, 415),
        },
      },
    },
    async (request, reply) => {
      const done = await models.register(modelConfigInput(request.body.config));
      return reply.code(201).header('location', `/v1/models/${encodeURIComponent(done.config.name)}`).send(succeeded(done));
    },
  );

  app.get(
    '/v1/models',
    {
      config: { access: OPERATION_ACCESS['ModelService.ListModels'] },
      schema: {
        operationId: 'listModels',
        tags,
        summary: 'List models',
        description: 'ListModels: every registered model by name, with its parameters (which never hold a secret).',
        response: { 200: ListModelsResponse, ...problemResponses() },
      },
    },
    async () => ({ models: models.list().map(modelConfigOutput) }),
  );

  app.get(
    '/v1/models/:name',
    {
      config: { access: OPERATION_ACCESS['ModelService.GetModelInfo'] },
      schema: {
        operationId: 'getModelInfo',
        tags,
        summary: 'Describe a model',
        description: 'GetModelInfo: the stored config. 404 if the model is not registered.',
        params: ModelNameParams,
        response: { 200: GetModelResponse, ...problemResponses(400, 404) },
      },
    },
    async (request) => ({ config: modelConfigOutput(models.get(request.params.name)) }),
  );

  app.put(
    '/v1/models/:name',
    {
      config: { access: OPERATION_ACCESS['ModelService.UpdateModelConfig'] },
      schema: {
        operationId: 'updateModelConfig',
        tags,
        summary: 'Replace a model\'s config',
        description:
          'UpdateModelConfig: the config replaces the stored one (enabled=false disables the model). A different config.name ' +
          'renames it (409 if that name is taken). 404 if the model is not registered; 400 as for RegisterModel.',
        params: ModelNameParams,
        body: UpdateModelBody,
        response: {
          200: { ...SuccessResponse, examples: [{ success: true, message: modelMessages.updated('smollm', 'smollm') }] },
          ...problemResponses(400, 404, 409, 413, 415),
        },
      },
    },
    async (request) => succeeded(await models.update(request.params.name, modelConfigInput(request.body.config))),
  );

  app.delete(
    '/v1/models/:name',
    {
      config: { access: OPERATION_ACCESS['ModelService.UnregisterModel'] },
      schema: {
        operationId: 'unregisterModel',
        tags,
        summary: 'Unregister a model',
        description: 'UnregisterModel: removes it from the registry and unloads it; files under MODEL_CACHE_DIR stay. 404 if not registered.',
        params: ModelNameParams,
        response: { 200: { ...SuccessResponse, examples: [{ success: true, message: modelMessages.unregistered('smollm') }] }, ...problemResponses(400, 404) },
      },
    },
    async (request) => succeeded(await models.unregister(request.params.name)),
  );

  app.post(
    '/v1/models/:name/generate',
    {
      config: { access: OPERATION_ACCESS['ModelService.GenerateText'] },
      schema: {
        operationId: 'generateText',
        tags,
        summary: 'Generate text',
        description: `GenerateText: the completion of a prompt. 400 for an empty prompt or bad parameters (max_tokens 1..context, temperature 0..2); ${callErrors}; 429 when the model's queue is full.`,
        params: ModelNameParams,
        body: GenerateBody,
        response: { 200: GenerateResponse, ...problemResponses(400, 404, 413, 415, 429, 504) },
      },
    },
    async (request) => generateOutput(await models.generateText(request.params.name, request.body.prompt, request.body.parameters, callOptions(request))),
  );

  app.post(
    '/v1/models/:name/generate/stream',
    {
      config: { access: OPERATION_ACCESS['ModelService.StreamGenerateText'] },
      schema: {
        operationId: 'streamGenerateText',
        tags,
        summary: 'Generate text as Server-Sent Events',
        description:
          `StreamGenerateText over SSE (try curl -N): chunks as tokens are produced, then one event with finished=true. Errors before ` +
          `the first event are ordinary problem+json answers (${callErrors}); disconnecting stops the generation.`,
        params: ModelNameParams,
        body: GenerateBody,
        response: { 200: GenerationEventStream, ...problemResponses(400, 404, 413, 415, 429, 504) },
      },
    },
    async (request, reply) => {
      const chunks = models.streamGenerateText(request.params.name, request.body.prompt, request.body.parameters, callOptions(request));
      await sendEventStream(request, reply, chunks, chunkEventData);
    },
  );

  app.post(
    '/v1/models/:name/embed',
    {
      config: { access: OPERATION_ACCESS['ModelService.GenerateEmbedding'] },
      schema: {
        operationId: 'generateEmbedding',
        tags,
        summary: 'Embed one text',
        description: `GenerateEmbedding. A text longer than the model's window is truncated and metadata.truncated says so. 400 for an empty text; ${callErrors}; 429 when the model's queue is full.`,
        params: ModelNameParams,
        body: EmbedBody,
        response: { 200: EmbedResponse, ...problemResponses(400, 404, 413, 415, 429, 504) },
      },
    },
    async (request) => embedOutput(await models.embedOne(request.params.name, request.body.text, callOptions(request))),
  );

  app.post(
    '/v1/models/:name/embeddings',
    {
      config: { access: OPERATION_ACCESS['ModelService.GenerateEmbeddings'] },
      schema: {
        operationId: 'generateEmbeddings',
        tags,
        summary: 'Embed many texts',
        description: `GenerateEmbeddings: one embedding per text, in input order, from batched model calls. 400 for no texts or an empty one; 413 above 2048 texts; ${callErrors}.`,
        params: ModelNameParams,
        body: EmbeddingsBody,
        response: { 200: EmbeddingsResponse, ...problemResponses(400, 404, 413, 415, 429, 504) },
      },
    },
    async (request) => embeddingsOutput(await models.embed(request.params.name, request.body.texts, callOptions(request))),
  );

  app.post(
    '/v1/models/:name/rerank',
    {
      config: { access: OPERATION_ACCESS['ModelService.Rerank'] },
      schema: {
        operationId: 'rerank',
        tags,
        summary: 'Rerank documents against a query',
        description:
          `Rerank: each document scored against the query by a reranker model, best first (equal scores by index), the first top_n. ` +
          `400 for an empty query, no documents, an empty one, or top_n outside 0..1000; 413 above 1000 documents, 64 KiB in one or 4 MiB in all; ${callErrors}; 429 when the model's queue is full.`,
        params: ModelNameParams,
        body: RerankBody,
        response: { 200: RerankResponse, ...problemResponses(400, 404, 413, 415, 429, 504) },
      },
    },
    async (request) => {
      const { query, documents, top_n: topN } = request.body;
      return rerankOutput(await models.rerank(request.params.name, query, documents, { ...callOptions(request), topN }));
    },
  );
}
