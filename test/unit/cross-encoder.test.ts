import { crossEncoderScores, fitPair, type CrossEncoder, type PairTokenizer } from '../../src/providers/transformers/cross-encoder';
import { CHUNK_TOKENS } from '../../src/providers/transformers/embed-texts';
import { DomainError } from '../../src/errors';

/**
 * The cross-encoder's bookkeeping with a scripted word-level tokenizer and model (no cross-encoder
 * weights are fetchable on these machines; docs/MODELS.md): pairs as one input with the final
 * separator kept, chunks of padded tokens, scores back in document order, the activation, the
 * signal between runs. The real library's Tensor carries the data.
 */
type TensorClass = typeof import('@huggingface/transformers', { with: { 'resolution-mode': 'import' } }).Tensor;
let Tensor: TensorClass;
beforeAll(async () => {
  ({ Tensor } = await import('@huggingface/transformers'));
});

const CLS = 101;
const SEP = 102;
const PAD = 0;

/** Words get ids from 1000 on, in the order first seen; `doc7` is 7 + 5000 so the model can tell documents apart. */
function wordTokenizer(): PairTokenizer {
  const ids = new Map<string, number>();
  const words = new Map<number, string>();
  const idOf = (w: string): number => {
    const doc = /^doc(\d+)$/.exec(w);
    if (doc) return 5000 + Number(doc[1]);
    if (!ids.has(w)) ids.set(w, 1000 + ids.size);
    return ids.get(w)!;
  };
  const wordsOf = (t: string) => t.split(/\s+/).filter(Boolean).map((w) => {
    const id = idOf(w);
    words.set(id, w);
    return id;
  });
  const pair = (a: string, b: string) => [CLS, ...wordsOf(a), SEP, ...wordsOf(b), SEP];
  const tokenizer = ((texts: string[], options: { text_pair: string[]; padding: boolean; truncation: boolean; max_length: number }) => {
    const rows = texts.map((t, i) => pair(t, options.text_pair[i]!).slice(0, options.max_length));
    const width = Math.max(...rows.map((r) => r.length));
    const flat = (f: (row: number[], c: number) => number) => BigInt64Array.from(rows.flatMap((r) => Array.from({ length: width }, (_, c) => BigInt(f(r, c)))));
    const dims = [rows.length, width];
    return {
      input_ids: new Tensor('int64', flat((r, c) => r[c] ?? PAD), dims),
      attention_mask: new Tensor('int64', flat((r, c) => (c < r.length ? 1 : 0)), dims),
    };
  }) as unknown as PairTokenizer;
  tokenizer.encode = (text, options = {}) => (options.text_pair != null ? pair(text, options.text_pair) : options.add_special_tokens === false ? wordsOf(text) : [CLS, ...wordsOf(text), SEP]);
  tokenizer.decode = (list) => list.map((id) => words.get(id) ?? '').join(' ');
  tokenizer.model_max_length = 16;
  return tokenizer;
}

/** Logit of a row = the number of its document's `docN` word, minus 10; every run and its rows are recorded. */
function scriptedModel(runs: { rows: number; lastTokens: number[] }[]): CrossEncoder['model'] {
  const model = (async (inputs: { input_ids: InstanceType<TensorClass>; attention_mask: InstanceType<TensorClass> }) => {
    const [rows = 0, cols = 0] = inputs.input_ids.dims;
    const ids = inputs.input_ids.data as BigInt64Array;
    const mask = inputs.attention_mask.data as BigInt64Array;
    const logits = new Float32Array(rows);
    const lastTokens: number[] = [];
    for (let r = 0; r < rows; r += 1) {
      const row = Array.from({ length: cols }, (_, c) => Number(ids[r * cols + c]));
      const length = Array.from({ length: cols }, (_, c) => Number(mask[r * cols + c])).reduce((a, b) => a + b, 0);
      lastTokens.push(row[length - 1]!);
      const doc = row.find((id) => id >= 5000) ?? 5000;
      logits[r] = doc - 5000 - 10;
    }
    runs.push({ rows, lastTokens });
    return { logits: new Tensor('float32', logits, [rows, 1]) };
  }) as CrossEncoder['model'];
  model.config = {};
  return model;
}

