import { Type } from '@sinclair/typebox';
import { BASE_URL, ENV_NAME, MODEL_KINDS, MODEL_NAME, modelLimits, NON_BLANK_PATTERN, PROVIDERS, SECRET_KEYS } from '../../domain';
import { anyCase, checkedByDomain, DomainChecked, FloatArray, RequestBody } from './common-schemas';

const nameDoc = 'Model name, 1-128 characters of letters, digits, ".", "_", ":" or "-", starting with a letter or digit.';
const providerDoc = 'transformers (local ONNX embeddings and rerankers), llamacpp (local GGUF text generation and rerankers) or openai (any OpenAI-compatible server).';
const modelIdDoc = 'What the provider loads: a folder under MODEL_CACHE_DIR (transformers), a .gguf file (llamacpp) or the remote model id (openai).';
const parametersDoc =
  'Provider settings: base_url, api_key_env (the name of the environment variable holding the key; keys themselves are ' +
  'never stored), kind (embedding | generation | reranker), architecture (transformers rerankers: cross-encoder | bi-encoder), ' +
  'context_size, dimensions, max_batch, concurrency, timeout_ms, and defaults for generation (max_tokens, temperature, top_p).';

const embeddingExample = { name: 'minilm', provider: 'transformers', model_id: 'Xenova/all-MiniLM-L6-v2', parameters: {}, enabled: true };
const textExample = {
  name: 'smollm',
  provider: 'llamacpp',
  model_id: 'SmolLM2-135M-Instruct.Q4_1.gguf',
  parameters: { context_size: 2048 },
  enabled: true,
};

const nameRule = checkedByDomain({ pattern: MODEL_NAME.source });
const nonBlank = (maxBytes: number) => checkedByDomain({ pattern: NON_BLANK_PATTERN, maxLength: maxBytes });
const positiveInt = (description: string) => Type.Optional(DomainChecked<number>(description, { type: 'integer', minimum: 1 }));
const number = (description: string, minimum: number, maximum: number) => Type.Optional(DomainChecked<number>(description, { type: 'number', minimum, maximum }));
const string = (description: string, pattern: string) => Type.Optional(DomainChecked<string>(description, { type: 'string', pattern }));

export const ModelNameParams = Type.Object({ name: Type.String({ description: nameDoc, examples: ['smollm'], ...nameRule }) });

/**
 * The parameters every provider reads alike, as the domain checks them; each provider refuses the
 * keys it does not know and checks its own (MODELS.md), which the document cannot state per provider.
 */
const ModelParameters = Type.Object(
  {
    kind: string('embedding or generation.', `^(${MODEL_KINDS.join('|')})$`),
    base_url: string('The API root of an openai model.', BASE_URL.source),
    api_key_env: string('The environment variable holding the API key.', ENV_NAME.source),
    context_size: positiveInt('Tokens the model attends to.'),
    dimensions: positiveInt('Embedding size.'),
    max_batch: positiveInt('Largest embedding batch per model call.'),
    concurrency: positiveInt('Calls the model runs at once.'),
    max_tokens: positiveInt('Default for generation.'),
    temperature: number('Default for generation, 0..2.', 0, 2),
    top_p: number('Default for generation, 0..1.', 0, 1),
    timeout_ms: number('Remote call timeout, 1..600000 ms.', 1, 600_000),
    matryoshka_dimensions: Type.Optional(
      DomainChecked<number[]>('Sizes the embeddings may be cut to (OpenAI dimensions), for a model trained for it (Matryoshka); see docs/MODELS.md.', {
        type: 'array',
        items: { type: 'integer', minimum: 1, maximum: 32768 },
        minItems: 1,
        maxItems: 32,
        uniqueItems: true,
      }),
    ),
  },
  {
    description: `${parametersDoc} At most 16 KiB as JSON. Keys named like secrets (api_key, token, password, ...) are refused.`,
    additionalProperties: true,
    examples: [{ context_size: 2048 }],
    ...checkedByDomain({ propertyNames: { not: { pattern: anyCase(SECRET_KEYS.source) } } }),
  },
);

/** A ModelConfig as sent; `enabled` defaults to true, `parameters` to {}. */
function modelConfigInput(nameRequired: boolean) {
  const name = Type.String({
    description: nameRequired ? nameDoc : `${nameDoc} Absent or empty: keep the current name; another name renames.`,
    examples: ['smollm'],
    ...checkedByDomain({ pattern: nameRequired ? MODEL_NAME.source : `${MODEL_NAME.source}|^$` }),
  });
  return RequestBody(
    {
      name: nameRequired ? name : Type.Optional(name),
      provider: Type.String({ description: providerDoc, examples: ['llamacpp'], ...checkedByDomain({ pattern: `^(${PROVIDERS.join('|')})$` }) }),
      model_id: Type.String({ description: `${modelIdDoc} 1..512 characters.`, examples: ['SmolLM2-135M-Instruct.Q4_1.gguf'], ...nonBlank(512) }),
      parameters: Type.Optional(ModelParameters),
      enabled: Type.Optional(Type.Boolean({ description: 'A disabled model stays registered but refuses calls (400 FAILED_PRECONDITION). Default true.' })),
    },
    { description: 'ModelConfig.' },
  );
}

