import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LanceVectorStore } from '../../src/adapters/vector/lance';
import { VectorService, type ModelService, type SearchHit } from '../../src/domain';
import { openModelService } from '../support/model-services';
import { createRealProviders, EMBEDDING_MODEL, type RealProviders } from '../support/real-models';
import { tempDir } from '../support/temp-dirs';

/**
 * Retrieval quality on a labelled set (test/fixtures/retrieval-quality.json: its source is in the
 * file): product codes only exact matching finds, paraphrases only meaning finds. Hybrid search
 * must recall at least as much in its top 5 as either mode alone, and reranking hybrid's
 * candidates must put a relevant passage first at least as often as hybrid does. The figures are
 * printed so a run's log records them.
 */

interface LabelledSet {
  source: string;
  passages: { id: string; text: string }[];
  queries: { query: string; relevant: string[]; kind: 'keyword' | 'paraphrase' }[];
}

const SET = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'retrieval-quality.json'), 'utf8')) as LabelledSet;
const MINILM = { name: EMBEDDING_MODEL.name, provider: 'transformers', modelId: EMBEDDING_MODEL.model_id, parameters: {}, enabled: true } as const;
const RERANKER = { name: 'minilm-rerank', provider: 'transformers', modelId: EMBEDDING_MODEL.model_id, parameters: { kind: 'reranker', architecture: 'bi-encoder' }, enabled: true } as const;

describe('retrieval quality on a labelled set (real all-MiniLM-L6-v2, LanceDB full-text)', () => {
  let providers: RealProviders;
  let store: LanceVectorStore;
  let models: ModelService;
  let vectors: VectorService;

  beforeAll(async () => {
    providers = createRealProviders();
    const dir = await tempDir('quality');
    store = await LanceVectorStore.open({ dataDir: dir });
    models = await openModelService(providers.map, { dir, defaults: [MINILM, RERANKER] });
    vectors = new VectorService(store, models.textModels());
    await vectors.createCollection({ name: 'kb', vectorDim: 0, embeddingModel: EMBEDDING_MODEL.name });
    await vectors.insert('kb', SET.passages);
  });
  afterAll(async () => {
    await store?.close();
    await providers?.close();
  });

  it('hybrid recalls at least as much as text or vector alone, and reranking ranks a relevant passage first at least as often', async () => {
    const search = (query: string, options: Record<string, unknown>): Promise<SearchHit[]> =>
      vectors.search('kb', { queryVector: [], queryText: query, options: { topK: 5, ...options } });
    const modes: Record<string, Record<string, unknown>> = {
      vector: { mode: 'vector' },
      text: { mode: 'text' },
      hybrid: { mode: 'hybrid' },
      'hybrid+rerank': { mode: 'hybrid', rerank: { model: RERANKER.name, candidates: 20 } },
    };
    const figures: Record<string, { recallAt5: number; firstRelevant: number; keyword: number; paraphrase: number }> = {};
    for (const [name, options] of Object.entries(modes)) {
      let found = 0;
      let first = 0;
      const byKind = { keyword: 0, paraphrase: 0 };
      for (const q of SET.queries) {
        const ids = (await search(q.query, options)).map((h) => h.id);
        const recalled = q.relevant.some((id) => ids.includes(id));
        if (recalled) {
          found += 1;
          byKind[q.kind] += 1;
        }
        if (ids.length > 0 && q.relevant.includes(ids[0]!)) first += 1;
      }
      figures[name] = { recallAt5: found / SET.queries.length, firstRelevant: first / SET.queries.length, ...byKind };
    }
    process.stdout.write(`retrieval quality (${SET.queries.length} queries, ${SET.passages.length} passages): ${JSON.stringify(figures)}\n`);

    expect(figures.hybrid!.recallAt5).toBeGreaterThanOrEqual(figures.text!.recallAt5);
    expect(figures.hybrid!.recallAt5).toBeGreaterThanOrEqual(figures.vector!.recallAt5);
    expect(figures['hybrid+rerank']!.firstRelevant).toBeGreaterThanOrEqual(figures.hybrid!.firstRelevant);
    // The set is built so that neither mode alone suffices: each misses queries of the other kind.
    expect(figures.text!.recallAt5).toBeLessThan(1);
    expect(figures.vector!.recallAt5).toBeLessThan(1);
  });
});