function encoder(runs: { rows: number; lastTokens: number[] }[]): CrossEncoder {
  return { tokenizer: wordTokenizer(), model: scriptedModel(runs), dispose: async () => undefined };
}

describe('cross-encoder scoring', () => {
  it('scores each pair by its row, in document order, with the raw logit or its sigmoid', async () => {
    const runs: { rows: number; lastTokens: number[] }[] = [];
    const docs = ['doc3 apples', 'doc0 pears', 'doc12 plums'];
    const raw = await crossEncoderScores(encoder(runs), 'which fruit', docs, 16, 'none', {});
    expect(raw.scores).toEqual([-7, -10, 2]);
    expect(raw.truncated).toEqual([false, false, false]);
    // [CLS] which fruit [SEP] docN word [SEP]: 7 tokens each.
    expect(raw.tokens).toBe(21);
    const sigmoid = await crossEncoderScores(encoder(runs), 'which fruit', docs, 16, 'sigmoid', {});
    sigmoid.scores.forEach((s, i) => expect(s).toBeCloseTo(1 / (1 + Math.exp(-raw.scores[i]!)), 6));
    expect(runs).toHaveLength(2);
    expect(runs[0]!.lastTokens).toEqual([SEP, SEP, SEP]);
  });

  it('cuts a long document before the final separator, keeps the query whole, and reports the cut', async () => {
    const tokenizer = wordTokenizer();
    const long = `doc1 ${'word '.repeat(30)}`;
    expect(fitPair(tokenizer, 'short query', 'doc2 fits', 16)).toEqual({ text: 'doc2 fits', truncated: false });
    const fitted = fitPair(tokenizer, 'short query', long, 16);
    expect(fitted.truncated).toBe(true);
    expect(tokenizer.encode('short query', { text_pair: fitted.text })).toHaveLength(16);
    const runs: { rows: number; lastTokens: number[] }[] = [];
    const scored = await crossEncoderScores(encoder(runs), 'short query', [long, 'doc2 fits'], 16, 'none', {});
    expect(scored).toMatchObject({ scores: [-9, -8], truncated: [true, false] });
    expect(runs[0]!.lastTokens).toEqual([SEP, SEP]);
    const error = (() => {
      try {
        fitPair(tokenizer, 'a query far too long for the window of this model at all', 'doc1', 12);
        return undefined;
      } catch (e) {
        return e as DomainError;
      }
    })();
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', violations: [{ field: 'query' }] });
  });

  it('runs many pairs in chunks of at most CHUNK_TOKENS padded tokens, scores back in order', async () => {
    const runs: { rows: number; lastTokens: number[] }[] = [];
    const docs = Array.from({ length: 400 }, (_, i) => `doc${i} some words here`);
    const scored = await crossEncoderScores(encoder(runs), 'q', docs, 16, 'none', {});
    expect(scored.scores).toEqual(docs.map((_, i) => i - 10));
    expect(runs.length).toBeGreaterThan(1);
    // [CLS] q [SEP] docN some words here [SEP]: 8 tokens a pair, so a run holds floor(2048 / 8) of them.
    expect(scored.tokens).toBe(400 * 8);
    expect(runs.map((r) => r.rows)).toEqual([CHUNK_TOKENS / 8, 400 - CHUNK_TOKENS / 8]);
    expect(runs.reduce((n, r) => n + r.rows, 0)).toBe(400);
  });

  it('stops before the next run once the signal fired, with the signal\'s reason', async () => {
    const runs: { rows: number; lastTokens: number[] }[] = [];
    const controller = new AbortController();
    const docs = Array.from({ length: 400 }, (_, i) => `doc${i} some words here`);
    const call = crossEncoderScores(encoder(runs), 'q', docs, 16, 'none', {
      signal: controller.signal,
      onChunk: (chunk) => chunk === 0 && controller.abort(),
    });
    await expect(call).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(runs).toHaveLength(1);
  });
});
