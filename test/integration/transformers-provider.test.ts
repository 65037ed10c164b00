import { join } from 'node:path';
import { loadConfig } from '../../src/config/config';
import type { ModelConfig } from '../../src/domain';
import { DomainError } from '../../src/errors';
import { TransformersProvider, type ChunkStart, type TransformersLogger } from '../../src/providers/transformers';
import { tempDir } from '../support/temp-dirs';

/**
 * Real all-MiniLM-L6-v2 weights from MODEL_CACHE_DIR (placed by scripts/fetch-models.sh, which
 * the integration tier's setup runs): no fakes. Each model loads once for the whole file.
 */
const modelCacheDir = loadConfig().modelCacheDir;
const loads: object[] = [];
const logger: TransformersLogger = { info: (fields, message) => message === 'embedding model loaded' && loads.push(fields), warn: () => undefined };
const provider = new TransformersProvider({ modelCacheDir, allowRemoteModels: false, logger });

function model(name: string, parameters: Record<string, unknown> = {}, modelId = 'Xenova/all-MiniLM-L6-v2'): ModelConfig {
  return { name, provider: 'transformers', modelId, parameters, enabled: true };
}
const fp32 = model('minilm');
const q8 = model('minilm-q8', { dtype: 'q8' });

const REFERENCE = 'This is an example sentence';

afterAll(() => provider.close());

function cosine(a: number[], b: number[]): number {
  return a.reduce((sum, x, i) => sum + x * b[i]!, 0);
}

function norm(v: number[]): number {
  return Math.sqrt(cosine(v, v));
}

