import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type GenerationChunk, type GenerationParams, type GenerationResult, type ModelConfig } from '../../src/domain';
import { DomainError } from '../../src/errors';
import { LlamaCppProvider, type GenerationEnd } from '../../src/providers/llamacpp';
import { openModelService } from '../support/model-services';
import { MODEL_CACHE_DIR } from '../support/real-models';
import { tempDir } from '../support/temp-dirs';

/** Real weights from scripts/fetch-models.sh (SmolLM2-135M-Instruct, ChatML template). */
const FILE = 'SmolLM2-135M-Instruct.Q4_1.gguf';
const config: ModelConfig = { name: 'smollm', provider: 'llamacpp', modelId: FILE, parameters: { context_size: 512 }, enabled: true };
const STORY = 'Write a long story about a dragon who learns to bake bread.';

const logs: string[] = [];
const logger = { info: (_: object, m: string) => logs.push(m), warn: (_: object, m: string) => logs.push(m), error: (_: object, m: string) => logs.push(m) };
const provider = new LlamaCppProvider({ modelCacheDir: MODEL_CACHE_DIR, logger });
/** SmolLM2's tokenizer, loaded straight from node-llama-cpp, to count tokens independently. */
let tokenize: (text: string, special?: boolean) => number[];
let disposeTokenizer: () => Promise<void>;

beforeAll(async () => {
  await provider.validate(config);
  // Concurrent first calls share one load.
  const ready = await Promise.all([provider.isReady(config), provider.isReady(config), provider.generate(config, 'Hi', { maxTokens: 1 })]);
  expect(ready.slice(0, 2)).toEqual([true, true]);
  expect(logs.filter((m) => m === 'model loaded')).toHaveLength(1);

  const sdk = await import('node-llama-cpp');
  const llama = await sdk.getLlama({ gpu: false, build: 'never', skipDownload: true, progressLogs: false });
  const vocab = await llama.loadModel({ modelPath: join(MODEL_CACHE_DIR, FILE), vocabOnly: true });
  tokenize = (text, special = false) => [...vocab.tokenize(text, special)];
  disposeTokenizer = () => llama.dispose();
});

afterAll(async () => {
  await provider.close();
  await disposeTokenizer?.();
});

async function collect(stream: AsyncIterable<GenerationChunk>): Promise<{ chunks: string[]; result: GenerationResult }> {
  const chunks: string[] = [];
  for await (const c of stream) {
    if (c.done) return { chunks, result: c.result };
    chunks.push(c.text);
  }
  throw new Error('stream ended without a done chunk');
}

