import type { RerankScores } from '../../../src/domain';
import { modelOf, onEach, outcomeOf, serving, useSubjects } from './contract-harness';

/** rerank: one score per document in input order, determinism, meaning, cancellation, and a remote equal to the local model it proxies. */
const subjects = useSubjects();

const QUERY = 'How do I reset my password?';
const DOCUMENTS = [
  'The cafeteria serves lunch from noon until two.',
  'To reset your password, open Settings, choose Security and click "Forgot password".',
  'Quarterly revenue grew by four percent.',
  'Ünïcödé façade, naïve café; 東京 タワー',
  'Password resets need the email address of the account.',
];
/** Past all-MiniLM-L6-v2's 256-token window. */
const LONG = 'The sentence repeats itself. '.repeat(100);
/** fp32 scores are batch-invariant to ~1e-7; float JSON round-trips them exactly. */
const SAME = 1e-5;

function expectWellFormed(result: RerankScores, count: number): void {
  expect(result.scores).toHaveLength(count);
  expect(result.truncated).toHaveLength(count);
  expect(result.scores.every(Number.isFinite)).toBe(true);
  if (result.tokens !== undefined) expect(Number.isInteger(result.tokens) && result.tokens >= count).toBe(true);
}

describe.each(serving('reranker'))('the ModelProvider contract: %s reranks', (label) => {
  const subject = () => subjects[label]!;
  const rerank = (query: string, documents: string[], signal?: AbortSignal) => subject().provider.rerank(modelOf(subject(), 'reranker'), query, documents, { signal });

  it('one finite score per document, in input order, each the score the document gets alone', async () => {
    const all = await rerank(QUERY, DOCUMENTS);
    expectWellFormed(all, DOCUMENTS.length);
    expect(all.truncated).toEqual(DOCUMENTS.map(() => false));
    for (const [i, document] of DOCUMENTS.entries()) {
      const alone = await rerank(QUERY, [document]);
      expect(Math.abs(alone.scores[0]! - all.scores[i]!)).toBeLessThan(SAME);
    }
  });

  it('means something: the passages about passwords score above the others', async () => {
    const { scores } = await rerank(QUERY, DOCUMENTS);
    const [lunch, reset, revenue, unicode, resets] = scores as [number, number, number, number, number];
    expect(Math.min(reset, resets)).toBeGreaterThan(Math.max(lunch, revenue, unicode));
  });

  it('is deterministic: the same call gives the same scores, in any document order', async () => {
    const first = await rerank(QUERY, DOCUMENTS);
    expect((await rerank(QUERY, DOCUMENTS)).scores).toEqual(first.scores);
    const reversed = await rerank(QUERY, [...DOCUMENTS].reverse());
    reversed.scores.reverse().forEach((score, i) => expect(Math.abs(score - first.scores[i]!)).toBeLessThan(SAME));
  });

  it('a document past the window is cut, not refused, and reported when the provider can tell', async () => {
    const result = await rerank('repetition', [LONG, DOCUMENTS[0]!]);
    expectWellFormed(result, 2);
    expect(result.truncated).toEqual([subject().knowsTruncation === true, false]);
  });

  it('a signal fired during rerank is CANCELLED', async () => {
    const controller = new AbortController();
    const documents = Array.from({ length: 48 }, (_, i) => `Document number ${i} of a batch that takes a moment to score. `.repeat(6));
    const call = rerank(QUERY, documents, controller.signal);
    controller.abort();
    expect(await outcomeOf(call)).toEqual({ code: 'CANCELLED', fields: [] });
  });
});

describe('the ModelProvider contract: rerankers agree across providers of the same weights', () => {
  it('a remote returns what the local provider it proxies returns', async () => {
    const documents = [...DOCUMENTS, LONG];
    const results = await onEach(subjects, 'reranker', (subject, model) => subject.provider.rerank(model, QUERY, documents));
    const compared = serving('reranker').filter((label) => subjects[label]!.sameAs?.reranker !== undefined);
    expect(compared.length).toBeGreaterThan(0);
    for (const label of compared) {
      const remote = results[label]!;
      const local = results[subjects[label]!.sameAs!.reranker!]!;
      remote.scores.forEach((score, i) => expect({ label, i, close: Math.abs(score - local.scores[i]!) < 1e-6 }).toEqual({ label, i, close: true }));
      if (remote.tokens !== undefined && local.tokens !== undefined) expect(remote.tokens).toBe(local.tokens);
    }
  });
});