export const ModelConfigSchema = Type.Object(
  {
    name: Type.String({ description: nameDoc }),
    provider: Type.String({ description: providerDoc }),
    model_id: Type.String({ description: modelIdDoc }),
    parameters: Type.Object({}, { description: parametersDoc, additionalProperties: true }),
    enabled: Type.Boolean(),
  },
  { description: 'ModelConfig, as stored.' },
);

export const RegisterModelBody = RequestBody(
  { config: modelConfigInput(true) },
  { description: 'RegisterModelRequest.', examples: [{ config: textExample }] },
);

export const UpdateModelBody = RequestBody(
  { config: modelConfigInput(false) },
  {
    description: 'UpdateModelConfigRequest without name (it is in the path). The config replaces the stored one as a whole.',
    examples: [{ config: { ...textExample, enabled: false } }],
  },
);

export const ListModelsResponse = Type.Object(
  { models: Type.Array(ModelConfigSchema, { description: 'Every registered model, by name.' }) },
  { description: 'ListModelsResponse.', examples: [{ models: [embeddingExample, textExample] }] },
);

export const GetModelResponse = Type.Object({ config: ModelConfigSchema }, { description: 'GetModelInfoResponse.', examples: [{ config: textExample }] });

/** The generation parameters' rules (model-validation.ts); max_tokens' upper bound is the model's context, which varies. */
export const maxTokensRule = checkedByDomain({ minimum: 1 });
export const temperatureRule = checkedByDomain({ minimum: 0, maximum: 2 });
export const topPRule = checkedByDomain({ exclusiveMinimum: 0, maximum: 1 });
export const seedRule = checkedByDomain({ minimum: 0, maximum: 0xffffffff });
const stopString = Type.String({ ...checkedByDomain({ minLength: 1, maxLength: 256 }) });
export function StopSchema(options: { description: string; examples?: unknown[] }) {
  return Type.Union([stopString, Type.Array(stopString, { ...checkedByDomain({ maxItems: 8 }) })], options);
}

export const GenerationParameters = RequestBody(
  {
    max_tokens: Type.Optional(Type.Integer({ description: "Most tokens to generate, 1 up to the model's context.", examples: [64], ...maxTokensRule })),
    temperature: Type.Optional(Type.Number({ description: '0 (greedy) to 2.', examples: [0.7], ...temperatureRule })),
    top_p: Type.Optional(Type.Number({ description: 'Nucleus sampling, in (0, 1].', examples: [0.9], ...topPRule })),
    stop: Type.Optional(StopSchema({ description: 'A stop sequence or up to 8 of them; not included in the text.', examples: [['\n\n']] })),
    seed: Type.Optional(Type.Integer({ description: 'Sampling seed, 0..4294967295: the same seed, prompt and parameters give the same text.', examples: [42], ...seedRule })),
  },
  { description: 'Generation parameters; absent ones take the model\'s defaults.' },
);

const generateExample = { prompt: 'Write a haiku about the sea.', parameters: { max_tokens: 64, temperature: 0.7, seed: 42 } };

export const GenerateBody = RequestBody(
  {
    prompt: Type.String({
      description: 'Not blank, at most 256 KiB. Instruct models get their chat template applied.',
      examples: ['Write a haiku about the sea.'],
      ...nonBlank(modelLimits.maxPromptBytes),
    }),
    parameters: Type.Optional(GenerationParameters),
  },
  { description: 'GenerateTextRequest without model_name (it is in the path).', examples: [generateExample] },
);

const GenerationMetadata = Type.Object({
  prompt_tokens: Type.Integer(),
  completion_tokens: Type.Integer(),
  finish_reason: Type.String({ description: 'stop (end of text or a stop sequence), length (max_tokens reached) or cancelled.' }),
  model: Type.String({ description: 'The model name called.' }),
});

export const GenerateResponse = Type.Object(
  {
    text: Type.String(),
    tokens_used: Type.Integer({ description: 'Prompt plus completion tokens.' }),
    metadata: GenerationMetadata,
  },
  {
    description: 'GenerateTextResponse.',
    examples: [
      {
        text: 'Waves fold into foam,\nsalt wind carries gull voices,\nthe tide keeps its time.',
        tokens_used: 52,
        metadata: { prompt_tokens: 31, completion_tokens: 21, finish_reason: 'stop', model: 'smollm' },
      },
    ],
  },
);

const chunkEvent = (chunk: Record<string, unknown>): string => `data: ${JSON.stringify(chunk)}\n\n`;