function nextEnd(): Promise<GenerationEnd & { at: number }> {
  return new Promise((resolve) => {
    const off = provider.activity.onEnd((end) => {
      off();
      resolve({ ...end, at: Date.now() });
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function failure(call: Promise<unknown>): Promise<DomainError> {
  const error = await call.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('generation with real weights', () => {
  test('answers a simple instruct prompt', async () => {
    const r = await provider.generate(config, 'What is the capital of France? Answer in one sentence.', { maxTokens: 24, temperature: 0 });
    expect(r.text.trim().length).toBeGreaterThan(0);
    expect(r.text).toMatch(/Paris/);
  });

  test('stops at max_tokens with finishReason length', async () => {
    const r = await provider.generate(config, STORY, { maxTokens: 6, temperature: 0 });
    expect(r.completionTokens).toBe(6);
    expect(r.finishReason).toBe('length');
  });

  test('a stop string ends the output and is not part of it', async () => {
    const prompt = 'Count from 1 to 10, separated by commas.';
    const free = await provider.generate(config, prompt, { maxTokens: 40, temperature: 0 });
    expect(free.text).toContain('5');
    const stopped = await provider.generate(config, prompt, { maxTokens: 40, temperature: 0, stop: ['5'] });
    expect(stopped.finishReason).toBe('stop');
    expect(stopped.text).not.toContain('5');
    expect(free.text.startsWith(stopped.text)).toBe(true);
    expect(stopped.completionTokens).toBeLessThan(free.completionTokens);
  });

  test('prompt tokens are counted after the chat template; completion tokens match the text', async () => {
    const prompt = 'Name three colors.';
    const r = await provider.generate(config, prompt, { maxTokens: 20, temperature: 0 });
    // SmolLM2's ChatML template as node-llama-cpp renders it with no system prompt, plus BOS.
    const templated = `<|im_start|>user\n${prompt}<|im_end|>\n<|im_start|>assistant\n`;
    expect(r.promptTokens).toBe(tokenize(templated, true).length + 1);
    expect(r.completionTokens).toBeGreaterThan(0);
    expect(Math.abs(r.completionTokens - tokenize(r.text).length)).toBeLessThanOrEqual(1);
  });

  test('raw completion (chat_template false) counts the prompt as given', async () => {
    const raw: ModelConfig = { ...config, name: 'smollm-raw', parameters: { context_size: 256, chat_template: false } };
    const prompt = 'The capital of France is';
    const r = await provider.generate(raw, prompt, { maxTokens: 8, temperature: 0 });
    expect(r.text.trim().length).toBeGreaterThan(0);
    expect(r.promptTokens).toBe(tokenize(prompt).length);
    await provider.release(raw);
  });

  test.each<[string, GenerationParams]>([
    ['temperature 0', { temperature: 0, seed: 42, maxTokens: 24 }],
    ['temperature 0.9 with a fixed seed', { temperature: 0.9, seed: 7, maxTokens: 24 }],
    ['temperature 0 with a stop string', { temperature: 0, maxTokens: 40, stop: ['.'] }],
  ])('at %s the streamed chunks concatenate to the unary result', async (_, params) => {
    const prompt = 'Tell me a short fact about the moon.';
    const unary = await provider.generate(config, prompt, params);
    const { chunks, result } = await collect(provider.stream(config, prompt, params));
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe(unary.text);
    expect(result).toEqual(unary);
    for (const stop of params.stop ?? []) expect(unary.text).not.toContain(stop);
  });
});

describe('cancellation stops the generation itself', () => {
  test('aborting the signal mid-stream stops generating within a second; the caller gets CANCELLED, no more chunks', async () => {
    const controller = new AbortController();
    const ended = nextEnd();
    const chunks: string[] = [];
    let abortedAt = 0;
    const outcome = await (async () => {
      for await (const c of provider.stream(config, STORY, { maxTokens: 400, temperature: 0.8, seed: 1 }, { signal: controller.signal })) {
        if (c.done) throw new Error('a done chunk after the abort');
        chunks.push(c.text);
        if (chunks.length === 5) {
          expect(provider.activeGenerations()).toBe(1);
          abortedAt = Date.now();
          controller.abort();
        }
      }
    })().then(() => undefined, (e: unknown) => e);
    expect(outcome).toMatchObject({ code: 'CANCELLED' });
    expect(chunks).toHaveLength(5);
    const end = await ended;
    expect(end.finishReason).toBe('cancelled');
    expect(end.at - abortedAt).toBeLessThan(1000);
    expect(provider.activeGenerations()).toBe(0);
    expect(end.completionTokens).toBeLessThan(20);
    const produced = provider.activity.tokensProduced;
    await sleep(300);
    expect(provider.activity.tokensProduced).toBe(produced);
  });

  test('breaking out of for-await stops generating too', async () => {
    const ended = nextEnd();
    let seen = 0;
    let leftAt = 0;
    for await (const c of provider.stream(config, STORY, { maxTokens: 400, temperature: 0.8, seed: 2 })) {
      if (!c.done) seen += 1;
      if (seen === 3) {
        leftAt = Date.now();
        break;
      }
    }
    // The generator's return() waits for the generation to end, so it is over already.
    expect(provider.activeGenerations()).toBe(0);
    const end = await ended;
    expect(end.finishReason).toBe('cancelled');
    expect(end.at - leftAt).toBeLessThan(1000);
    const produced = provider.activity.tokensProduced;
    await sleep(300);
    expect(provider.activity.tokensProduced).toBe(produced);
  });

  test('a signal aborted before the call is CANCELLED and generates nothing', async () => {
    const produced = provider.activity.tokensProduced;
    const error = await failure(provider.generate(config, STORY, { maxTokens: 50 }, { signal: AbortSignal.abort() }));
    expect(error.code).toBe('CANCELLED');
    expect(provider.activity.tokensProduced).toBe(produced);
  });

  test('with concurrency 1 the domain runs two generations one after the other', async () => {
    const service = await openModelService({ llamacpp: provider });
    await service.register({ name: 'smollm', provider: 'llamacpp', modelId: FILE, parameters: { context_size: 512, concurrency: 1 } });
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, provider.activeGenerations())), 2);
    const results = await Promise.all([1, 2].map(() => service.generateText('smollm', STORY, { max_tokens: 12, temperature: 0 })));
    clearInterval(watch);
    expect(most).toBe(1);
    expect(results[0]).toEqual(results[1]);
  });
});

describe('validate', () => {
  test('a missing file is FAILED_PRECONDITION naming the full path', async () => {
    const error = await failure(provider.validate({ ...config, modelId: 'nope/missing.gguf' }));
    expect(error.code).toBe('FAILED_PRECONDITION');
    expect(error.message).toContain(join(MODEL_CACHE_DIR, 'nope/missing.gguf'));
  });

  test.each(['../x.gguf', 'a/../../x.gguf', '/etc/passwd.gguf', 'model.bin'])('model_id %s is INVALID_ARGUMENT', async (modelId) => {
    const error = await failure(provider.validate({ ...config, modelId }));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.violations.map((v) => v.field)).toEqual(['config.model_id']);
  });

  test('parameters of the wrong type are INVALID_ARGUMENT, each named', async () => {
    const parameters = { context_size: 'big', concurrency: 0, chat_template: 'yes', system_prompt: 3, top_p: 2, contexts: 2 };
    const error = await failure(provider.validate({ ...config, parameters }));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.violations.map((v) => v.field).sort()).toEqual(
      ['chat_template', 'concurrency', 'context_size', 'contexts', 'system_prompt', 'top_p'].map((k) => `config.parameters.${k}`),
    );
  });

  test('a file that is not GGUF is FAILED_PRECONDITION', async () => {
    const dir = await tempDir('gguf');
    await writeFile(join(dir, 'fake.gguf'), 'not a model at all');
    const other = new LlamaCppProvider({ modelCacheDir: dir });
    const error = await failure(other.validate({ ...config, modelId: 'fake.gguf' }));
    expect(error.code).toBe('FAILED_PRECONDITION');
    expect(error.message).toContain(join(dir, 'fake.gguf'));
  });

  test('reports its shape: generation, context size, concurrency; embed refused', async () => {
    const c = { ...config, parameters: { context_size: 1024, concurrency: 3 } };
    expect(provider.kindOf(c)).toBe('generation');
    expect(provider.contextSizeOf(c)).toBe(1024);
    expect(provider.concurrencyOf(c)).toBe(3);
    expect(provider.concurrencyOf({ ...config, parameters: {} })).toBe(1);
    expect(provider.contextSizeOf({ ...config, parameters: {} })).toBe(2048);
    expect(provider.maxBatchOf(c)).toBe(1);
    expect((await failure(provider.embed(c, ['x']))).code).toBe('FAILED_PRECONDITION');
  });
});
