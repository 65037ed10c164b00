import { status as grpcStatus } from '@grpc/grpc-js';
import { Status } from 'nice-grpc';
import { ModelServiceDefinition, StreamGenerateTextRequest, StreamGenerateTextResponse, type ModelConfig } from '../../src/gen/taishang/ai/v1/model_service';
import {
  closedPort,
  cosine,
  createRealProviders,
  createRegistryDir,
  EMBEDDING_DIM,
  EMBEDDING_MODEL,
  expectGenerationStopped,
  nextGenerationEnd,
  TEXT_MODEL,
  type RealProviders,
  type RegistryDir,
} from '../support/real-models';
import { expectStatus, startGrpc, streamWithDeadline, violatedFields, type GrpcHarness } from './grpc-harness';

/** A test model in the proto's camelCase, from the shared snake_case fixtures. */
function wire(config: { name: string; provider: string; model_id: string; parameters: Record<string, unknown>; enabled: boolean }): ModelConfig {
  return { name: config.name, provider: config.provider, modelId: config.model_id, parameters: config.parameters, enabled: config.enabled };
}

const GREEDY = { temperature: 0, seed: 7 };
const LONG_PROMPT = 'Count from 1 to 500, writing every number in words, separated by commas.';

/** All 9 ModelService RPCs over a real gRPC connection, running all-MiniLM-L6-v2 and SmolLM2-135M for real. */
describe('gRPC ModelService with real models', () => {
  let providers: RealProviders;
  let registry: RegistryDir;
  let h: GrpcHarness;

  beforeAll(async () => {
    providers = createRealProviders();
    registry = await createRegistryDir(providers);
    h = await startGrpc({ models: await registry.open() });
    await h.models.registerModel({ config: wire(EMBEDDING_MODEL) });
    await h.models.registerModel({ config: wire(TEXT_MODEL) });
  });

  afterAll(async () => {
    await h.close();
    await providers.close();
    await registry.dispose();
  });

  /** Runs a rejected call and checks the registry reads back exactly as before it. */
  async function rejects(call: () => Promise<unknown>, code: Status, field?: string): Promise<string> {
    const before = await h.models.listModels({});
    const error = await expectStatus(call(), code);
    if (field !== undefined) expect(violatedFields(error)).toContain(field);
    expect(await h.models.listModels({})).toEqual(before);
    return error.details;
  }

  async function streamText(request: Partial<StreamGenerateTextRequest>, signal?: AbortSignal): Promise<StreamGenerateTextResponse[]> {
    const messages: StreamGenerateTextResponse[] = [];
    for await (const m of h.models.streamGenerateText(request, { signal })) messages.push(m);
    return messages;
  }

  it('RegisterModel, ListModels, GetModelInfo, UpdateModelConfig, UnregisterModel', async () => {
    const copy = { ...wire(EMBEDDING_MODEL), name: 'minilm-copy', parameters: { max_batch: 8 } };
    expect(await h.models.registerModel({ config: copy })).toEqual({ success: true, message: expect.stringContaining('minilm-copy') });
    expect((await h.models.listModels({})).models.map((m) => m.name)).toEqual(['minilm', 'minilm-copy', 'smollm']);
    expect(await h.models.getModelInfo({ name: 'minilm-copy' })).toEqual({ config: copy });
    expect(await h.models.updateModelConfig({ name: 'minilm-copy', config: { ...copy, name: '', enabled: false } })).toEqual({});
    expect((await h.models.getModelInfo({ name: 'minilm-copy' })).config?.enabled).toBe(false);
    await h.models.updateModelConfig({ name: 'minilm-copy', config: { ...copy, name: 'minilm-renamed' } });
    await expectStatus(h.models.getModelInfo({ name: 'minilm-copy' }), Status.NOT_FOUND);
    expect(await h.models.unregisterModel({ name: 'minilm-renamed' })).toEqual({});
    expect((await h.models.listModels({})).models.map((m) => m.name)).toEqual(['minilm', 'smollm']);
  });

  it('GenerateEmbedding: 384 normalized floats; a paraphrase is closer than an unrelated sentence', async () => {
    const embed = (text: string) => h.models.generateEmbedding({ modelName: 'minilm', text });
    const [cat, paraphrase, unrelated] = await Promise.all([embed('A cat sits on the mat.'), embed('A kitten is resting on the rug.'), embed('Stock markets fell sharply today.')]);
    expect(cat.dimension).toBe(EMBEDDING_DIM);
    expect(cat.embedding).toHaveLength(EMBEDDING_DIM);
    expect(Math.hypot(...cat.embedding)).toBeCloseTo(1, 3);
    expect(cat.metadata).toEqual({ model: 'minilm', truncated: false, tokens_used: expect.any(Number) });
    expect(cosine(cat.embedding, paraphrase.embedding)).toBeGreaterThan(cosine(cat.embedding, unrelated.embedding) + 0.2);
  });

  it('GenerateEmbeddings: one vector per text in input order, equal to single calls; long texts truncated and flagged', async () => {
    const long = Array.from({ length: 700 }, (_, i) => `word${i}`).join(' ');
    const texts = ['first sentence', 'a second, different one', long];
    const batch = await h.models.generateEmbeddings({ modelName: 'minilm', texts });
    expect(batch.dimension).toBe(EMBEDDING_DIM);
    expect(batch.metadata).toEqual({ model: 'minilm', truncated: [false, false, true], tokens_used: expect.any(Number) });
    const singles = await Promise.all(texts.map((text) => h.models.generateEmbedding({ modelName: 'minilm', text })));
    batch.embeddings.forEach((e, i) => expect(cosine(e.values, singles[i]!.embedding)).toBeGreaterThan(0.9999));
    expect(singles[2]!.metadata).toMatchObject({ model: 'minilm', truncated: true });
    // Tokens read add up across texts; the truncated one counts only what fit the window.
    expect(batch.metadata!.tokens_used).toBe(singles.reduce((n, s) => n + (s.metadata!.tokens_used as number), 0));
  });

  it('GenerateText: non-empty, within max_tokens, tokens_used = prompt + completion, stop honoured', async () => {
    const res = await h.models.generateText({ modelName: 'smollm', prompt: 'Write one sentence about the sea.', parameters: { max_tokens: 12, ...GREEDY } });
    expect(res.text.trim()).not.toBe('');
    const meta = res.metadata as { prompt_tokens: number; completion_tokens: number; finish_reason: string; model: string };
    expect(meta).toEqual({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number), finish_reason: expect.stringMatching(/^(stop|length)$/), model: 'smollm' });
    expect(meta.completion_tokens).toBeGreaterThan(0);
    expect(meta.completion_tokens).toBeLessThanOrEqual(12);
    expect(res.tokensUsed).toBe(meta.prompt_tokens + meta.completion_tokens);
    const stopped = await h.models.generateText({ modelName: 'smollm', prompt: 'List three fruits, one per line.', parameters: { max_tokens: 40, stop: ['\n'], ...GREEDY } });
    expect(stopped.text).not.toContain('\n');
  });

  it('StreamGenerateText: chunks, then one finished message with the totals; at temperature 0 they concatenate to the unary text', async () => {
    const request = { modelName: 'smollm', prompt: 'Name a color of the sky.', parameters: { max_tokens: 16, ...GREEDY } };
    const unary = await h.models.generateText(request);
    const messages = await streamText(request);
    const last = messages.at(-1)!;
    expect(messages.slice(0, -1).every((m) => !m.finished && m.metadata === undefined)).toBe(true);
    expect(messages.length).toBeGreaterThan(2);
    expect(last).toMatchObject({ finished: true, textChunk: '' });
    expect(last.metadata).toEqual({ ...unary.metadata, tokens_used: unary.tokensUsed });
    expect(messages.map((m) => m.textChunk).join('')).toBe(unary.text);
  });

  it('cancelling a stream stops the generation, not only the stream', async () => {
    const ended = nextGenerationEnd(providers.llamacpp);
    const controller = new AbortController();
    let received = 0;
    const outcome = await (async () => {
      for await (const m of h.models.streamGenerateText({ modelName: 'smollm', prompt: LONG_PROMPT, parameters: { max_tokens: 600, ...GREEDY } }, { signal: controller.signal })) {
        received += m.textChunk === '' ? 0 : 1;
        if (received === 3) controller.abort();
      }
    })().then(() => 'completed', (e: unknown) => (e as Error).name);
    const abortedAt = Date.now();
    expect(outcome).toBe('AbortError');
    await expectGenerationStopped(providers.llamacpp, ended, abortedAt, 600);
  });

  it('a deadline passing mid-stream ends the call DEADLINE_EXCEEDED and stops the generation', async () => {
    const request = StreamGenerateTextRequest.fromPartial({ modelName: 'smollm', prompt: LONG_PROMPT, parameters: { max_tokens: 600, ...GREEDY } });
    const path = `/${ModelServiceDefinition.fullName}/StreamGenerateText`;
    const ended = nextGenerationEnd(providers.llamacpp);
    const outcome = await streamWithDeadline(h.address, path, StreamGenerateTextRequest, StreamGenerateTextResponse, request, new Date(Date.now() + 1500));
    expect(outcome.code).toBe(grpcStatus.DEADLINE_EXCEEDED);
    expect(outcome.messages.length).toBeGreaterThan(0);
    await expectGenerationStopped(providers.llamacpp, ended, Date.now(), 600);
  });

  describe('bad input: the documented code, and the registry unchanged', () => {
    it('unknown model: NOT_FOUND from every RPC that names one', async () => {
      await rejects(() => h.models.getModelInfo({ name: 'ghost' }), Status.NOT_FOUND);
      await rejects(() => h.models.unregisterModel({ name: 'ghost' }), Status.NOT_FOUND);
      await rejects(() => h.models.updateModelConfig({ name: 'ghost', config: wire(EMBEDDING_MODEL) }), Status.NOT_FOUND);
      await rejects(() => h.models.generateText({ modelName: 'ghost', prompt: 'hi' }), Status.NOT_FOUND);
      await rejects(() => streamText({ modelName: 'ghost', prompt: 'hi' }), Status.NOT_FOUND);
      await rejects(() => h.models.generateEmbedding({ modelName: 'ghost', text: 'hi' }), Status.NOT_FOUND);
      await rejects(() => h.models.generateEmbeddings({ modelName: 'ghost', texts: ['hi'] }), Status.NOT_FOUND);
    });

    it('disabled model: FAILED_PRECONDITION (an unset enabled is proto3 false: registered disabled)', async () => {
      await h.models.registerModel({ config: { ...wire(TEXT_MODEL), name: 'smollm-off', enabled: false } });
      await h.models.registerModel({ config: { name: 'minilm-off', provider: 'transformers', modelId: EMBEDDING_MODEL.model_id } });
      expect((await h.models.getModelInfo({ name: 'minilm-off' })).config?.enabled).toBe(false);
      expect(await rejects(() => h.models.generateText({ modelName: 'smollm-off', prompt: 'hi' }), Status.FAILED_PRECONDITION)).toContain('disabled');
      await rejects(() => streamText({ modelName: 'smollm-off', prompt: 'hi' }), Status.FAILED_PRECONDITION);
      await rejects(() => h.models.generateEmbedding({ modelName: 'minilm-off', text: 'hi' }), Status.FAILED_PRECONDITION);
      await rejects(() => h.models.generateEmbeddings({ modelName: 'minilm-off', texts: ['hi'] }), Status.FAILED_PRECONDITION);
      await h.models.unregisterModel({ name: 'smollm-off' });
      await h.models.unregisterModel({ name: 'minilm-off' });
    });

    it('wrong kind: an embedding model asked to generate, and the reverse, FAILED_PRECONDITION', async () => {
      await rejects(() => h.models.generateText({ modelName: 'minilm', prompt: 'hi' }), Status.FAILED_PRECONDITION);
      await rejects(() => streamText({ modelName: 'minilm', prompt: 'hi' }), Status.FAILED_PRECONDITION);
      await rejects(() => h.models.generateEmbedding({ modelName: 'smollm', text: 'hi' }), Status.FAILED_PRECONDITION);
      await rejects(() => h.models.generateEmbeddings({ modelName: 'smollm', texts: ['hi'] }), Status.FAILED_PRECONDITION);
    });

    it('empty prompt or text: INVALID_ARGUMENT naming the field', async () => {
      await rejects(() => h.models.generateText({ modelName: 'smollm', prompt: '' }), Status.INVALID_ARGUMENT, 'prompt');
      await rejects(() => streamText({ modelName: 'smollm', prompt: '   ' }), Status.INVALID_ARGUMENT, 'prompt');
      await rejects(() => h.models.generateEmbedding({ modelName: 'minilm', text: '' }), Status.INVALID_ARGUMENT, 'text');
      await rejects(() => h.models.generateEmbeddings({ modelName: 'minilm', texts: [] }), Status.INVALID_ARGUMENT, 'texts');
      await rejects(() => h.models.generateEmbeddings({ modelName: 'minilm', texts: ['ok', ''] }), Status.INVALID_ARGUMENT, 'texts[1]');
    });

    it.each([
      ['max_tokens 0', { max_tokens: 0 }, 'parameters.max_tokens'],
      ['max_tokens -5', { max_tokens: -5 }, 'parameters.max_tokens'],
      ['max_tokens above the context', { max_tokens: 1025 }, 'parameters.max_tokens'],
      ['temperature < 0', { temperature: -0.5 }, 'parameters.temperature'],
      ['temperature of the wrong type', { temperature: 'hot' }, 'parameters.temperature'],
      ['stop of the wrong type', { stop: 5 }, 'parameters.stop'],
    ])('%s: INVALID_ARGUMENT on GenerateText and StreamGenerateText', async (_label, parameters, field) => {
      await rejects(() => h.models.generateText({ modelName: 'smollm', prompt: 'hi', parameters }), Status.INVALID_ARGUMENT, field);
      await rejects(() => streamText({ modelName: 'smollm', prompt: 'hi', parameters }), Status.INVALID_ARGUMENT, field);
    });

    it('unknown provider, parameters of the wrong type, a secret: INVALID_ARGUMENT on Register and Update', async () => {
      const bad: [ModelConfig, string][] = [
        [{ ...wire(TEXT_MODEL), name: 'x1', provider: 'huggingface' }, 'config.provider'],
        [{ ...wire(TEXT_MODEL), name: 'x2', parameters: { context_size: 'large' } }, 'config.parameters.context_size'],
        [{ ...wire(EMBEDDING_MODEL), name: 'x3', parameters: { max_batch: true } }, 'config.parameters.max_batch'],
        [{ ...wire(TEXT_MODEL), name: 'x4', parameters: { api_key: 'sk-secret' } }, 'config.parameters.api_key'],
      ];
      for (const [config, field] of bad) {
        await rejects(() => h.models.registerModel({ config }), Status.INVALID_ARGUMENT, field);
        await rejects(() => h.models.updateModelConfig({ name: 'smollm', config: { ...config, name: '' } }), Status.INVALID_ARGUMENT, field);
      }
      await rejects(() => h.models.registerModel({}), Status.INVALID_ARGUMENT, 'config');
      await rejects(() => h.models.registerModel({ config: wire(TEXT_MODEL) }), Status.ALREADY_EXISTS);
    });

    it('local model files missing: FAILED_PRECONDITION naming the path', async () => {
      const gguf = await rejects(() => h.models.registerModel({ config: { ...wire(TEXT_MODEL), name: 'nofile', modelId: 'absent/none.gguf' } }), Status.FAILED_PRECONDITION);
      expect(gguf).toContain('absent/none.gguf');
      const onnx = await rejects(() => h.models.registerModel({ config: { ...wire(EMBEDDING_MODEL), name: 'nofile', modelId: 'Xenova/absent-model' } }), Status.FAILED_PRECONDITION);
      expect(onnx).toContain('Xenova/absent-model');
    });

    it('a base_url that refuses connections: UNAVAILABLE from the call, registry intact', async () => {
      const baseUrl = `http://127.0.0.1:${await closedPort()}/v1`;
      await h.models.registerModel({ config: { name: 'remote-chat', provider: 'openai', modelId: 'gpt-4o-mini', parameters: { base_url: baseUrl }, enabled: true } });
      await h.models.registerModel({ config: { name: 'remote-emb', provider: 'openai', modelId: 'text-embedding-3-small', parameters: { base_url: baseUrl, kind: 'embedding' }, enabled: true } });
      await rejects(() => h.models.generateText({ modelName: 'remote-chat', prompt: 'hi' }), Status.UNAVAILABLE);
      await rejects(() => streamText({ modelName: 'remote-chat', prompt: 'hi' }), Status.UNAVAILABLE);
      await rejects(() => h.models.generateEmbedding({ modelName: 'remote-emb', text: 'hi' }), Status.UNAVAILABLE);
      await h.models.unregisterModel({ name: 'remote-chat' });
      await h.models.unregisterModel({ name: 'remote-emb' });
    });
  });

  it('the registry survives a restart, and the models answer after it', async () => {
    await h.models.updateModelConfig({ name: 'smollm', config: { ...wire(TEXT_MODEL), name: '', parameters: { ...TEXT_MODEL.parameters, max_tokens: 8 } } });
    const before = await h.models.listModels({});
    await h.close();
    h = await startGrpc({ models: await registry.open() });
    expect(await h.models.listModels({})).toEqual(before);
    expect((await h.models.generateEmbedding({ modelName: 'minilm', text: 'still here' })).dimension).toBe(EMBEDDING_DIM);
    expect((await h.models.generateText({ modelName: 'smollm', prompt: 'Say hi.', parameters: GREEDY })).text.trim()).not.toBe('');
  });
});
