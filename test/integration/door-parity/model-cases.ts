import { cosine, EMBEDDING_DIM } from '../../support/real-models';
import type { Call, ModelConfigIn } from './calls';
import { MINILM, RERANKER, SMOLLM } from './model-fixtures';
import { answers, refused, satisfies, type ParityCase } from './parity-case';

/** ModelService through both doors with real models: the registry, the calls, bad input. */

const GREEDY = { temperature: 0, seed: 7 };
const COPY = { ...MINILM, name: 'minilm-copy', parameters: { max_batch: 8 } } satisfies ModelConfigIn;
const register = (config: ModelConfigIn): Call => ({ op: 'registerModel', config });
const names = (r: { models: { name: string }[] }) => r.models.map((m) => m.name);
/** Nothing listens on port 1 of the loopback: connecting is refused at once. */
const REFUSING = 'http://127.0.0.1:1/v1';
const TYPE_FIRST = "REST's schema refuses a value of the wrong type before the domain sees it";

const generationRefusals: [string, Record<string, unknown>, string, string?][] = [
  ['max_tokens 0', { max_tokens: 0 }, 'parameters.max_tokens'],
  ['max_tokens -5', { max_tokens: -5 }, 'parameters.max_tokens'],
  ['max_tokens above the context', { max_tokens: 1025 }, 'parameters.max_tokens'],
  ['temperature below 0', { temperature: -0.5 }, 'parameters.temperature'],
  ['temperature of the wrong type', { temperature: 'hot' }, 'parameters.temperature', TYPE_FIRST],
  ['stop of the wrong type', { stop: 5 }, 'parameters.stop', TYPE_FIRST],
  ['an unknown parameter', { max_token: 5 }, 'parameters.max_token', 'REST\'s schema refuses an unknown field before the domain sees it'],
];

/** The sentences of the sentence-transformers Quickstart (sbert.net), whose similarities are published. */
const WEATHER = ['The weather is lovely today.', "It's so sunny outside!", 'He drove to the stadium.'] as const;

/** Rerank's bad input: what the call sets over a good one, the field named, and whether it is over a size limit. */
const rerankRefusals: [string, Partial<Extract<Call, { op: 'rerank' }>>, string, boolean?][] = [
  ['no documents', { documents: [] }, 'documents'],
  ['an empty query', { query: '' }, 'query'],
  ['an empty document among others', { documents: ['sunny', ''] }, 'documents[1]'],
  ['a negative top_n', { topN: -1 }, 'top_n'],
  ['a top_n above 1000', { topN: 1001 }, 'top_n'],
  ['more than 1000 documents', { documents: Array.from({ length: 1001 }, (_, i) => `d${i}`) }, 'documents', true],
  ['a document over 64 KiB', { documents: ['sunny', 'x'.repeat(64 * 1024 + 1)] }, 'documents[1]', true],
  ['documents over 4 MiB in all', { documents: Array.from({ length: 65 }, () => 'x'.repeat(64 * 1024)) }, 'documents', true],
  ['a query over 64 KiB', { query: 'q'.repeat(64 * 1024 + 1) }, 'query', true],
];

const configRefusals: [string, ModelConfigIn, string][] = [
  ['an unknown provider', { ...SMOLLM, name: 'x1', provider: 'huggingface' }, 'config.provider'],
  ['a parameter of the wrong type (context_size)', { ...SMOLLM, name: 'x2', parameters: { context_size: 'large' } }, 'config.parameters.context_size'],
  ['a parameter of the wrong type (max_batch)', { ...MINILM, name: 'x3', parameters: { max_batch: true } }, 'config.parameters.max_batch'],
  ['a secret in parameters', { ...SMOLLM, name: 'x4', parameters: { api_key: 'sk-secret' } }, 'config.parameters.api_key'],
];

