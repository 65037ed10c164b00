import { MemoryVectorStore } from '../../src/adapters/vector/memory';
import { fuseByRank, VectorService, type ModelService, type SearchHit } from '../../src/domain';
import { DomainError } from '../../src/errors';
import { FakeModelProvider, vectorOf } from '../support/fake-model-provider';
import { openModelService } from '../support/model-services';

/**
 * Text in, ranked passages out, in the domain (reference store, scripted provider): bound
 * collections, embedding through the batcher, the search modes, RRF, reranking, the registry's
 * guard, and every refusal naming its field while leaving the data as it was.
 */

async function rejection(p: Promise<unknown>): Promise<DomainError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(DomainError);
  return e as DomainError;
}

const field = (e: DomainError) => e.violations?.[0]?.field;

const PASSAGES = [
  { id: 'p1', text: 'the red apple', metadata: { shelf: 1 } },
  { id: 'p2', text: 'green apple pie recipe', metadata: { shelf: 2 } },
  { id: 'p3', text: 'part number XK-42 gasket', metadata: { shelf: 1 } },
  { id: 'p4', text: 'a quiet winter planet', metadata: { shelf: 2 } },
];

describe('VectorService with text (reference store, scripted models)', () => {
  let provider: FakeModelProvider;
  let models: ModelService;
  let svc: VectorService;

  beforeEach(async () => {
    provider = new FakeModelProvider();
    models = await openModelService({ transformers: provider });
    await models.register({ name: 'emb', provider: 'transformers', modelId: 'e', parameters: {} });
    await models.register({ name: 'ranker', provider: 'transformers', modelId: 'r', parameters: { kind: 'reranker' } });
    svc = new VectorService(new MemoryVectorStore(), models.textModels());
    models.guardBindings((m) => svc.collectionsBoundTo(m));
    await svc.createCollection({ name: 'docs', vectorDim: 0, embeddingModel: 'emb' });
    await svc.createCollection({ name: 'plain', vectorDim: 3 });
  });

  it('binds a collection to the model: dimension taken from it, identity stored and reported', async () => {
    const info = await svc.getCollectionInfo('docs');
    expect(info.vectorDim).toBe(3);
    expect(info.embeddingModel).toEqual({ model: 'emb', provider: 'transformers', modelId: 'e', weights: 'dtype=default', dimension: 3 });
    expect((await svc.getCollectionInfo('plain')).embeddingModel).toBeNull();
    await svc.createCollection({ name: 'same', vectorDim: 3, embeddingModel: 'emb' });
    const wrong = await rejection(svc.createCollection({ name: 'other', vectorDim: 4, embeddingModel: 'emb' }));
    expect([wrong.code, field(wrong)]).toEqual(['INVALID_ARGUMENT', 'vector_dim']);
    expect(wrong.message).toContain('must be 0 or 3');
    expect((await rejection(svc.createCollection({ name: 'other', vectorDim: 0, embeddingModel: 'nope' }))).code).toBe('NOT_FOUND');
    expect((await rejection(svc.createCollection({ name: 'other', vectorDim: 0, embeddingModel: 'ranker' }))).code).toBe('FAILED_PRECONDITION');
    expect(field(await rejection(svc.createCollection({ name: 'other', vectorDim: 0 })))).toBe('vector_dim');
    expect(await svc.hasCollection('other')).toBe(false);
  });

  it('embeds texts without vectors in one batch, keeps given vectors, and returns the text everywhere', async () => {
    provider.embedCalls.length = 0;
    await svc.insert('docs', [...PASSAGES, { id: 'given', text: 'with its own vector', vector: [0, 1, 1], metadata: {} }]);
    expect(provider.embedCalls).toEqual([PASSAGES.map((p) => p.text)]);
    expect(await svc.getById('docs', 'p3')).toEqual({ id: 'p3', vector: vectorOf(PASSAGES[2]!.text), metadata: { shelf: 1 }, text: PASSAGES[2]!.text });
    expect((await svc.getById('docs', 'given')).vector).toEqual([0, 1, 1]);
    const page = await svc.listVectors('docs', { pageSize: 2 });
    expect(page.vectors.map((r) => r.text)).toEqual(['with its own vector', 'the red apple']);
  });

  it('embeds a text repeated within one write once, and gives every record carrying it its vector', async () => {
    provider.embedCalls.length = 0;
    const texts = ['same passage', 'other passage', 'same passage', 'same passage'];
    await svc.insert('docs', texts.map((text, i) => ({ id: `r${i}`, text, metadata: {} })));
    expect(provider.embedCalls).toEqual([['same passage', 'other passage']]);
    for (const [i, text] of texts.entries()) {
      expect(await svc.getById('docs', `r${i}`)).toEqual({ id: `r${i}`, vector: vectorOf(text), metadata: {}, text });
    }
  });

  it('searches by query_text in vector mode exactly as by the embedded query vector', async () => {
    await svc.insert('docs', PASSAGES);
    const byText = await svc.search('docs', { queryVector: [], queryText: 'winter', options: { topK: 4 } });
    const byVector = await svc.search('docs', { queryVector: vectorOf('winter'), options: { topK: 4 } });
    expect(byText).toEqual(byVector);
    expect(byText[0]!.text).toBeDefined();
  });

  it('ranks by BM25 in text mode, prefiltered, and fuses both rankings by RRF in hybrid mode', async () => {
    await svc.insert('docs', PASSAGES);
    const text = await svc.search('docs', { queryVector: [], queryText: 'XK-42', options: { mode: 'text' } });
    expect(text.map((h) => h.id)).toEqual(['p3']);
    const apple = await svc.search('docs', { queryVector: [], queryText: 'apple', options: { mode: 'text', filter: { shelf: 2 } } });
    expect(apple.map((h) => h.id)).toEqual(['p2']);

    const hybrid = await svc.search('docs', { queryVector: [], queryText: 'apple', options: { mode: 'hybrid', topK: 3, rrfK: 10 } });
    const vector = await svc.search('docs', { queryVector: [], queryText: 'apple', options: { topK: 50 } });
    const bm25 = await svc.search('docs', { queryVector: [], queryText: 'apple', options: { mode: 'text', topK: 50 } });
    expect(hybrid).toEqual(fuseByRank([vector, bm25], 10, 3));
    expect(hybrid[0]!.score).toBeCloseTo(1 / 11 + 1 / (10 + vector.findIndex((h) => h.id === hybrid[0]!.id) + 1), 12);
  });

  it('reranks the candidates by their texts and returns the best topk with relevance scores', async () => {
    await svc.insert('docs', PASSAGES);
    provider.rerankCalls.length = 0;
    const hits = await svc.search('docs', { queryVector: [], queryText: 'red apple', options: { topK: 2, rerank: { model: 'ranker', candidates: 4 } } });
    expect(provider.rerankCalls).toHaveLength(1);
    expect(provider.rerankCalls[0]!.documents).toHaveLength(4);
    expect(hits.map((h) => [h.id, h.score])).toEqual([
      ['p1', 2],
      ['p2', 1],
    ]);
  });

  it.each<[string, () => Promise<unknown>, string, string]>([
    ['text in an unbound collection', () => svc.insert('plain', [{ id: 'x', vector: [], text: 'hello' }]), 'INVALID_ARGUMENT', 'vectors[0].text'],
    ['text beside a vector in an unbound collection', () => svc.insert('plain', [{ id: 'x', vector: [1, 0, 0], text: 'hello' }]), 'INVALID_ARGUMENT', 'vectors[0].text'],
    ['an empty record in a bound collection', () => svc.insert('docs', [{ id: 'x', vector: [] }]), 'INVALID_ARGUMENT', 'vectors[0].vector'],
    ['a blank text', () => svc.insert('docs', [{ id: 'ok', vector: [], text: 'fine' }, { id: 'x', vector: [], text: '   ' }]), 'INVALID_ARGUMENT', 'vectors[1].text'],
    ['an oversized text', () => svc.insert('docs', [{ id: 'x', vector: [], text: 'é'.repeat(16_385) }]), 'RESOURCE_EXHAUSTED', 'vectors[0].text'],
    ['a wrong mode', () => svc.search('docs', { queryVector: [], queryText: 'a', options: { mode: 'fuzzy' } }), 'INVALID_ARGUMENT', 'options.mode'],
    ['rrf_k 0', () => svc.search('docs', { queryVector: [], queryText: 'a', options: { mode: 'hybrid', rrfK: 0 } }), 'INVALID_ARGUMENT', 'options.rrf_k'],
    ['rrf_k below 0', () => svc.search('docs', { queryVector: [], queryText: 'a', options: { mode: 'hybrid', rrfK: -5 } }), 'INVALID_ARGUMENT', 'options.rrf_k'],
    ['both queries', () => svc.search('docs', { queryVector: [1, 1, 1], queryText: 'a' }), 'INVALID_ARGUMENT', 'query_text'],
    ['text mode without query_text', () => svc.search('docs', { queryVector: [1, 1, 1], options: { mode: 'text' } }), 'INVALID_ARGUMENT', 'query_text'],
    ['query_text in an unbound collection', () => svc.search('plain', { queryVector: [], queryText: 'a' }), 'INVALID_ARGUMENT', 'query_text'],
    ['text mode in an unbound collection', () => svc.search('plain', { queryVector: [], queryText: 'a', options: { mode: 'text' } }), 'INVALID_ARGUMENT', 'query_text'],
    ['rerank without query_text', () => svc.search('docs', { queryVector: [1, 1, 1], options: { rerank: { model: 'ranker' } } }), 'INVALID_ARGUMENT', 'options.rerank'],
    ['rerank candidates below topk', () => svc.search('docs', { queryVector: [], queryText: 'a', options: { topK: 5, rerank: { model: 'ranker', candidates: 2 } } }), 'INVALID_ARGUMENT', 'options.rerank.candidates'],
  ])('refuses %s (the code and field it names; data intact)', async (_, call, code, name) => {
    await svc.insert('docs', PASSAGES);
    const before = await svc.listVectors('docs', { pageSize: 100 });
    const err = await rejection(call());
    expect([err.code, field(err)]).toEqual([code, name]);
    expect(await svc.listVectors('docs', { pageSize: 100 })).toEqual(before);
    expect(await svc.countVectors('plain', null)).toBe(0);
  });

  it('refuses to rerank with an embedding model, and stores nothing from a batch that failed to embed', async () => {
    await svc.insert('docs', PASSAGES);
    const wrongKind = await rejection(svc.search('docs', { queryVector: [], queryText: 'a', options: { rerank: { model: 'emb' } } }));
    expect(wrongKind.code).toBe('FAILED_PRECONDITION');
    expect(wrongKind.message).toContain('embedding model');
    await models.update('emb', { provider: 'transformers', modelId: 'e', parameters: {}, enabled: false });
    expect((await rejection(svc.insert('docs', [{ id: 'new', vector: [], text: 'never stored' }]))).code).toBe('FAILED_PRECONDITION');
    expect(await svc.countVectors('docs', null)).toBe(PASSAGES.length);
  });

  it('keeps a bound model registered and its vectors meaning the same: no unregister, rename or change of weights', async () => {
    const unregister = await rejection(models.unregister('emb'));
    expect(unregister.code).toBe('FAILED_PRECONDITION');
    expect(unregister.message).toContain("'docs'");
    expect((await rejection(models.update('emb', { name: 'emb2', provider: 'transformers', modelId: 'e', parameters: {} }))).code).toBe('FAILED_PRECONDITION');
    expect((await rejection(models.update('emb', { provider: 'transformers', modelId: 'other', parameters: {} }))).code).toBe('FAILED_PRECONDITION');
    expect((await rejection(models.update('emb', { provider: 'transformers', modelId: 'e', parameters: { dtype: 'q8' } }))).code).toBe('FAILED_PRECONDITION');
    await models.update('emb', { provider: 'transformers', modelId: 'e', parameters: { max_batch: 8 } });
    await svc.dropCollection('docs');
    await models.unregister('emb');
    expect(models.list().map((m) => m.name)).toEqual(['ranker']);
  });

  it('hybrid fusion: a hit in both rankings outranks hits in one, ties by id', () => {
    const hit = (id: string): SearchHit => ({ id, score: 0, metadata: {} });
    const fused = fuseByRank([[hit('a'), hit('b')], [hit('c'), hit('b')]], 60, 3);
    expect(fused.map((h) => h.id)).toEqual(['b', 'a', 'c']);
    expect(fused[0]!.score).toBeCloseTo(2 / 62, 12);
  });
});
