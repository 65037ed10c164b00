import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelConfig } from '../../src/domain';
import { DomainError } from '../../src/errors';
import { TransformersProvider, type ChunkStart, type TransformersLogger } from '../../src/providers/transformers';
import { MODEL_CACHE_DIR } from '../support/real-models';

/**
 * Rerankers of the transformers provider on real weights from MODEL_CACHE_DIR (scripts/fetch-models.sh):
 * the bi-encoder over all-MiniLM-L6-v2, the service's default reranker, against the numbers the
 * sentence-transformers documentation publishes for those weights; the cross-encoder path against
 * the ms-marco-MiniLM-L-6-v2 model card when its weights are on this machine (none is fetchable
 * from a package registry here: docs/MODELS.md), and refusing weights that are not a cross-encoder.
 */
const loads: string[] = [];
const logger: TransformersLogger = { info: (_fields, message) => void loads.push(message), warn: () => undefined };
const provider = new TransformersProvider({ modelCacheDir: MODEL_CACHE_DIR, allowRemoteModels: false, logger });
afterAll(() => provider.close());

const MINILM = 'Xenova/all-MiniLM-L6-v2';
function model(name: string, parameters: Record<string, unknown>, modelId = MINILM): ModelConfig {
  return { name, provider: 'transformers', modelId, parameters, enabled: true };
}
const biEncoder = model('rerank', { kind: 'reranker', architecture: 'bi-encoder' });
const biEncoderQ8 = model('rerank-q8', { kind: 'reranker', architecture: 'bi-encoder', dtype: 'q8' });
const embedder = model('minilm', {});

/**
 * https://sbert.net/docs/sentence_transformer/usage/usage.html (Quickstart, all-MiniLM-L6-v2):
 * model.similarity(embeddings, embeddings) of these three sentences prints
 * tensor([[1.0000, 0.6660, 0.1046], [0.6660, 1.0000, 0.1411], [0.1046, 0.1411, 1.0000]]).
 */
const SENTENCES = ['The weather is lovely today.', "It's so sunny outside!", 'He drove to the stadium.'] as const;
const PUBLISHED = [
  [1.0, 0.666, 0.1046],
  [0.666, 1.0, 0.1411],
  [0.1046, 0.1411, 1.0],
];
/** Half the last printed digit, plus float noise: fp32 is the weights the documentation ran. */
const PRINTED = 1e-4;

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

/** Scores of every other sentence against sentence `q`, in SENTENCES order. */
async function scoresAgainst(config: ModelConfig, q: number): Promise<{ others: number[]; scores: number[] }> {
  const others = [0, 1, 2].filter((i) => i !== q);
  const { scores } = await provider.rerank(config, SENTENCES[q]!, others.map((i) => SENTENCES[i]!));
  return { others, scores };
}

