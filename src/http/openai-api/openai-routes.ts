import { OPERATION_ACCESS, type ModelService } from '../../domain';
import type { HttpApp } from '../http-app-type';
import { callOptions } from '../request-signal';
import { sendChatStream, sendCompletionStream } from './openai-chat-stream';
import { chatRequest, completionIdentity, completionOutput, completionRequest, embeddingInput, embeddingsOutput, modelOutput, modelsOutput, textCompletionOutput } from './openai-wire';
import { openAiErrorResponses, sendOpenAiError, sendUnknownUrl } from './openai-errors';
import { OPENAI_PREFIX } from './openai-prefix';
import { ChatCompletionBody, ChatCompletionResponse, CompletionBody, CompletionResponse } from './openai-completion-schemas';
import { openAiRerankRoutes } from './openai-rerank-routes';
import { EmbeddingsBody, EmbeddingsResponse, ModelParams, ModelsResponse, OpenAiModel } from './openai-schemas';

const tags = ['openai'];

const STREAM_EXAMPLE =
  'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1735689600,"model":"smollm","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null,"logprobs":null}]}\n\n' +
  'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1735689600,"model":"smollm","choices":[{"index":0,"delta":{"content":"Paris."},"finish_reason":null,"logprobs":null}]}\n\n' +
  'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1735689600,"model":"smollm","choices":[{"index":0,"delta":{},"finish_reason":"stop","logprobs":null}]}\n\n' +
  'data: [DONE]\n\n';

const COMPLETION_STREAM_EXAMPLE =
  'data: {"id":"cmpl-1","object":"text_completion","created":1735689600,"model":"smollm","choices":[{"index":0,"text":" Paris","finish_reason":null,"logprobs":null}]}\n\n' +
  'data: {"id":"cmpl-1","object":"text_completion","created":1735689600,"model":"smollm","choices":[{"index":0,"text":"","finish_reason":"stop","logprobs":null}]}\n\n' +
  'data: [DONE]\n\n';

const chatDescription =
  'OpenAI-compatible chat completion over a generation model. The messages become one prompt: a single user message is ' +
  'used as it is; a longer conversation is rendered as a "System: …\\n\\nUser: …\\n\\nAssistant: …" transcript, which the ' +
  "model's chat template then wraps as one user turn. response_format json_object / json_schema and tools are enforced by a " +
  'grammar while generating; a tool call is the answer constrained to {"name", "arguments"} (finish_reason tool_calls), and is ' +
  'streamed as one delta once whole. With stream=true the answer is text/event-stream: chat.completion.chunk ' +
  'events, a usage chunk when stream_options.include_usage is true, then `data: [DONE]`; disconnecting stops the generation. ' +
  'Errors use OpenAI\'s body {error: {message, type, param, code}}: 404 model_not_found, 400 for bad fields or an embedding model.';

/**
 * The OpenAI API subset under /openai/v1, in its own Fastify scope so that its errors use OpenAI's
 * body (what the official clients parse) while the rest of the REST door keeps problem+json.
 */