/** The SSE stream as documented in OpenAPI: the wire shape is text, one JSON object per event. */
export const GenerationEventStream = {
  description:
    'Server-Sent Events, one per chunk: `data: {"text_chunk": "...", "finished": false}`, then one `data: {"text_chunk": "", ' +
    '"finished": true, "metadata": {tokens_used, prompt_tokens, completion_tokens, finish_reason, model}}`. A failure after the ' +
    'first event arrives as `event: error` with an RFC 9457 problem as data, and the stream ends.',
  content: {
    'text/event-stream': {
      schema: { type: 'string' },
      example:
        chunkEvent({ text_chunk: 'Waves', finished: false }) +
        chunkEvent({ text_chunk: ' fold', finished: false }) +
        chunkEvent({
          text_chunk: '',
          finished: true,
          metadata: { tokens_used: 33, prompt_tokens: 31, completion_tokens: 2, finish_reason: 'length', model: 'smollm' },
        }),
    },
  },
};

const TokensUsed = Type.Integer({ description: 'Tokens the model read, when the provider counts them.' });
const truncatedDoc = 'Texts longer than the model\'s window are cut to it (not rejected); this says whether that happened.';

export const EmbedBody = RequestBody(
  { text: Type.String({ description: 'Not blank, at most 64 KiB.', examples: ['The quick brown fox jumps over the lazy dog.'], ...nonBlank(modelLimits.maxEmbedTextBytes) }) },
  { description: 'GenerateEmbeddingRequest without model_name (it is in the path).', examples: [{ text: 'The quick brown fox jumps over the lazy dog.' }] },
);

export const EmbedResponse = Type.Object(
  {
    embedding: FloatArray({ description: 'The embedding (normalized for transformers models).' }),
    dimension: Type.Integer(),
    metadata: Type.Object({ model: Type.String(), truncated: Type.Boolean({ description: truncatedDoc }), tokens_used: Type.Optional(TokensUsed) }),
  },
  { description: 'GenerateEmbeddingResponse.', examples: [{ embedding: [0.021, -0.047, 0.113], dimension: 3, metadata: { model: 'minilm', truncated: false, tokens_used: 12 } }] },
);

export const EmbeddingsBody = RequestBody(
  {
    texts: Type.Array(Type.String({ ...nonBlank(modelLimits.maxEmbedTextBytes) }), {
      description: '1..2048 texts, each not blank and at most 64 KiB.',
      examples: [['first text', 'second text']],
      ...checkedByDomain({ minItems: 1, maxItems: modelLimits.maxTextsPerCall }),
    }),
  },
  { description: 'GenerateEmbeddingsRequest without model_name (it is in the path).', examples: [{ texts: ['first text', 'second text'] }] },
);

export const EmbeddingsResponse = Type.Object(
  {
    embeddings: Type.Array(FloatArray({}), { description: 'One embedding per text, in input order.' }),
    dimension: Type.Integer(),
    metadata: Type.Object({
      model: Type.String(),
      truncated: Type.Array(Type.Boolean(), { description: `Per text. ${truncatedDoc}` }),
      tokens_used: Type.Optional(TokensUsed),
    }),
  },
  {
    description: 'GenerateEmbeddingsResponse; embeddings are plain arrays here (the proto wraps each in {values}).',
    examples: [{ embeddings: [[0.021, -0.047, 0.113], [0.3, 0.01, -0.2]], dimension: 3, metadata: { model: 'minilm', truncated: [false, false] } }],
  },
);

const rerankExample = { query: 'The weather is lovely today.', documents: ['He drove to the stadium.', "It's so sunny outside!"], top_n: 2 };

export const RerankBody = RequestBody(
  {
    query: Type.String({ description: 'Not blank, at most 64 KiB.', examples: [rerankExample.query], ...nonBlank(modelLimits.maxRerankTextBytes) }),
    documents: Type.Array(Type.String({ ...nonBlank(modelLimits.maxRerankTextBytes) }), {
      description: '1..1000 documents to score against the query, each not blank and at most 64 KiB, 4 MiB in all.',
      examples: [rerankExample.documents],
      ...checkedByDomain({ minItems: 1, maxItems: modelLimits.maxRerankDocuments }),
    }),
    top_n: Type.Optional(
      Type.Integer({
        description: 'How many results, best first: 0..1000; 0 or absent returns every document, as does a value above their count.',
        examples: [2],
        ...checkedByDomain({ minimum: 0, maximum: modelLimits.maxRerankDocuments }),
      }),
    ),
  },
  { description: 'RerankRequest without model_name (it is in the path).', examples: [rerankExample] },
);

export const RerankResponse = Type.Object(
  {
    results: Type.Array(
      Type.Object({
        index: Type.Integer({ description: 'Position of the document in the request.' }),
        score: Type.Number({ description: 'Relevance to the query, higher is better; its scale is the model\'s (docs/MODELS.md).' }),
      }),
      { description: 'Best first; equal scores by index.' },
    ),
    metadata: Type.Object({
      model: Type.String(),
      truncated: Type.Array(Type.Boolean(), { description: `Per document, in request order. ${truncatedDoc}` }),
      tokens_used: Type.Optional(TokensUsed),
    }),
  },
  {
    description: 'RerankResponse.',
    examples: [{ results: [{ index: 1, score: 0.666 }, { index: 0, score: 0.1046 }], metadata: { model: 'all-MiniLM-L6-v2-rerank', truncated: [false, false], tokens_used: 27 } }],
  },
);