describe('transformers bi-encoder reranker over all-MiniLM-L6-v2 (the default reranker)', () => {
  it('is a reranker; validates; is ready; shares the loaded weights with the embedding model of the same files', async () => {
    expect(provider.kindOf(biEncoder)).toBe('reranker');
    await provider.validate(biEncoder);
    expect(await provider.isReady(embedder)).toBe(true);
    const before = loads.length;
    expect(await provider.isReady(biEncoder)).toBe(true);
    expect(loads.length).toBe(before);
  });

  it('scores the sentence-transformers Quickstart sentences as published (fp32), best first', async () => {
    for (const q of [0, 1, 2]) {
      const { others, scores } = await scoresAgainst(biEncoder, q);
      others.forEach((o, i) => expect({ q, o, diff: Math.abs(scores[i]! - PUBLISHED[q]![o]!) < PRINTED }).toEqual({ q, o, diff: true }));
    }
    // The published order: for "The weather is lovely today.", the sunny sentence before the stadium.
    const { scores } = await provider.rerank(biEncoder, SENTENCES[0], [SENTENCES[2], SENTENCES[1]]);
    expect(scores[1]!).toBeGreaterThan(scores[0]! + 0.5);
  });

  it('scores them within quantization noise with the q8 weights, in the same order', async () => {
    for (const q of [0, 1, 2]) {
      const { others, scores } = await scoresAgainst(biEncoderQ8, q);
      others.forEach((o, i) => expect(Math.abs(scores[i]! - PUBLISHED[q]![o]!)).toBeLessThan(0.03));
      const published = others.map((o) => PUBLISHED[q]![o]!);
      expect(scores[0]! > scores[1]!).toBe(published[0]! > published[1]!);
    }
  });

  it('a score is the cosine of the two embeddings the embedding model gives', async () => {
    const documents = ['A man is playing a guitar.', 'The central bank raised interest rates again.', 'Ünïcödé façade, naïve café'];
    const query = 'Someone is strumming a guitar.';
    const { scores, truncated, tokens } = await provider.rerank(biEncoder, query, documents);
    const { vectors, tokens: embedTokens } = await provider.embed(embedder, [query, ...documents]);
    const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
    documents.forEach((_, i) => expect(Math.abs(scores[i]! - dot(vectors[0]!, vectors[i + 1]!))).toBeLessThan(1e-6));
    expect(truncated).toEqual([false, false, false]);
    expect(tokens).toBe(embedTokens);
  });

  it('cuts a document past the 256-token window, says so, and scores it about as its prefix', async () => {
    const long = 'The sentence repeats itself. '.repeat(100);
    const { scores, truncated } = await provider.rerank(biEncoder, 'repetition', [long, 'repetition']);
    expect(truncated).toEqual([true, false]);
    // 42 repetitions are 254 word pieces, a few short of what the window kept.
    const prefix = await provider.rerank(biEncoder, 'repetition', ['The sentence repeats itself. '.repeat(42).trim()]);
    expect(Math.abs(scores[0]! - prefix.scores[0]!)).toBeLessThan(0.03);
  });

  it('runs many documents in a few chunks of padded tokens (never one run per document), each scored as alone', async () => {
    const documents = Array.from({ length: 24 }, (_, i) => `Document ${i}: ` + 'a sentence about vectors and their neighbours '.repeat(i % 4 === 0 ? 1 : 12));
    const starts: ChunkStart[] = [];
    const off = provider.activity.onChunk((c) => starts.push(c));
    const { scores } = await provider.rerank(biEncoder, 'vectors and neighbours', documents);
    off();
    expect(starts.length).toBeGreaterThanOrEqual(2);
    expect(starts.length).toBeLessThan(documents.length / 2);
    expect(starts.reduce((n, c) => n + c.texts, 0)).toBe(documents.length + 1);
    for (const i of [0, 5, 23]) {
      const alone = await provider.rerank(biEncoder, 'vectors and neighbours', [documents[i]!]);
      expect(Math.abs(alone.scores[0]! - scores[i]!)).toBeLessThan(1e-5);
    }
  });

  it('stops between chunks when the signal fires: CANCELLED, and no chunk starts after the abort', async () => {
    const documents = Array.from({ length: 64 }, (_, i) => `Document ${i}: ` + 'long text about retrieval and ranking '.repeat(30));
    const controller = new AbortController();
    let afterAbort = 0;
    let first = true;
    const off = provider.activity.onChunk(() => {
      if (controller.signal.aborted) afterAbort += 1;
      if (first) {
        first = false;
        setImmediate(() => controller.abort());
      }
    });
    const error = await rejection(provider.rerank(biEncoder, 'ranking', documents, { signal: controller.signal }));
    off();
    expect(error.code).toBe('CANCELLED');
    expect(afterAbort).toBe(0);
    expect(provider.activity.active).toBe(0);
    expect((await rejection(provider.rerank(biEncoder, 'q', ['d'], { signal: AbortSignal.abort() }))).code).toBe('CANCELLED');
  });

  it('answers the wrong call for each kind with FAILED_PRECONDITION naming the right one', async () => {
    expect((await rejection(provider.embed(biEncoder, ['x']))).message).toBe("model 'rerank' is a reranker model (transformers, parameters.kind); use Rerank");
    expect((await rejection(provider.rerank(embedder, 'q', ['x']))).message).toBe("model 'minilm' is an embedding model (transformers, parameters.kind); use GenerateEmbedding");
    expect((await rejection(provider.generate(biEncoder, 'hi', {}))).message).toContain('use Rerank');
  });

  it('refuses parameters that do not apply to the kind or architecture, naming each', async () => {
    const fields = async (parameters: Record<string, unknown>) => (await rejection(provider.validate(model('bad', parameters)))).violations.map((v) => v.field).sort();
    expect(await fields({ architecture: 'bi-encoder' })).toEqual(['config.parameters.architecture']);
    expect(await fields({ kind: 'reranker', architecture: 'siamese' })).toEqual(['config.parameters.architecture']);
    expect(await fields({ kind: 'reranker', architecture: 'bi-encoder', activation: 'none', dimensions: 384 })).toEqual(['config.parameters.activation', 'config.parameters.dimensions']);
    expect(await fields({ kind: 'reranker', activation: 'softmax' })).toEqual(['config.parameters.activation']);
    expect(await fields({ kind: 'classifier' })).toEqual(['config.parameters.kind']);
  });
});