export function openAiRoutes(app: HttpApp, models: ModelService, bodyLimitBytes: number): void {
  const startedAt = Math.floor(Date.now() / 1000);
  void app.register(
    async (scope: HttpApp) => {
      scope.setErrorHandler((error, request, reply) => sendOpenAiError(error, request, reply, bodyLimitBytes));
      scope.setNotFoundHandler((request, reply) => sendUnknownUrl(request, reply));

      scope.post(
        '/embeddings',
        {
          config: { access: OPERATION_ACCESS['ModelService.GenerateEmbeddings'] },
          schema: {
            operationId: 'openaiCreateEmbeddings',
            tags,
            summary: 'Create embeddings (OpenAI-compatible)',
            description:
              'OpenAI-compatible embeddings over an embedding model, micro-batched with other callers. `dimensions` is accepted only ' +
              "when it equals the model's dimension. usage counts the tokens read (0 from a provider that does not count them). 400 for token arrays, " +
              'an empty text or a generation model; 404 model_not_found.',
            body: EmbeddingsBody,
            response: { 200: EmbeddingsResponse, ...openAiErrorResponses(400, 404, 413, 415, 429, 504) },
          },
        },
        async (request) => {
          const { body } = request;
          const input = embeddingInput(body.input);
          const settings = { dimensions: body.dimensions };
          if ('one' in input) {
            const one = await models.embedOne(body.model, input.one, callOptions(request), settings);
            return embeddingsOutput(body, { vectors: [one.vector], tokens: one.tokens });
          }
          return embeddingsOutput(body, await models.embed(body.model, input.many, callOptions(request), settings));
        },
      );

      scope.post(
        '/chat/completions',
        {
          config: { access: OPERATION_ACCESS['ModelService.GenerateText'] },
          schema: {
            operationId: 'openaiCreateChatCompletion',
            tags,
            summary: 'Create a chat completion (OpenAI-compatible)',
            description: chatDescription,
            body: ChatCompletionBody,
            response: {
              200: {
                description: 'A chat.completion, or with stream=true a text/event-stream of chat.completion.chunk events ended by `data: [DONE]`.',
                content: {
                  'application/json': { schema: ChatCompletionResponse, example: ChatCompletionResponse.examples[0] },
                  'text/event-stream': { schema: { type: 'string' }, example: STREAM_EXAMPLE },
                },
              },
              ...openAiErrorResponses(400, 404, 413, 415, 429, 504),
            },
          },
        },
        async (request, reply) => {
          const { body } = request;
          const identity = completionIdentity(body.model);
          if (body.stream === true) {
            const chunks = models.streamChat(body.model, chatRequest(body), callOptions(request));
            await sendChatStream(request, reply, chunks, identity, body.stream_options?.include_usage === true, bodyLimitBytes);
            return reply;
          }
          return completionOutput(identity, await models.chat(body.model, chatRequest(body), callOptions(request)));
        },
      );

      openAiRerankRoutes(scope, models);

      scope.post(
        '/completions',
        {
          config: { access: OPERATION_ACCESS['ModelService.GenerateText'] },
          schema: {
            operationId: 'openaiCreateCompletion',
            tags,
            summary: 'Create a completion (OpenAI-compatible)',
            description:
              'OpenAI-compatible (legacy) completion over a generation model: the prompt is continued as plain text, without the ' +
              "model's chat template. With stream=true the answer is text/event-stream of text_completion chunks, a usage chunk when " +
              'stream_options.include_usage is true, then `data: [DONE]`. n must be 1; 400 for bad fields or an embedding model; 404 model_not_found.',
            body: CompletionBody,
            response: {
              200: {
                description: 'A text_completion, or with stream=true a text/event-stream of text_completion chunks ended by `data: [DONE]`.',
                content: {
                  'application/json': { schema: CompletionResponse, example: CompletionResponse.examples[0] },
                  'text/event-stream': { schema: { type: 'string' }, example: COMPLETION_STREAM_EXAMPLE },
                },
              },
              ...openAiErrorResponses(400, 404, 413, 415, 429, 504),
            },
          },
        },
        async (request, reply) => {
          const { body } = request;
          const identity = completionIdentity(body.model, 'cmpl');
          if (body.stream === true) {
            const chunks = models.streamComplete(body.model, completionRequest(body), callOptions(request));
            await sendCompletionStream(request, reply, chunks, identity, body.stream_options?.include_usage === true, bodyLimitBytes);
            return reply;
          }
          return textCompletionOutput(identity, await models.complete(body.model, completionRequest(body), callOptions(request)));
        },
      );

      scope.get(
        '/models',
        {
          config: { access: OPERATION_ACCESS['ModelService.ListModels'] },
          schema: {
            operationId: 'openaiListModels',
            tags,
            summary: 'List models (OpenAI-compatible)',
            description: 'The enabled models of the registry, embedding and generation alike, by name.',
            response: { 200: ModelsResponse, ...openAiErrorResponses() },
          },
        },
        async () => modelsOutput(models.listEnabled(), startedAt),
      );

      scope.get(
        '/models/:model',
        {
          config: { access: OPERATION_ACCESS['ModelService.GetModelInfo'] },
          schema: {
            operationId: 'openaiRetrieveModel',
            tags,
            summary: 'Retrieve a model (OpenAI-compatible)',
            description: 'One enabled model; 404 model_not_found for an unknown or disabled one.',
            params: ModelParams,
            response: { 200: OpenAiModel, ...openAiErrorResponses(400, 404) },
          },
        },
        async (request) => modelOutput(models.getEnabled(request.params.model), startedAt),
      );
    },
    { prefix: OPENAI_PREFIX },
  );
}