export const modelCases: ParityCase[] = [
  {
    name: 'RegisterModel answers its message; ListModels and GetModelInfo show the config as sent',
    call: register(COPY),
    expect: answers({ message: "model 'minilm-copy' registered" }),
    then: [
      { call: { op: 'listModels' }, expect: satisfies((r) => expect(names(r)).toEqual(['minilm', 'minilm-copy', 'minilm-rerank', 'smollm'])) },
      { call: { op: 'getModel', name: 'minilm-copy' }, expect: answers({ config: COPY }) },
    ],
  },
  {
    name: 'UpdateModelConfig with an empty name keeps the name; enabled false disables the model',
    given: [register(COPY)],
    call: { op: 'updateModel', name: 'minilm-copy', config: { ...COPY, name: '', enabled: false } },
    expect: answers({ message: "model 'minilm-copy' updated" }),
    then: [{ call: { op: 'getModel', name: 'minilm-copy' }, expect: answers({ config: { ...COPY, enabled: false } }) }],
  },
  {
    name: 'UpdateModelConfig with another name renames the model',
    given: [register(COPY)],
    call: { op: 'updateModel', name: 'minilm-copy', config: { ...COPY, name: 'minilm-renamed' } },
    expect: answers({ message: "model 'minilm-copy' updated and renamed to 'minilm-renamed'" }),
    then: [
      { call: { op: 'getModel', name: 'minilm-copy' }, expect: refused('NOT_FOUND', undefined, { says: "'minilm-copy'" }) },
      { call: { op: 'getModel', name: 'minilm-renamed' }, expect: answers({ config: { ...COPY, name: 'minilm-renamed' } }) },
    ],
  },
  {
    name: 'UnregisterModel answers its message and the model is gone',
    given: [register(COPY)],
    call: { op: 'unregisterModel', name: 'minilm-copy' },
    expect: answers({ message: "model 'minilm-copy' unregistered" }),
    then: [
      { call: { op: 'listModels' }, expect: satisfies((r) => expect(names(r)).toEqual(['minilm', 'minilm-rerank', 'smollm'])) },
      { call: { op: 'getModel', name: 'minilm-copy' }, expect: refused('NOT_FOUND') },
    ],
  },
  {
    name: 'GenerateEmbedding: 384 unit-length floats, with the model, truncation and tokens read',
    call: { op: 'embed', model: 'minilm', text: 'A cat sits on the mat.' },
    expect: satisfies((r) => {
      expect(r).toEqual({ embedding: expect.any(Array), dimension: EMBEDDING_DIM, metadata: { model: 'minilm', truncated: false, tokens_used: expect.any(Number) } });
      expect(r.embedding).toHaveLength(EMBEDDING_DIM);
      expect(Math.hypot(...r.embedding)).toBeCloseTo(1, 3);
    }),
  },
  {
    name: 'GenerateEmbedding: a paraphrase is closer than an unrelated sentence',
    call: { op: 'embed', model: 'minilm', text: 'A cat sits on the mat.' },
    expect: satisfies(() => undefined),
    then: [
      { call: { op: 'embed', model: 'minilm', text: 'A kitten is resting on the rug.' }, expect: satisfies(() => undefined) },
      {
        call: { op: 'embed', model: 'minilm', text: 'Stock markets fell sharply today.' },
        expect: satisfies((unrelated, [cat, paraphrase]) => {
          expect(cosine(cat.embedding, paraphrase.embedding)).toBeGreaterThan(cosine(cat.embedding, unrelated.embedding) + 0.2);
        }),
      },
    ],
  },
  {
    name: 'GenerateEmbeddings: one vector per text in input order, equal to single calls; a long text truncated and flagged; tokens add up',
    call: { op: 'embedMany', model: 'minilm', texts: ['first sentence', 'a second, different one', longText()] },
    expect: satisfies((r) => {
      expect(r.dimension).toBe(EMBEDDING_DIM);
      expect(r.embeddings).toHaveLength(3);
      expect(r.metadata).toEqual({ model: 'minilm', truncated: [false, false, true], tokens_used: expect.any(Number) });
    }),
    then: ['first sentence', 'a second, different one', longText()].map((text, i) => ({
      call: { op: 'embed', model: 'minilm', text } as Call,
      expect: satisfies((single, earlier) => {
        const [batch, ...singles] = [...earlier, single];
        expect(cosine(batch.embeddings[i], single.embedding)).toBeGreaterThan(0.9999);
        expect(single.metadata.truncated).toBe(i === 2);
        if (i === 2) expect(batch.metadata.tokens_used).toBe(singles.reduce((n: number, s: { metadata: { tokens_used: number } }) => n + s.metadata.tokens_used, 0));
      }),
    })),
  },
  {
    name: 'GenerateText: text within max_tokens, tokens_used = prompt + completion, the metadata',
    call: { op: 'generateText', model: 'smollm', prompt: 'Write one sentence about the sea.', parameters: { max_tokens: 12, ...GREEDY } },
    expect: satisfies((r) => {
      expect(r.text.trim()).not.toBe('');
      expect(r.metadata).toEqual({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number), finish_reason: expect.stringMatching(/^(stop|length)$/), model: 'smollm' });
      expect(r.metadata.completion_tokens).toBeGreaterThan(0);
      expect(r.metadata.completion_tokens).toBeLessThanOrEqual(12);
      expect(r.tokensUsed).toBe(r.metadata.prompt_tokens + r.metadata.completion_tokens);
    }),
  },
  ...[['a list', ['\n']], ['a string', '\n']].map(([label, stop]): ParityCase => ({
    name: `GenerateText honours stop given as ${label}`,
    call: { op: 'generateText', model: 'smollm', prompt: 'List three fruits, one per line.', parameters: { max_tokens: 40, stop, ...GREEDY } },
    expect: satisfies((r) => expect(r.text).not.toContain('\n')),
  })),
  {
    name: 'StreamGenerateText: text pieces, then one closing message with the totals; at temperature 0 they add up to GenerateText',
    call: { op: 'streamText', model: 'smollm', prompt: 'Name a color of the sky.', parameters: { max_tokens: 16, ...GREEDY } },
    expect: satisfies((r) => expect(r.pieces).toBeGreaterThan(2)),
    then: [
      {
        call: { op: 'generateText', model: 'smollm', prompt: 'Name a color of the sky.', parameters: { max_tokens: 16, ...GREEDY } },
        expect: satisfies((unary, [stream]) => {
          expect(stream.text).toBe(unary.text);
          expect(stream.metadata).toEqual({ ...unary.metadata, tokens_used: unary.tokensUsed });
        }),
      },
    ],
  },

  {
    // https://sbert.net/docs/sentence_transformer/usage/usage.html publishes these similarities for
    // all-MiniLM-L6-v2: 0.6660 (sunny) and 0.1046 (stadium); transformers-reranker.test.ts holds all six.
    name: 'Rerank: every document best first with its score, the model, per-document truncation and tokens',
    call: { op: 'rerank', model: 'minilm-rerank', query: WEATHER[0], documents: [WEATHER[2], WEATHER[1]] },
    expect: satisfies((r) => {
      expect(r.results.map((h: { index: number }) => h.index)).toEqual([1, 0]);
      expect(Math.abs(r.results[0].score - 0.666)).toBeLessThan(1e-4);
      expect(Math.abs(r.results[1].score - 0.1046)).toBeLessThan(1e-4);
      expect(r.metadata).toEqual({ model: 'minilm-rerank', truncated: [false, false], tokens_used: expect.any(Number) });
    }),
  },
  {
    name: 'Rerank: top_n cuts the answer to the best; a top_n above the count returns every document; a long document is cut and flagged',
    call: { op: 'rerank', model: 'minilm-rerank', query: WEATHER[0], documents: [WEATHER[2], WEATHER[1], longText()], topN: 1 },
    expect: satisfies((r) => {
      expect(r.results).toEqual([{ index: 1, score: expect.any(Number) }]);
      expect(r.metadata.truncated).toEqual([false, false, true]);
    }),
    then: [
      {
        call: { op: 'rerank', model: 'minilm-rerank', query: WEATHER[0], documents: [WEATHER[2], WEATHER[1], longText()], topN: 7 },
        expect: satisfies((all, [one]) => {
          expect(all.results).toHaveLength(3);
          expect(all.results[0]).toEqual(one.results[0]);
        }),
      },
    ],
  },

  // Bad input: the documented code, the field, and the registry read back as it was.
  ...([
    ['GetModelInfo', { op: 'getModel', name: 'ghost' }],
    ['UnregisterModel', { op: 'unregisterModel', name: 'ghost' }],
    ['UpdateModelConfig', { op: 'updateModel', name: 'ghost', config: MINILM }],
    ['GenerateText', { op: 'generateText', model: 'ghost', prompt: 'hi' }],
    ['StreamGenerateText', { op: 'streamText', model: 'ghost', prompt: 'hi' }],
    ['GenerateEmbedding', { op: 'embed', model: 'ghost', text: 'hi' }],
    ['GenerateEmbeddings', { op: 'embedMany', model: 'ghost', texts: ['hi'] }],
    ['Rerank', { op: 'rerank', model: 'ghost', query: 'hi', documents: ['hi'] }],
  ] as [string, Call][]).map(([rpc, call]): ParityCase => ({ name: `an unknown model: ${rpc} is NOT_FOUND`, call, expect: refused('NOT_FOUND', undefined, { says: "model 'ghost' not found" }) })),
  ...([
    ['GenerateText', { op: 'generateText', model: 'smollm-off', prompt: 'hi' }],
    ['StreamGenerateText', { op: 'streamText', model: 'smollm-off', prompt: 'hi' }],
    ['GenerateEmbedding', { op: 'embed', model: 'minilm-off', text: 'hi' }],
    ['GenerateEmbeddings', { op: 'embedMany', model: 'minilm-off', texts: ['hi'] }],
    ['Rerank', { op: 'rerank', model: 'rerank-off', query: 'hi', documents: ['hi'] }],
  ] as [string, Call][]).map(([rpc, call]): ParityCase => ({
    name: `a disabled model: ${rpc} is FAILED_PRECONDITION saying how to enable it`,
    given: [
      register({ ...SMOLLM, name: 'smollm-off', enabled: false }),
      register({ ...MINILM, name: 'minilm-off', enabled: false }),
      register({ ...RERANKER, name: 'rerank-off', enabled: false }),
    ],
    call,
    expect: refused('FAILED_PRECONDITION', undefined, { says: 'disabled; enable it with UpdateModelConfig' }),
  })),
  ...([
    ['an embedding model asked to generate', { op: 'generateText', model: 'minilm', prompt: 'hi' }, 'use GenerateEmbedding'],
    ['an embedding model asked to stream', { op: 'streamText', model: 'minilm', prompt: 'hi' }, 'use GenerateEmbedding'],
    ['a generation model asked to embed', { op: 'embed', model: 'smollm', text: 'hi' }, 'use GenerateText'],
    ['a generation model asked to embed many', { op: 'embedMany', model: 'smollm', texts: ['hi'] }, 'use GenerateText'],
    ['an embedding model asked to rerank', { op: 'rerank', model: 'minilm', query: 'hi', documents: ['hi'] }, "model 'minilm' is an embedding model; use GenerateEmbedding"],
    ['a generation model asked to rerank', { op: 'rerank', model: 'smollm', query: 'hi', documents: ['hi'] }, 'use GenerateText'],
    ['a reranker asked to embed', { op: 'embed', model: 'minilm-rerank', text: 'hi' }, "model 'minilm-rerank' is a reranker model; use Rerank"],
    ['a reranker asked to generate', { op: 'generateText', model: 'minilm-rerank', prompt: 'hi' }, 'use Rerank'],
  ] as [string, Call, string][]).map(([label, call, says]): ParityCase => ({ name: `the wrong kind: ${label} is FAILED_PRECONDITION`, call, expect: refused('FAILED_PRECONDITION', undefined, { says }) })),
  { name: 'an empty prompt: GenerateText', call: { op: 'generateText', model: 'smollm', prompt: '' }, expect: refused('INVALID_ARGUMENT', 'prompt') },
  { name: 'a blank prompt: StreamGenerateText', call: { op: 'streamText', model: 'smollm', prompt: '   ' }, expect: refused('INVALID_ARGUMENT', 'prompt') },
  { name: 'an empty text: GenerateEmbedding', call: { op: 'embed', model: 'minilm', text: '' }, expect: refused('INVALID_ARGUMENT', 'text') },
  { name: 'no texts: GenerateEmbeddings', call: { op: 'embedMany', model: 'minilm', texts: [] }, expect: refused('INVALID_ARGUMENT', 'texts') },
  { name: 'an empty text among others: GenerateEmbeddings', call: { op: 'embedMany', model: 'minilm', texts: ['ok', ''] }, expect: refused('INVALID_ARGUMENT', 'texts[1]') },
  {
    name: 'more than 2048 texts: GenerateEmbeddings',
    call: { op: 'embedMany', model: 'minilm', texts: Array.from({ length: 2049 }, (_, i) => `t${i}`) },
    expect: refused('RESOURCE_EXHAUSTED', 'texts', { tooLarge: true }),
  },
  ...rerankRefusals.map(([label, call, field, tooLarge]): ParityCase => ({
    name: `${label}: Rerank is ${tooLarge ? 'RESOURCE_EXHAUSTED (413 over REST)' : 'INVALID_ARGUMENT'}`,
    call: { op: 'rerank', model: 'minilm-rerank', query: 'weather', documents: ['sunny'], ...call },
    expect: tooLarge ? refused('RESOURCE_EXHAUSTED', field, { tooLarge: true }) : refused('INVALID_ARGUMENT', field),
  })),
  ...generationRefusals.flatMap(([label, parameters, field, differ]): ParityCase[] =>
    (['generateText', 'streamText'] as const).map((op) => ({
      name: `${label}: ${op === 'generateText' ? 'GenerateText' : 'StreamGenerateText'} is INVALID_ARGUMENT`,
      call: { op, model: 'smollm', prompt: 'hi', parameters },
      expect: refused('INVALID_ARGUMENT', field),
      ...(differ === undefined ? {} : { messagesDiffer: differ }),
    })),
  ),
  ...configRefusals.flatMap(([label, config, field]): ParityCase[] => [
    { name: `${label}: RegisterModel is INVALID_ARGUMENT`, call: register(config), expect: refused('INVALID_ARGUMENT', field) },
    { name: `${label}: UpdateModelConfig is INVALID_ARGUMENT`, call: { op: 'updateModel', name: 'smollm', config: { ...config, name: '' } }, expect: refused('INVALID_ARGUMENT', field) },
  ]),
  { name: 'RegisterModel without a config', call: { op: 'registerModel' }, expect: refused('INVALID_ARGUMENT', 'config', { says: 'is required' }) },
  { name: 'RegisterModel of a taken name is ALREADY_EXISTS', call: register(SMOLLM), expect: refused('ALREADY_EXISTS', undefined, { says: "model 'smollm' already exists" }) },
  {
    name: 'RegisterModel with a missing .gguf file is FAILED_PRECONDITION naming the path',
    call: register({ ...SMOLLM, name: 'nofile', modelId: 'absent/none.gguf' }),
    expect: refused('FAILED_PRECONDITION', undefined, { says: 'absent/none.gguf' }),
  },
  {
    name: 'RegisterModel of a cross-encoder reranker over weights that are not one is FAILED_PRECONDITION saying what they are',
    call: register({ ...RERANKER, name: 'not-a-cross-encoder', parameters: { kind: 'reranker', architecture: 'cross-encoder' } }),
    expect: refused('FAILED_PRECONDITION', undefined, { says: 'is not a cross-encoder' }),
  },
  {
    name: 'RegisterModel of a GGUF without a ranking head as a reranker is FAILED_PRECONDITION',
    call: register({ ...SMOLLM, name: 'smollm-ranker', parameters: { kind: 'reranker' } }),
    expect: refused('FAILED_PRECONDITION', undefined, { says: 'no ranking head' }),
  },
  {
    name: 'RegisterModel with a missing ONNX folder is FAILED_PRECONDITION naming the path',
    call: register({ ...MINILM, name: 'nofile', modelId: 'Xenova/absent-model' }),
    expect: refused('FAILED_PRECONDITION', undefined, { says: 'Xenova/absent-model' }),
  },
  ...([
    ['GenerateText', { op: 'generateText', model: 'remote-chat', prompt: 'hi' }],
    ['StreamGenerateText', { op: 'streamText', model: 'remote-chat', prompt: 'hi' }],
    ['GenerateEmbedding', { op: 'embed', model: 'remote-emb', text: 'hi' }],
  ] as [string, Call][]).map(([rpc, call]): ParityCase => ({
    name: `a provider whose base_url refuses connections: ${rpc} is UNAVAILABLE`,
    given: [
      register({ name: 'remote-chat', provider: 'openai', modelId: 'gpt-4o-mini', parameters: { base_url: REFUSING }, enabled: true }),
      register({ name: 'remote-emb', provider: 'openai', modelId: 'text-embedding-3-small', parameters: { base_url: REFUSING, kind: 'embedding' }, enabled: true }),
    ],
    call,
    expect: refused('UNAVAILABLE'),
  })),
];

/** 700 words: past all-MiniLM-L6-v2's 256-token window. */
function longText(): string {
  return Array.from({ length: 700 }, (_, i) => `word${i}`).join(' ');
}