async function embedOne(config: ModelConfig, text: string): Promise<number[]> {
  return (await provider.embed(config, [text])).vectors[0]!;
}

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('TransformersProvider with all-MiniLM-L6-v2', () => {
  it('validates the fetched model and loads it once for concurrent first calls', async () => {
    await provider.validate(fp32);
    await provider.validate(q8);
    const results = await Promise.all(Array.from({ length: 8 }, () => provider.embed(fp32, [REFERENCE])));
    expect(loads).toHaveLength(1);
    for (const r of results) expect(r.vectors[0]).toEqual(results[0]!.vectors[0]);
    expect(await provider.isReady(fp32)).toBe(true);
    expect(loads).toHaveLength(1);
  });

  it('embeds the reference sentence as sentence-transformers publishes it (fp32, the default)', async () => {
    const result = await provider.embed(fp32, [REFERENCE]);
    expect(result.dimension).toBe(384);
    expect(result.vectors[0]).toHaveLength(384);
    // sentence-transformers' output for this sentence begins 0.06765691, 0.06349599, 0.04871316.
    [0.0677, 0.0635, 0.0487].forEach((want, i) => expect(result.vectors[0]![i]).toBeCloseTo(want, 3));
    expect(norm(result.vectors[0]!)).toBeCloseTo(1, 5);
    expect(result.truncated).toEqual([false]);
    expect(result.tokens).toBe(7);
  });

  it('embeds the reference sentence as transformers.js publishes it (q8, ENVIRONMENT.md)', async () => {
    // The published q8 numbers come from transformers.js's README example, which embeds this pair
    // together; q8 quantizes activations per batch, so the batch-mate is part of the reference.
    const { vectors } = await provider.embed(q8, [REFERENCE, 'Each sentence is converted']);
    const vector = vectors[0]!;
    expect(vector).toHaveLength(384);
    [0.0459, 0.0733, 0.054].forEach((want, i) => expect(Math.abs(vector[i]! - want)).toBeLessThan(0.002));
    expect(norm(vector)).toBeCloseTo(1, 5);
    // Alone, q8 gives another vector (0.0622, 0.0809, 0.0539, ...): why fp32 is the default.
    // All of them are one model: the same direction within quantization noise.
    const alone = await embedOne(q8, REFERENCE);
    expect(cosine(vector, alone)).toBeGreaterThan(0.98);
    expect(cosine(vector, await embedOne(fp32, REFERENCE))).toBeGreaterThan(0.98);
  });

  it('scores a paraphrase above an unrelated sentence', async () => {
    const { vectors } = await provider.embed(fp32, ['A man is playing a guitar.', 'Someone is strumming a guitar.', 'The central bank raised interest rates again.']);
    const [anchor, paraphrase, unrelated] = vectors as [number[], number[], number[]];
    expect(cosine(anchor, paraphrase)).toBeGreaterThan(0.6);
    expect(cosine(anchor, paraphrase)).toBeGreaterThan(cosine(anchor, unrelated) + 0.4);
  });

  it('gives every text of a batch the vector it gets alone', async () => {
    const texts = [REFERENCE, 'hi', 'The quick brown fox jumps over the lazy dog near the river bank.', 'word '.repeat(400), 'Ünïcödé façade, naïve café; 東京 タワー'];
    const batch = await provider.embed(fp32, texts);
    for (const [i, text] of texts.entries()) {
      const single = await embedOne(fp32, text);
      const diff = Math.max(...single.map((x, j) => Math.abs(x - batch.vectors[i]![j]!)));
      expect(diff).toBeLessThan(1e-5);
    }
  });

  it('runs a large batch in chunks of at most CHUNK_TOKENS padded tokens, each text with the vector it gets alone', async () => {
    const long = (i: number) => `Chunk ${i}: ` + 'a sentence about vectors and their neighbours '.repeat(25);
    const texts = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? `short ${i}` : long(i)));
    const starts: ChunkStart[] = [];
    const off = provider.activity.onChunk((c) => starts.push(c));
    const batch = await provider.embed(fp32, texts);
    off();
    // ~210 tokens per long text: 12 texts padded to that are more than 2048 tokens, so at least two runs.
    expect(starts.length).toBeGreaterThanOrEqual(2);
    expect(starts.map((c) => c.chunk)).toEqual(starts.map((_, i) => i));
    expect(starts.reduce((n, c) => n + c.texts, 0)).toBe(texts.length);
    expect(batch.vectors).toHaveLength(texts.length);
    for (const [i, text] of texts.entries()) {
      const single = await embedOne(fp32, text);
      expect(Math.max(...single.map((x, j) => Math.abs(x - batch.vectors[i]![j]!)))).toBeLessThan(1e-5);
    }
  });

  it('keeps the event loop turning while a long batch computes: the model runs on threads of its own', async () => {
    const texts = Array.from({ length: 32 }, (_, i) => `Passage ${i}: ` + 'a sentence about vectors and their neighbours '.repeat(25));
    const starts: ChunkStart[] = [];
    const off = provider.activity.onChunk((c) => starts.push(c));
    let done = false;
    const embedding = provider.embed(fp32, texts).finally(() => (done = true));
    // Turns of the event loop while the batch computes. With onnxruntime on this thread a run
    // blocks the loop, so it turns a few times per run (embed-texts.ts turns it twice between
    // runs: ~150 turns for this batch, measured); off the thread, over a million.
    let turns = 0;
    while (!done) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      turns += 1;
    }
    off();
    expect((await embedding).vectors).toHaveLength(32);
    expect(starts.length).toBeGreaterThanOrEqual(3);
    expect(turns).toBeGreaterThan(1000 * starts.length);
  });

  it('cuts a text longer than the 256-token window and reports it', async () => {
    expect(provider.contextSizeOf(fp32)).toBe(256);
    const long = 'The sentence repeats itself. '.repeat(100);
    const result = await provider.embed(fp32, [long, REFERENCE]);
    expect(result.truncated).toEqual([true, false]);
    expect(result.tokens).toBe(256 + 7);
    // What was read is the first 254 word pieces, so the cut text embeds like its own prefix.
    const prefix = await embedOne(fp32, 'The sentence repeats itself. '.repeat(42).trim());
    expect(cosine(result.vectors[0]!, prefix)).toBeGreaterThan(0.99);
    // A text that fits the window exactly is not reported as cut.
    const exact = await provider.embed(fp32, [Array.from({ length: 254 }, () => 'a').join(' ')]);
    expect(exact).toMatchObject({ truncated: [false], tokens: 256 });
  });

  it('reports kind, batch size and window', () => {
    expect(provider.kindOf(fp32)).toBe('embedding');
    expect(provider.maxBatchOf(fp32)).toBe(32);
    expect(provider.maxBatchOf(model('b', { max_batch: 8 }))).toBe(8);
    expect(provider.concurrencyOf(fp32)).toBe(1);
    // Two batches at once, one per model thread (embedding-threads.ts); a reranker takes one.
    expect(provider.batchesInFlightOf(fp32)).toBe(2);
    expect(provider.batchesInFlightOf(model('r', { kind: 'reranker', architecture: 'bi-encoder' }))).toBe(1);
  });

  it('runs an embedding model on as many threads as asked (EMBEDDING_THREADS): one embeds as two do', async () => {
    const single = new TransformersProvider({ modelCacheDir, allowRemoteModels: false, embeddingThreads: 1 });
    try {
      expect(single.batchesInFlightOf(fp32)).toBe(1);
      const [alone] = (await single.embed(fp32, [REFERENCE])).vectors;
      const [paired] = (await provider.embed(fp32, [REFERENCE])).vectors;
      expect(cosine(alone!, paired!)).toBeGreaterThan(0.99999);
    } finally {
      await single.close();
    }
  });

  it('refuses to generate text', async () => {
    expect((await rejection(provider.generate(fp32, 'hello', {}))).code).toBe('FAILED_PRECONDITION');
    const iterator = provider.stream(fp32, 'hello', {})[Symbol.asyncIterator]();
    expect((await rejection(iterator.next())).code).toBe('FAILED_PRECONDITION');
  });

  it('rejects parameters of the wrong type or value, naming each field', async () => {
    const error = await rejection(provider.validate(model('bad', { dtype: 'q3', max_batch: 'many', dimensions: 128, base_url: 'http://x' })));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.violations.map((v) => v.field).sort()).toEqual(['config.parameters.base_url', 'config.parameters.dtype', 'config.parameters.max_batch']);
    const dims = await rejection(provider.validate(model('dims', { dimensions: 128 })));
    expect(dims).toMatchObject({ code: 'INVALID_ARGUMENT', violations: [{ field: 'config.parameters.dimensions' }] });
    await provider.validate(model('dims-ok', { dimensions: 384 }));
    const escape = await rejection(provider.validate(model('escape', {}, '../etc/passwd')));
    expect(escape.violations[0]?.field).toBe('config.model_id');
  });

  it('names the missing file when the weights are not there', async () => {
    const empty = await tempDir('transformers-empty');
    const bare = new TransformersProvider({ modelCacheDir: empty, allowRemoteModels: false });
    try {
      const error = await rejection(bare.validate(fp32));
      expect(error.code).toBe('FAILED_PRECONDITION');
      expect(error.message).toContain(join(empty, 'Xenova/all-MiniLM-L6-v2/onnx/model.onnx'));
      expect(error.message).toContain(join(empty, 'Xenova/all-MiniLM-L6-v2/config.json'));
      // Registered anyway (e.g. the files were deleted later): the call fails the same way.
      const call = await rejection(bare.embed(fp32, [REFERENCE]));
      expect(call.code).toBe('FAILED_PRECONDITION');
      expect(call.message).toContain(join(empty, 'Xenova/all-MiniLM-L6-v2'));
      expect(await bare.isReady(fp32)).toBe(false);
    } finally {
      await bare.close();
    }
  });

  it('reloads a model after release', async () => {
    await provider.release(q8);
    await provider.release(fp32);
    const before = loads.length;
    expect(await embedOne(fp32, REFERENCE)).toHaveLength(384);
    expect(loads.length).toBe(before + 1);
  });
});