describe('transformers cross-encoder reranker', () => {
  it('refuses weights that are not a cross-encoder, saying what config.json declares and what to do', async () => {
    for (const parameters of [{ kind: 'reranker' }, { kind: 'reranker', architecture: 'cross-encoder' }]) {
      const error = await rejection(provider.validate(model('ce', parameters)));
      expect(error.code).toBe('FAILED_PRECONDITION');
      expect(error.message).toContain('is not a cross-encoder');
      expect(error.message).toContain('declares BertModel');
      expect(error.message).toContain("architecture 'bi-encoder'");
    }
  });

  /**
   * Xenova/ms-marco-MiniLM-L-6-v2's model card (huggingface.co/Xenova/ms-marco-MiniLM-L-6-v2)
   * publishes the logits of two pairs: unquantized [8.845855712890625, -11.245561599731445],
   * quantized [8.663132667541504, -11.245542526245117]. No package registry reachable from these
   * machines carries those weights (docs/MODELS.md), so here the files are usually absent and the
   * registration must say which; where they are present, the scores must be the card's.
   */
  const MSMARCO = 'Xenova/ms-marco-MiniLM-L-6-v2';
  const crossEncoder = model('msmarco', { kind: 'reranker', architecture: 'cross-encoder', activation: 'none' }, MSMARCO);
  const QUERY = 'How many people live in Berlin?';
  const PASSAGES = [
    'Berlin has a population of 3,520,031 registered inhabitants in an area of 891.82 square kilometers.',
    'New York City is famous for the Metropolitan Museum of Art.',
  ];

  it(existsSync(join(MODEL_CACHE_DIR, MSMARCO, 'onnx', 'model.onnx')) ? 'scores the model card pairs as published (weights present)' : 'names the missing files when the weights are absent (no registry carries them)', async () => {
    if (!existsSync(join(MODEL_CACHE_DIR, MSMARCO, 'onnx', 'model.onnx'))) {
      const error = await rejection(provider.validate(crossEncoder));
      expect(error.code).toBe('FAILED_PRECONDITION');
      expect(error.message).toContain(join(MODEL_CACHE_DIR, MSMARCO, 'onnx', 'model.onnx'));
      expect((await rejection(provider.rerank(crossEncoder, QUERY, PASSAGES))).code).toBe('FAILED_PRECONDITION');
      return;
    }
    await provider.validate(crossEncoder);
    const { scores, truncated } = await provider.rerank(crossEncoder, QUERY, PASSAGES);
    expect(Math.abs(scores[0]! - 8.845855712890625)).toBeLessThan(0.01);
    expect(Math.abs(scores[1]! - -11.245561599731445)).toBeLessThan(0.01);
    expect(truncated).toEqual([false, false]);
    const sigmoid = await provider.rerank({ ...crossEncoder, name: 'msmarco-p', parameters: { kind: 'reranker' } }, QUERY, PASSAGES);
    expect(sigmoid.scores[0]!).toBeCloseTo(1 / (1 + Math.exp(-scores[0]!)), 5);
  });
});
