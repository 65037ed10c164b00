import type { EmbeddingResult } from '../../../src/domain';
import { dot, maxDiff, modelOf, onEach, serving, useSubjects } from './contract-harness';

/** embed: shape, order, determinism, and a remote equal to the local model it proxies. */
const subjects = useSubjects();

const TEXTS = ['A man is eating food.', 'A man is eating a piece of bread.', 'The stock market fell today.', 'Ünïcödé façade, naïve café; 東京 タワー', 'hi'];
/** Past all-MiniLM-L6-v2's 256-token window. */
const LONG = 'The sentence repeats itself. '.repeat(100);
/** fp32 vectors are batch-invariant to ~1e-7; float JSON round-trips them exactly. */
const SAME = 1e-5;

function expectWellFormed(result: EmbeddingResult, count: number): void {
  expect(result.vectors).toHaveLength(count);
  expect(result.truncated).toHaveLength(count);
  expect(Number.isInteger(result.dimension) && result.dimension > 0).toBe(true);
  for (const vector of result.vectors) {
    expect(vector).toHaveLength(result.dimension);
    expect(vector.every(Number.isFinite)).toBe(true);
    // Unit length, as docs/API.md promises (mean pooling, then L2 normalization).
    expect(Math.sqrt(dot(vector, vector))).toBeCloseTo(1, 4);
  }
  if (result.tokens !== undefined) expect(Number.isInteger(result.tokens) && result.tokens >= count).toBe(true);
  if (result.tokenCounts !== undefined) expect(result.tokenCounts.reduce((a, b) => a + b, 0)).toBe(result.tokens);
}

describe.each(serving('embedding'))('the ModelProvider contract: %s embeds', (label) => {
  const subject = () => subjects[label]!;
  const embed = (texts: string[]) => subject().provider.embed(modelOf(subject(), 'embedding'), texts);

  it('one text: one unit vector of the model dimension', async () => {
    const result = await embed([TEXTS[0]!]);
    expectWellFormed(result, 1);
    expect(result.truncated).toEqual([false]);
  });

  it('many texts: one vector per text, in input order, each the vector the text gets alone', async () => {
    const batch = await embed(TEXTS);
    expectWellFormed(batch, TEXTS.length);
    for (const [i, text] of TEXTS.entries()) {
      const alone = await embed([text]);
      expect(alone.dimension).toBe(batch.dimension);
      expect(maxDiff(alone.vectors[0]!, batch.vectors[i]!)).toBeLessThan(SAME);
    }
    // And they mean something: the two sentences about eating are closer than eating and stocks.
    const [food, bread, stocks] = batch.vectors as [number[], number[], number[]];
    expect(dot(food, bread)).toBeGreaterThan(dot(food, stocks) + 0.2);
  });

  it('is deterministic: the same texts give the same vectors, in any order', async () => {
    const first = await embed(TEXTS);
    const again = await embed(TEXTS);
    expect(again.vectors).toEqual(first.vectors);
    const reversed = await embed([...TEXTS].reverse());
    reversed.vectors.reverse().forEach((vector, i) => expect(maxDiff(vector, first.vectors[i]!)).toBeLessThan(SAME));
  });

  it('a text past the window is cut, not refused, and reported when the provider can tell', async () => {
    const result = await embed([LONG, TEXTS[0]!]);
    expectWellFormed(result, 2);
    expect(result.truncated).toEqual([subject().knowsTruncation === true, false]);
  });
});

describe('the ModelProvider contract: embeddings agree across providers of the same weights', () => {
  it('a remote returns what the local provider it proxies returns', async () => {
    const texts = [...TEXTS, LONG];
    const results = await onEach(subjects, 'embedding', (subject, model) => subject.provider.embed(model, texts));
    const compared = serving('embedding').filter((label) => subjects[label]!.sameAs?.embedding !== undefined);
    expect(compared.length).toBeGreaterThan(0);
    for (const label of compared) {
      const remote = results[label]!;
      const local = results[subjects[label]!.sameAs!.embedding!]!;
      expect({ label, dimension: remote.dimension }).toEqual({ label, dimension: local.dimension });
      remote.vectors.forEach((vector, i) => expect(maxDiff(vector, local.vectors[i]!)).toBeLessThan(1e-6));
      // Token counts, when both report them, are the same model's.
      if (remote.tokens !== undefined && local.tokens !== undefined) expect(remote.tokens).toBe(local.tokens);
    }
  });
});
