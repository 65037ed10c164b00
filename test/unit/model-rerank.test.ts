import { modelLimits, type ModelOperation, type ModelService, type Telemetry } from '../../src/domain';
import { DomainError } from '../../src/errors';
import { FakeModelProvider } from '../support/fake-model-provider';
import { openModelService } from '../support/model-services';

/** ModelService.rerank's rules: kinds, limits, ordering, top_n, the limiter and telemetry (fake provider). */

async function rejection(p: Promise<unknown>): Promise<DomainError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(DomainError);
  return e as DomainError;
}

describe('ModelService.rerank', () => {
  let provider: FakeModelProvider;
  let svc: ModelService;
  const calls: ModelOperation[] = [];

  beforeEach(async () => {
    provider = new FakeModelProvider();
    calls.length = 0;
    const telemetry: Telemetry = { embeddingBatch: () => undefined, modelCall: (_p, operation) => void calls.push(operation) };
    svc = await openModelService({ transformers: provider }, { telemetry });
    await svc.register({ name: 'ranker', provider: 'transformers', modelId: 'r', parameters: { kind: 'reranker' } });
    await svc.register({ name: 'emb', provider: 'transformers', modelId: 'e', parameters: {} });
    await svc.register({ name: 'gen', provider: 'transformers', modelId: 'g', parameters: { kind: 'generation' } });
  });

  const DOCS = ['a red apple', 'green apple pie', 'the red apple tree', 'nothing here', 'red apple'];

  it('answers every document best first, equal scores by index, with the model and per-document flags', async () => {
    const r = await svc.rerank('ranker', 'red apple', DOCS);
    // Scores: 2, 1, 2, 0, 2 (words of the query a document holds).
    expect(r.results).toEqual([
      { index: 0, score: 2 },
      { index: 2, score: 2 },
      { index: 4, score: 2 },
      { index: 1, score: 1 },
      { index: 3, score: 0 },
    ]);
    expect(r.metadata).toEqual({ model: 'ranker', truncated: [false, false, false, false, false], tokens_used: 50 });
    expect(provider.rerankCalls).toEqual([{ query: 'red apple', documents: DOCS }]);
    expect(calls).toEqual(['rerank']);
  });

  it('top_n cuts the answer; 0 means all; above the count means all', async () => {
    expect((await svc.rerank('ranker', 'red apple', DOCS, { topN: 2 })).results.map((h) => h.index)).toEqual([0, 2]);
    expect((await svc.rerank('ranker', 'red apple', DOCS, { topN: 0 })).results).toHaveLength(5);
    expect((await svc.rerank('ranker', 'red apple', DOCS, { topN: 999 })).results).toHaveLength(5);
  });

  it.each([
    ['a negative top_n', { topN: -1 }, 'top_n'],
    ['a fractional top_n', { topN: 1.5 }, 'top_n'],
    ['a top_n above the document limit', { topN: modelLimits.maxRerankDocuments + 1 }, 'top_n'],
  ] as [string, { topN: number }, string][])('%s is INVALID_ARGUMENT naming top_n', async (_label, options, field) => {
    const e = await rejection(svc.rerank('ranker', 'q', ['d'], options));
    expect({ code: e.code, fields: e.violations.map((v) => v.field) }).toEqual({ code: 'INVALID_ARGUMENT', fields: [field] });
    expect(provider.rerankCalls).toEqual([]);
  });

  it.each([
    ['an empty query', 'INVALID_ARGUMENT', 'query', '', ['d']],
    ['a blank query', 'INVALID_ARGUMENT', 'query', '  ', ['d']],
    ['no documents', 'INVALID_ARGUMENT', 'documents', 'q', []],
    ['an empty document', 'INVALID_ARGUMENT', 'documents[1]', 'q', ['d', '']],
    ['too many documents', 'RESOURCE_EXHAUSTED', 'documents', 'q', Array.from({ length: 1001 }, (_, i) => `d${i}`)],
    ['a document over 64 KiB', 'RESOURCE_EXHAUSTED', 'documents[1]', 'q', ['d', 'x'.repeat(64 * 1024 + 1)]],
    ['documents over 4 MiB in all', 'RESOURCE_EXHAUSTED', 'documents', 'q', Array.from({ length: 65 }, () => 'x'.repeat(64 * 1024))],
    ['a query over 64 KiB', 'RESOURCE_EXHAUSTED', 'query', 'q'.repeat(64 * 1024 + 1), ['d']],
  ] as [string, string, string, string, string[]][])('%s is %s naming %s, before the provider', async (_label, code, field, query, documents) => {
    const e = await rejection(svc.rerank('ranker', query, documents));
    expect({ code: e.code, fields: e.violations.map((v) => v.field) }).toEqual({ code, fields: [field] });
    if (code === 'RESOURCE_EXHAUSTED') expect(e.reason).toBe('PAYLOAD_TOO_LARGE');
    expect(provider.rerankCalls).toEqual([]);
  });

  it('refuses the other kinds, and a reranker refuses the other calls, saying which call it answers', async () => {
    expect((await rejection(svc.rerank('emb', 'q', ['d']))).message).toBe("model 'emb' is an embedding model; use GenerateEmbedding");
    expect((await rejection(svc.rerank('gen', 'q', ['d']))).message).toBe("model 'gen' is a text generation model; use GenerateText");
    expect((await rejection(svc.embed('ranker', ['d']))).message).toBe("model 'ranker' is a reranker model; use Rerank");
    expect((await rejection(svc.generateText('ranker', 'hi', {}))).message).toBe("model 'ranker' is a reranker model; use Rerank");
    expect((await rejection(svc.rerank('ghost', 'q', ['d']))).code).toBe('NOT_FOUND');
    await svc.update('ranker', { name: '', provider: 'transformers', modelId: 'r', parameters: { kind: 'reranker' }, enabled: false });
    expect((await rejection(svc.rerank('ranker', 'q', ['d']))).code).toBe('FAILED_PRECONDITION');
    expect(provider.rerankCalls).toEqual([]);
  });

  it("runs on the model's limiter: a second call waits for the first, a cancelled waiter never reaches the provider", async () => {
    provider.hold();
    const first = svc.rerank('ranker', 'red', ['red']);
    const controller = new AbortController();
    const second = svc.rerank('ranker', 'blue', ['blue'], { signal: controller.signal });
    await new Promise((r) => setImmediate(r));
    expect(provider.rerankCalls.map((c) => c.query)).toEqual(['red']);
    controller.abort();
    expect((await rejection(second)).code).toBe('CANCELLED');
    provider.letGo();
    expect((await first).results).toEqual([{ index: 0, score: 1 }]);
    expect(provider.rerankCalls.map((c) => c.query)).toEqual(['red']);
    expect((await rejection(svc.rerank('ranker', 'x', ['x'], { signal: AbortSignal.abort() }))).code).toBe('CANCELLED');
  });

  it('refuses a provider answer that does not score every document once (INTERNAL)', async () => {
    jest.spyOn(provider, 'rerank').mockResolvedValueOnce({ scores: [1], truncated: [false] });
    expect((await rejection(svc.rerank('ranker', 'q', ['a', 'b']))).code).toBe('INTERNAL');
  });
});
