import Ajv from 'ajv';
import OpenAI from 'openai';
import { MemoryVectorStore } from '../../src/adapters/vector/memory';
import { DomainError } from '../../src/errors';
import type { ModelService, TextGeneration } from '../../src/domain';
import { startRestServer, type RestTestServer } from '../support/rest-test-server';
import {
  closedPort,
  cosine,
  createRealProviders,
  createRegistryDir,
  EMBEDDING_DIM,
  EMBEDDING_MODEL,
  eventually,
  TEXT_MODEL,
  type RealProviders,
  type RegistryDir,
} from '../support/real-models';

/** ModelConfigInput from the wire-named test configs. */
function input(m: { name: string; provider: string; model_id: string; parameters: Record<string, unknown>; enabled: boolean }) {
  return { name: m.name, provider: m.provider, modelId: m.model_id, parameters: m.parameters, enabled: m.enabled };
}

/** A generation without the model name its metadata carries: B's and A's names differ, the rest must not. */
function unnamed(generation: TextGeneration) {
  return { ...generation, metadata: { ...generation.metadata, model: '' } };
}

/** Greedy and seeded, so two runs of one prompt give one text. */
const DETERMINISTIC = { temperature: 0, seed: 7, max_tokens: 24 };
const QUESTION = 'What is the capital of France? Answer in one word.';

/**
 * Two real instances over real weights: A serves /openai/v1 over transformers + llama.cpp; the
 * official `openai` npm client checks A; then B, whose models use the `openai` provider with
 * base_url pointing at A, must give what A gives.
 */
