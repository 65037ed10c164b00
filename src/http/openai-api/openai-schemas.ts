import { Type, type TSchema } from '@sinclair/typebox';
import { MODEL_NAME, modelLimits, NON_BLANK_PATTERN } from '../../domain';
import { checkedByDomain, RequestBody } from '../schemas/common-schemas';

/** Wire shapes of the OpenAI API subset served under /openai/v1 (names and fields as OpenAI's). */

/** OpenAI clients send `null` for settings they leave to the server; null means absent. */
export function Nullable<T extends TSchema>(schema: T) {
  return Type.Optional(Type.Union([schema, Type.Null()], { description: schema.description, examples: schema.examples }));
}

export const modelDoc = 'A model name from GET /openai/v1/models (the registry name).';
export const modelRule = checkedByDomain({ pattern: MODEL_NAME.source });
export const onlyOne = checkedByDomain({ minimum: 1, maximum: 1 });
export const onlyZero = checkedByDomain({ minimum: 0, maximum: 0 });
const textRule = { pattern: NON_BLANK_PATTERN, maxLength: modelLimits.maxEmbedTextBytes };

export const OpenAiErrorBody = Type.Object(
  {
    error: Type.Object({
      message: Type.String({ description: 'What went wrong.' }),
      type: Type.String({ description: 'invalid_request_error, rate_limit_error, server_error, ... as OpenAI does.' }),
      param: Type.Union([Type.String(), Type.Null()], { description: 'The offending request field, when one is at fault.' }),
      code: Type.Union([Type.String(), Type.Null()], { description: "model_not_found, unknown_url, or the service's ErrorCode in lower case." }),
    }),
  },
  {
    description: 'OpenAI-style error body (not problem+json): what the official clients parse.',
    examples: [{ error: { message: "model 'gpt-4' not found", type: 'invalid_request_error', param: 'model', code: 'model_not_found' } }],
  },
);

export const EmbeddingsBody = RequestBody(
  {
    model: Type.String({ description: modelDoc, examples: ['minilm'], ...modelRule }),
    // Told apart in openai-wire.ts rather than by the validator, to answer token arrays in words.
    input: Type.Unknown({
      description: 'A string or an array of 1-2048 strings, none blank, each at most 64 KiB. Token arrays (numbers) are rejected with 400.',
      examples: ['The food was delicious', ['first text', 'second text']],
      ...checkedByDomain({
        anyOf: [
          { type: 'string', ...textRule },
          { type: 'array', items: { type: 'string', ...textRule }, minItems: 1, maxItems: modelLimits.maxTextsPerCall },
        ],
      }),
    }),
    encoding_format: Type.Optional(
      Type.Union([Type.Literal('float'), Type.Literal('base64')], { description: 'float (default) or base64 (little-endian float32, what the official SDKs ask for).' }),
    ),
    dimensions: Type.Optional(
      Type.Integer({
        description: "The model's own size, or one its config declares it can be cut to (parameters.matryoshka_dimensions); otherwise 400.",
        ...checkedByDomain({ minimum: 1 }),
      }),
    ),
    user: Type.Optional(Type.String({ description: 'Accepted and ignored.' })),
  },
  { description: 'CreateEmbeddingRequest.', examples: [{ model: 'minilm', input: ['The food was delicious', 'The waiter was rude'] }] },
);

export const EmbeddingsResponse = Type.Object(
  {
    object: Type.Literal('list'),
    data: Type.Array(
      Type.Object({
        object: Type.Literal('embedding'),
        index: Type.Integer({ description: 'Position of the input.' }),
        // No `type`: a union would make the serializer test every vector against both shapes (≈3× slower).
        embedding: Type.Unsafe<number[] | string>({
          description: 'An array of numbers, or with encoding_format=base64 a base64 string of little-endian float32 values.',
          examples: [[0.0459, 0.0733, 0.054], 'V/g8PdYalj1FPF09'],
        }),
      }),
    ),
    model: Type.String(),
    usage: Type.Object(
      { prompt_tokens: Type.Integer(), total_tokens: Type.Integer() },
      { description: 'Tokens read, after truncation; 0 from a provider that does not count them.' },
    ),
  },
  {
    description: 'CreateEmbeddingResponse.',
    examples: [{ object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.0459, 0.0733, 0.054] }], model: 'minilm', usage: { prompt_tokens: 0, total_tokens: 0 } }],
  },
);

export const OpenAiModel = Type.Object(
  {
    id: Type.String({ description: 'The registry name.' }),
    object: Type.Literal('model'),
    created: Type.Integer({ description: 'Unix seconds: when this server started (the registry keeps no creation time).' }),
    owned_by: Type.Literal('taishang-ai'),
  },
  { description: 'A model.', examples: [{ id: 'smollm', object: 'model', created: 1735689600, owned_by: 'taishang-ai' }] },
);

export const ModelsResponse = Type.Object(
  { object: Type.Literal('list'), data: Type.Array(OpenAiModel) },
  { description: 'The enabled models, embedding and generation alike.', examples: [{ object: 'list', data: [{ id: 'minilm', object: 'model', created: 1735689600, owned_by: 'taishang-ai' }] }] },
);

export const ModelParams = Type.Object({ model: Type.String({ description: modelDoc, examples: ['smollm'], ...modelRule }) });
