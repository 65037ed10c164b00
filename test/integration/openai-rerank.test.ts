import { MemoryVectorStore } from '../../src/adapters/vector/memory';
import type { ModelService } from '../../src/domain';
import { startRestServer, type RestTestServer } from '../support/rest-test-server';
import { openModelService } from '../support/model-services';
import { createRealProviders, EMBEDDING_MODEL, type RealProviders } from '../support/real-models';

/**
 * POST /openai/v1/rerank, the Cohere/Jina shape, on a real instance (A: the default bi-encoder
 * reranker over all-MiniLM-L6-v2, served by transformers), called over loopback as RAG frameworks
 * call Cohere or Jina; then a second instance (B) whose reranker is the `openai` provider pointed
 * at A must answer what A answers.
 */
const RERANKER = { name: 'rerank', provider: 'transformers', modelId: EMBEDDING_MODEL.model_id, parameters: { kind: 'reranker', architecture: 'bi-encoder' }, enabled: true };
const QUERY = 'The weather is lovely today.';
const DOCUMENTS = ['He drove to the stadium.', "It's so sunny outside!", 'Stock markets fell sharply.'];

describe('Cohere/Jina-compatible rerank (/openai/v1/rerank) with the real default reranker', () => {
  let providers: RealProviders;
  let a: ModelService;
  let b: ModelService;
  let rest: RestTestServer;

  beforeAll(async () => {
    providers = createRealProviders();
    a = await openModelService(providers.map);
    await a.register(RERANKER);
    await a.register({ name: 'minilm', provider: 'transformers', modelId: EMBEDDING_MODEL.model_id, parameters: {}, enabled: true });
    rest = await startRestServer(new MemoryVectorStore(), { models: a });
    b = await openModelService(providers.map);
    await b.register({ name: 'remote-rerank', provider: 'openai', modelId: 'rerank', parameters: { base_url: `${rest.baseUrl}/openai/v1`, kind: 'reranker' }, enabled: true });
  });

  afterAll(async () => {
    await rest?.close();
    await providers?.close();
  });

  const post = (body: unknown) => rest.call('POST', '/openai/v1/rerank', { json: body });

  it('answers results best first with relevance_score, an id, the model and usage; the scores are the domain\'s', async () => {
    const answer = await post({ model: 'rerank', query: QUERY, documents: DOCUMENTS });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      id: expect.stringMatching(/^rerank-[0-9a-f-]{36}$/),
      model: 'rerank',
      results: DOCUMENTS.map(() => ({ index: expect.any(Number), relevance_score: expect.any(Number) })),
      usage: { prompt_tokens: expect.any(Number), total_tokens: expect.any(Number) },
    });
    // The sunny sentence first, as the sentence-transformers Quickstart scores it (0.666).
    expect(answer.body.results[0].index).toBe(1);
    const native = await a.rerank('rerank', QUERY, DOCUMENTS);
    expect(answer.body.results).toEqual(native.results.map((r) => ({ index: r.index, relevance_score: r.score })));
    expect(answer.body.usage.total_tokens).toBe(native.tokens);
  });

  it('top_n cuts the answer; return_documents echoes each as {text}; documents may be {text} objects; null means absent', async () => {
    const top = await post({ model: 'rerank', query: QUERY, documents: DOCUMENTS.map((text) => ({ text })), top_n: 1, return_documents: true });
    expect(top.status).toBe(200);
    expect(top.body.results).toEqual([{ index: 1, relevance_score: expect.any(Number), document: { text: DOCUMENTS[1] } }]);
    const nulls = await post({ model: 'rerank', query: QUERY, documents: DOCUMENTS, top_n: null, return_documents: null });
    expect(nulls.body.results).toHaveLength(3);
    expect(nulls.body.results[0]).not.toHaveProperty('document');
  });

  it.each([
    ['no documents', 400, 'documents', 'invalid_argument', { documents: [] }],
    ['an empty query', 400, 'query', 'invalid_argument', { query: '' }],
    ['a document that is neither a string nor {text}', 400, 'documents[1]', 'invalid_argument', { documents: ['ok', 42] }],
    ['a negative top_n', 400, 'top_n', 'invalid_argument', { top_n: -1 }],
    ['more than 1000 documents', 413, 'documents', 'resource_exhausted', { documents: Array.from({ length: 1001 }, (_, i) => `d${i}`) }],
    ['a document over 64 KiB', 413, 'documents[0]', 'resource_exhausted', { documents: ['x'.repeat(64 * 1024 + 1)] }],
  ] as const)('%s: %s in OpenAI\'s error body, param %s', async (_label, status, param, code, change) => {
    const answer = await post({ model: 'rerank', query: QUERY, documents: DOCUMENTS, ...change });
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({ error: { message: expect.stringContaining(`${param}: `), type: expect.any(String), param, code } });
  });

  it('an unknown model is 404 model_not_found; an embedding model is 400 failed_precondition saying what it is', async () => {
    const missing = await post({ model: 'no-such-model', query: QUERY, documents: DOCUMENTS });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ param: 'model', code: 'model_not_found' });
    const wrong = await post({ model: 'minilm', query: QUERY, documents: DOCUMENTS });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: 'failed_precondition', message: "model 'minilm' is an embedding model; use GenerateEmbedding" });
  });

  it('a second instance reranking through the openai provider answers what this one answers; an upstream refusal keeps its code', async () => {
    const remote = await b.rerank('remote-rerank', QUERY, DOCUMENTS, { topN: 2 });
    const local = await a.rerank('rerank', QUERY, DOCUMENTS, { topN: 2 });
    expect(remote.results.map((r) => r.index)).toEqual(local.results.map((r) => r.index));
    remote.results.forEach((r, i) => expect(Math.abs(r.score - local.results[i]!.score)).toBeLessThan(1e-9));
    expect(remote.tokens).toBe(local.tokens);
    await b.register({ name: 'remote-not-a-reranker', provider: 'openai', modelId: 'minilm', parameters: { base_url: `${rest.baseUrl}/openai/v1`, kind: 'reranker' }, enabled: true });
    const refused = await b.rerank('remote-not-a-reranker', QUERY, DOCUMENTS).then(() => undefined, (e: unknown) => e);
    expect(refused).toMatchObject({ code: 'FAILED_PRECONDITION', message: expect.stringContaining("model 'minilm' is an embedding model; use GenerateEmbedding") });
  });
});