describe('OpenAI-compatible REST (/openai/v1) with real models', () => {
  let providers: RealProviders;
  let dirA: RegistryDir;
  let dirB: RegistryDir;
  let a: ModelService;
  let b: ModelService;
  let rest: RestTestServer;
  let client: OpenAI;
  let baseUrl: string;

  beforeAll(async () => {
    providers = createRealProviders();
    dirB = await createRegistryDir(providers);
    dirA = await createRegistryDir(providers);
    a = await dirA.open();
    await a.register(input(EMBEDDING_MODEL));
    await a.register(input(TEXT_MODEL));
    // The same weights, registered as cut-able: all-MiniLM-L6-v2 is not Matryoshka-trained, so the
    // cut vectors keep less meaning; what the test checks is the service's cut and renormalisation.
    await a.register({ ...input(EMBEDDING_MODEL), name: 'minilm-mrl', parameters: { matryoshka_dimensions: [256, 128] } });
    rest = await startRestServer(new MemoryVectorStore(), { models: a });
    baseUrl = `${rest.baseUrl}/openai/v1`;
    // No retries: a failure must show as it is, and fast.
    client = new OpenAI({ baseURL: baseUrl, apiKey: 'not-checked-by-this-server', maxRetries: 0, timeout: 60_000 });

    b = await dirB.open();
    await b.register({ name: 'remote-minilm', provider: 'openai', modelId: EMBEDDING_MODEL.name, parameters: { base_url: baseUrl, kind: 'embedding', dimensions: EMBEDDING_DIM }, enabled: true });
    await b.register({ name: 'remote-smollm', provider: 'openai', modelId: TEXT_MODEL.name, parameters: { base_url: baseUrl, context_size: 1024 }, enabled: true });
    const refused = `http://127.0.0.1:${await closedPort()}/v1`;
    await b.register({ name: 'refused-embed', provider: 'openai', modelId: 'x', parameters: { base_url: refused, kind: 'embedding' }, enabled: true });
    await b.register({ name: 'refused-chat', provider: 'openai', modelId: 'x', parameters: { base_url: refused }, enabled: true });
  });

  afterAll(async () => {
    await rest?.close();
    await providers?.close();
  });

  describe('the official openai client against /openai/v1', () => {
    it('embeds one string (the SDK asks for base64) and gets the service\'s own vector', async () => {
      const answer = await client.embeddings.create({ model: 'minilm', input: 'This is an example sentence' });
      expect(answer).toMatchObject({ object: 'list', model: 'minilm', data: [{ object: 'embedding', index: 0 }] });
      const vector = answer.data[0]!.embedding;
      expect(vector).toHaveLength(EMBEDDING_DIM);
      const own = (await a.embed('minilm', ['This is an example sentence'])).vectors[0]!;
      vector.forEach((x, i) => expect(x).toBeCloseTo(own[i]!, 6));
    });

    it('embeds an array as floats, one vector per text in order, equal to single calls', async () => {
      const texts = ['A man is eating food.', 'A man is eating a piece of bread.', 'The stock market fell today.'];
      const answer = await client.embeddings.create({ model: 'minilm', input: texts, encoding_format: 'float' });
      expect(answer.data.map((d) => d.index)).toEqual([0, 1, 2]);
      const [food, bread, stocks] = answer.data.map((d) => d.embedding);
      expect(cosine(food!, bread!)).toBeGreaterThan(cosine(food!, stocks!));
      const single = await client.embeddings.create({ model: 'minilm', input: texts[2]!, encoding_format: 'float' });
      single.data[0]!.embedding.forEach((x, i) => expect(x).toBeCloseTo(stocks![i]!, 5));
    });

    it('chats without streaming', async () => {
      const completion = await client.chat.completions.create({ model: 'smollm', messages: [{ role: 'user', content: QUESTION }], ...DETERMINISTIC });
      expect(completion).toMatchObject({ object: 'chat.completion', model: 'smollm', choices: [{ index: 0, message: { role: 'assistant' } }] });
      expect(completion.choices[0]!.message.content!.trim()).not.toBe('');
      expect(['stop', 'length']).toContain(completion.choices[0]!.finish_reason);
      const usage = completion.usage!;
      expect(usage.prompt_tokens).toBeGreaterThan(0);
      expect(usage.completion_tokens).toBeGreaterThan(0);
      expect(usage.completion_tokens).toBeLessThanOrEqual(DETERMINISTIC.max_tokens);
      expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    });

    it('chats with streaming: the deltas add up to the non-streamed answer, then usage', async () => {
      const messages = [{ role: 'system' as const, content: 'You answer briefly.' }, { role: 'user' as const, content: QUESTION }];
      const unary = await client.chat.completions.create({ model: 'smollm', messages, ...DETERMINISTIC });
      const stream = await client.chat.completions.create({ model: 'smollm', messages, ...DETERMINISTIC, stream: true, stream_options: { include_usage: true } });
      let text = '';
      let finish: string | null = null;
      let usage: OpenAI.CompletionUsage | null | undefined;
      let chunks = 0;
      for await (const chunk of stream) {
        chunks += 1;
        text += chunk.choices[0]?.delta.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
        usage = chunk.usage ?? usage;
      }
      expect(chunks).toBeGreaterThan(2);
      expect(text).toBe(unary.choices[0]!.message.content);
      expect(finish).toBe(unary.choices[0]!.finish_reason);
      expect(usage).toEqual(unary.usage);
    });

    it('lists the models', async () => {
      const ids: string[] = [];
      for await (const model of client.models.list()) ids.push(model.id);
      expect(ids.sort()).toEqual(['minilm', 'minilm-mrl', 'smollm']);
      expect(await client.models.retrieve('smollm')).toMatchObject({ id: 'smollm', object: 'model', owned_by: 'taishang-ai' });
    });

    it('throws the SDK\'s NotFoundError (404, model_not_found) for an unknown model, and a 400 for the wrong kind', async () => {
      const missing = await client.embeddings.create({ model: 'no-such-model', input: 'x' }).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
      expect(missing).toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
      const wrongKind = await client.chat.completions.create({ model: 'minilm', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect(wrongKind).toBeInstanceOf(OpenAI.BadRequestError);
    });
  });

  describe('structured output, tools, completions, sampling and dimensions through the official client', () => {
    // Compiled once; `strict: false` lets it read the schemas as their authors wrote them.
    const ajv = new Ajv({ allErrors: true, strict: false });
    const valid = (schema: object, value: unknown) => {
      const check = ajv.compile(schema);
      return check(value) ? [] : check.errors;
    };
    const CITY = {
      type: 'object',
      properties: {
        name: { type: 'string', maxLength: 40 },
        country: { type: 'string', maxLength: 40 },
        population: { type: 'integer' },
        capital: { type: 'boolean' },
        landmarks: { type: 'array', items: { type: 'string', maxLength: 40 }, maxItems: 3 },
      },
      required: ['name', 'country', 'population', 'capital', 'landmarks'],
      additionalProperties: false,
    };
    const WEATHER = {
      type: 'object',
      properties: { city: { type: 'string', maxLength: 40 }, unit: { enum: ['celsius', 'fahrenheit'] } },
      required: ['city', 'unit'],
      additionalProperties: false,
    };
    const TOOLS: OpenAI.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'get_weather', description: 'Current weather of a city.', parameters: WEATHER } },
      { type: 'function', function: { name: 'get_time', description: 'Local time in a city.', parameters: { type: 'object', properties: { city: { type: 'string', maxLength: 40 } }, required: ['city'] } } },
    ];
    const SAMPLED = { temperature: 0.7, seed: 5, max_tokens: 150 };

    it('json_object: the answer parses as a JSON object', async () => {
      const completion = await client.chat.completions.create({
        model: 'smollm',
        messages: [{ role: 'system', content: 'Reply with a short JSON object.' }, { role: 'user', content: 'Give the name and country of the capital of France.' }],
        response_format: { type: 'json_object' },
        ...SAMPLED,
      });
      expect(completion.choices[0]!.finish_reason).toBe('stop');
      const answer = JSON.parse(completion.choices[0]!.message.content!);
      expect(valid({ type: 'object' }, answer)).toEqual([]);
      expect(Object.keys(answer).length).toBeGreaterThan(0);
    });

    it('json_schema: the answer parses and validates against the schema, plain and streamed alike', async () => {
      const request = {
        model: 'smollm',
        messages: [{ role: 'user' as const, content: 'Describe the city of Paris.' }],
        response_format: { type: 'json_schema' as const, json_schema: { name: 'city', schema: CITY, strict: true } },
        ...SAMPLED,
      };
      const completion = await client.chat.completions.create(request);
      expect(completion.choices[0]!.finish_reason).toBe('stop');
      const answer = JSON.parse(completion.choices[0]!.message.content!);
      expect(valid(CITY, answer)).toEqual([]);
      let streamed = '';
      for await (const chunk of await client.chat.completions.create({ ...request, stream: true })) streamed += chunk.choices[0]?.delta.content ?? '';
      expect(streamed).toBe(completion.choices[0]!.message.content);
    });

    it('tools: a required call names an offered tool with arguments matching its schema (finish_reason tool_calls)', async () => {
      const completion = await client.chat.completions.create({
        model: 'smollm',
        messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
        tools: TOOLS,
        tool_choice: 'required',
        ...SAMPLED,
      });
      const choice = completion.choices[0]!;
      expect(choice.finish_reason).toBe('tool_calls');
      expect(choice.message.content).toBeNull();
      const calls = choice.message.tool_calls!;
      expect(calls).toHaveLength(1);
      const call = calls[0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
      expect(call).toMatchObject({ id: expect.stringMatching(/^call_/), type: 'function', function: { name: expect.stringMatching(/^get_(weather|time)$/) } });
      const schema = TOOLS.find((t) => t.type === 'function' && t.function.name === call.function.name)!;
      expect(valid((schema as OpenAI.ChatCompletionFunctionTool).function.parameters!, JSON.parse(call.function.arguments))).toEqual([]);
      // A named tool is the one called.
      const named = await client.chat.completions.create({
        model: 'smollm',
        messages: [{ role: 'user', content: 'What time is it in Tokyo?' }],
        tools: TOOLS,
        tool_choice: { type: 'function', function: { name: 'get_time' } },
        ...SAMPLED,
      });
      expect((named.choices[0]!.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall).function.name).toBe('get_time');
    });

    it('tools: a streamed call arrives as a tool_calls delta, then finish_reason tool_calls', async () => {
      const stream = await client.chat.completions.create({
        model: 'smollm',
        messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
        tools: TOOLS,
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        stream: true,
        ...SAMPLED,
      });
      const calls = new Map<number, { id?: string; name: string; arguments: string }>();
      let finish: string | null = null;
      let content = '';
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        if (!choice) continue;
        content += choice.delta.content ?? '';
        for (const delta of choice.delta.tool_calls ?? []) {
          const call = calls.get(delta.index) ?? { name: '', arguments: '' };
          calls.set(delta.index, { id: delta.id ?? call.id, name: call.name + (delta.function?.name ?? ''), arguments: call.arguments + (delta.function?.arguments ?? '') });
        }
        finish = choice.finish_reason ?? finish;
      }
      expect(finish).toBe('tool_calls');
      expect(content).toBe('');
      expect([...calls.values()]).toEqual([{ id: expect.stringMatching(/^call_/), name: 'get_weather', arguments: expect.any(String) }]);
      expect(valid(WEATHER, JSON.parse(calls.get(0)!.arguments))).toEqual([]);
    });

    it('tools: a bad tool choice or tools with a response format is a 400 naming the field', async () => {
      const base = { model: 'smollm', messages: [{ role: 'user' as const, content: 'hi' }], tools: TOOLS };
      const unknown = await client.chat.completions.create({ ...base, tool_choice: { type: 'function', function: { name: 'nope' } } }).catch((e: unknown) => e);
      expect(unknown).toMatchObject({ status: 400, param: 'tool_choice' });
      const both = await client.chat.completions.create({ ...base, tool_choice: 'required', response_format: { type: 'json_object' } }).catch((e: unknown) => e);
      expect(both).toMatchObject({ status: 400, param: 'response_format' });
    });

    it('completions: the prompt is continued as plain text, plain and streamed alike', async () => {
      const request = { model: 'smollm', prompt: 'The capital of France is', max_tokens: 12, temperature: 0, seed: 1 };
      const completion = await client.completions.create(request);
      expect(completion).toMatchObject({ object: 'text_completion', model: 'smollm', choices: [{ index: 0, finish_reason: expect.stringMatching(/^(stop|length)$/) }] });
      const text = completion.choices[0]!.text;
      expect(text).toContain('Paris');
      // Raw continuation: the prompt is tokenized as it is, without a chat template around it.
      expect(completion.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: expect.any(Number) });
      let streamed = '';
      let usage: OpenAI.CompletionUsage | undefined;
      for await (const chunk of await client.completions.create({ ...request, stream: true, stream_options: { include_usage: true } })) {
        streamed += chunk.choices[0]?.text ?? '';
        usage = chunk.usage ?? usage;
      }
      expect(streamed).toBe(text);
      expect(usage).toEqual(completion.usage);
    });

    it('stop: the text ends before the first stop sequence, which it does not contain', async () => {
      const messages = [{ role: 'user' as const, content: 'List three colours, one per line.' }];
      const free = await client.chat.completions.create({ model: 'smollm', messages, ...DETERMINISTIC, max_tokens: 40 });
      const text = free.choices[0]!.message.content!;
      const words = text.split(/\s+/).filter((w) => /^[A-Za-z]{3,}$/.test(w));
      const stop = words[Math.min(2, words.length - 1)]!;
      expect(stop).toBeDefined();
      const stopped = await client.chat.completions.create({ model: 'smollm', messages, ...DETERMINISTIC, max_tokens: 40, stop: [stop] });
      expect(stopped.choices[0]!.finish_reason).toBe('stop');
      expect(stopped.choices[0]!.message.content).toBe(text.slice(0, text.indexOf(stop)));
      const completed = await client.completions.create({ model: 'smollm', prompt: 'One, two, three, four, five,', max_tokens: 20, temperature: 0, stop: ' seven' });
      expect(completed.choices[0]!.text).not.toContain('seven');
      expect(completed.choices[0]!.finish_reason).toBe('stop');
    });

    it('seed: the same seed gives the same sampled text; other seeds give others', async () => {
      const ask = (seed: number) =>
        client.chat.completions.create({ model: 'smollm', messages: [{ role: 'user', content: 'Write one sentence about the sea.' }], temperature: 1, seed, max_tokens: 24 }).then((c) => c.choices[0]!.message.content);
      const first = await ask(42);
      expect(await ask(42)).toBe(first);
      const others = await Promise.all([ask(43), ask(44), ask(45)]);
      expect(others.some((text) => text !== first)).toBe(true);
    });

    it('n above 1 is a 400 naming n, on chat and completions', async () => {
      const chat = await client.chat.completions.create({ model: 'smollm', messages: [{ role: 'user', content: 'hi' }], n: 2 }).catch((e: unknown) => e);
      const completion = await client.completions.create({ model: 'smollm', prompt: 'hi', n: 2 }).catch((e: unknown) => e);
      for (const e of [chat, completion]) {
        expect(e).toBeInstanceOf(OpenAI.BadRequestError);
        expect(e).toMatchObject({ status: 400, param: 'n', code: 'invalid_argument' });
      }
    });

    it('dimensions: a model declaring the size gives the leading dimensions renormalised; other sizes and models are refused', async () => {
      const full = (await client.embeddings.create({ model: 'minilm-mrl', input: 'This is an example sentence', encoding_format: 'float' })).data[0]!.embedding;
      expect(full).toHaveLength(EMBEDDING_DIM);
      for (const size of [128, 256]) {
        const cut = (await client.embeddings.create({ model: 'minilm-mrl', input: 'This is an example sentence', dimensions: size })).data[0]!.embedding;
        expect(cut).toHaveLength(size);
        expect(Math.hypot(...cut)).toBeCloseTo(1, 5);
        const norm = Math.hypot(...full.slice(0, size));
        cut.forEach((x, i) => expect(x).toBeCloseTo(full[i]! / norm, 5));
      }
      const undeclared = await client.embeddings.create({ model: 'minilm-mrl', input: 'x', dimensions: 100 }).catch((e: unknown) => e);
      expect(undeclared).toMatchObject({ status: 400, param: 'dimensions', message: expect.stringContaining('384, 256, 128') });
      const plain = await client.embeddings.create({ model: 'minilm', input: 'x', dimensions: 128 }).catch((e: unknown) => e);
      expect(plain).toMatchObject({ status: 400, param: 'dimensions' });
      expect((await client.embeddings.create({ model: 'minilm', input: 'x', dimensions: EMBEDDING_DIM })).data[0]!.embedding).toHaveLength(EMBEDDING_DIM);
    });
  });

  describe('the openai provider against a real OpenAI-compatible server (instance A)', () => {
    it('embeds exactly what A embeds', async () => {
      const texts = ['first text', 'second, longer text about vectors'];
      const remote = await b.embed('remote-minilm', texts);
      const local = await a.embed('minilm', texts);
      expect(remote.dimension).toBe(EMBEDDING_DIM);
      expect(remote.vectors).toEqual(local.vectors);
    });

    it('generates what A generates, with its token counts', async () => {
      const remote = await b.generateText('remote-smollm', QUESTION, DETERMINISTIC);
      const local = await a.generateText('smollm', QUESTION, DETERMINISTIC);
      expect(unnamed(remote)).toEqual(unnamed(local));
      expect(remote.metadata.model).toBe('remote-smollm');
    });

    it('streams what A generates, ending with one done chunk carrying the totals', async () => {
      const local = await a.generateText('smollm', QUESTION, DETERMINISTIC);
      const chunks = [];
      for await (const chunk of b.streamGenerateText('remote-smollm', QUESTION, DETERMINISTIC)) chunks.push(chunk);
      const last = chunks.at(-1)!;
      expect(chunks.filter((c) => c.done)).toHaveLength(1);
      expect(last.done).toBe(true);
      expect(chunks.map((c) => (c.done ? '' : c.text)).join('')).toBe(local.text);
      if (last.done) expect(unnamed(last.result)).toEqual(unnamed(local));
    });

    it('reports readiness from the server it points at', async () => {
      expect(await b.ready(['remote-minilm', 'remote-smollm'])).toBe(true);
      expect(await b.ready(['refused-chat'])).toBe(false);
    });

    it('answers UNAVAILABLE when base_url refuses connections', async () => {
      const embed = await b.embed('refused-embed', ['x']).catch((e: unknown) => e);
      const chat = await b.generateText('refused-chat', 'hi', null).catch((e: unknown) => e);
      for (const e of [embed, chat]) {
        expect(e).toBeInstanceOf(DomainError);
        expect((e as DomainError).code).toBe('UNAVAILABLE');
      }
    });

    it('passes A\'s rejections on: an unknown upstream model is FAILED_PRECONDITION, a bad parameter INVALID_ARGUMENT', async () => {
      await b.register({ name: 'remote-ghost', provider: 'openai', modelId: 'ghost', parameters: { base_url: baseUrl }, enabled: true });
      const ghost = await b.generateText('remote-ghost', 'hi', null).catch((e: unknown) => e);
      expect(ghost).toMatchObject({ code: 'FAILED_PRECONDITION', message: expect.stringContaining("model 'ghost' not found") });
      // B's context_size (4096) lets max_tokens 2000 through; A's model (1024) rejects it.
      await b.register({ name: 'remote-wide', provider: 'openai', modelId: TEXT_MODEL.name, parameters: { base_url: baseUrl, context_size: 4096 }, enabled: true });
      const tooLong = await b.generateText('remote-wide', 'hi', { max_tokens: 2000 }).catch((e: unknown) => e);
      expect(tooLong).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('max_tokens') });
    });

    it('stops the generation on A when B\'s caller cancels mid-stream', async () => {
      // llama.cpp's own activity shows when the generation underneath really ended, not only the stream.
      const ends: { finishReason: string; completionTokens: number; at: number }[] = [];
      const unsubscribe = providers.llamacpp.activity.onEnd((end) => ends.push({ ...end, at: Date.now() }));
      const controller = new AbortController();
      const seen: string[] = [];
      const outcome = await (async () => {
        for await (const chunk of b.streamGenerateText('remote-smollm', 'Write a long story about a dragon.', { max_tokens: 400, temperature: 0 }, { signal: controller.signal })) {
          if (!chunk.done) seen.push(chunk.text);
          if (seen.length === 3) controller.abort();
        }
      })().catch((e: unknown) => e);
      const abortedAt = Date.now();
      try {
        expect(outcome).toMatchObject({ code: 'CANCELLED' });
        expect(seen).toHaveLength(3);
        expect(await eventually(() => ends.length > 0, 1_000)).toBe(true);
        expect(ends[0]).toMatchObject({ finishReason: 'cancelled' });
        expect(ends[0]!.at - abortedAt).toBeLessThan(1_000);
        expect(ends[0]!.completionTokens).toBeLessThan(100);
      } finally {
        unsubscribe();
      }
    });
  });
});
