import { grpcDoor, restDoor, type Door } from './doors';
import { FIXTURE_MODELS, MINILM, RERANKER } from './model-fixtures';
import { startParityApp, type ParityApp } from './parity-app';
import { parityTable } from './parity-runner';
import { BOUND, PASSAGES, listedText, readBackText, resetText, seedText, textBadInputCases } from './text-cases';

/**
 * Text in, ranked passages out, through both doors of one app on LanceDB with the real
 * all-MiniLM-L6-v2 (embeddings and the default reranker): a bound collection takes 1,000 texts
 * with no vectors and answers a text query exactly as a search by the query embedded by the
 * caller; then the bad-input table (text-cases.ts).
 */

/** 1,000 distinct passages: each names a topic, a place and a serial, so queries can aim at a few. */
function passages(count: number): { id: string; text: string; metadata: { n: number } }[] {
  const topics = ['pump maintenance', 'orbital mechanics', 'sourdough baking', 'tax law', 'migrating birds', 'jazz harmony', 'glacier retreat', 'chess openings'];
  const places = ['Lisbon', 'Osaka', 'Nairobi', 'Quito', 'Tromsø'];
  return Array.from({ length: count }, (_, i) => ({
    id: `doc${String(i).padStart(4, '0')}`,
    text: `Note ${i} on ${topics[i % topics.length]} written in ${places[i % places.length]}, serial SN-${(i * 7919) % 10007}.`,
    metadata: { n: i },
  }));
}

describe('door parity: text in, ranked passages out (real models, LanceDB)', () => {
  let app: ParityApp;
  let doors: Door[];

  beforeAll(async () => {
    app = await startParityApp({ realModels: true, models: FIXTURE_MODELS });
    await seedText(app.vectors);
    doors = [grpcDoor(() => app.grpc), restDoor(() => app.rest)];
  });
  afterAll(async () => {
    await app?.close();
  });

  it.each(['grpc', 'rest'])('through the %s door: 1,000 texts in, a text query answers as the caller-embedded vector does', async (name) => {
    const door = doors.find((d) => d.name === name)!;
    const collection = `bound_${name}`;
    const ok = async (call: Parameters<Door['run']>[0]) => {
      const outcome = await door.run(call);
      if (!outcome.ok) throw new Error(`${call.op} refused: ${outcome.code} ${outcome.detail}`);
      return outcome.result as any;
    };
    await ok({ op: 'createCollection', name: collection, vectorDim: 0, embeddingModel: MINILM.name });
    expect((await ok({ op: 'getCollectionInfo', name: collection })).vectorDim).toBe(384);
    const docs = passages(1000);
    const written = await ok({ op: 'insert', collection, vectors: docs.map(({ id, text, metadata }) => ({ id, text, metadata })) });
    expect(written.ids).toEqual(docs.map((d) => d.id));
    expect((await ok({ op: 'countVectors', collection })).count).toBe(1000);
    expect((await ok({ op: 'getById', collection, id: 'doc0042' })).vector).toMatchObject({ id: 'doc0042', text: docs[42]!.text });

    for (const query of ['notes about baking bread in Osaka', 'serial SN-2', 'bird migration']) {
      const byText = await ok({ op: 'search', collection, queryText: query, options: { topK: 10 } });
      const embedded = await ok({ op: 'embed', model: MINILM.name, text: query });
      const byVector = await ok({ op: 'search', collection, queryVector: embedded.embedding, options: { topK: 10 } });
      expect(byText.results).toHaveLength(10);
      expect(byText.results.map((h: { id: string }) => h.id)).toEqual(byVector.results.map((h: { id: string }) => h.id));
      byText.results.forEach((hit: { score: number; text: string; id: string }, i: number) => {
        expect(hit.score).toBeCloseTo(byVector.results[i].score, 5);
        expect(hit.text).toBe(docs.find((d) => d.id === hit.id)!.text);
      });
    }
    await ok({ op: 'dropCollection', name: collection });
  });

  it.each(['grpc', 'rest'])('through the %s door: text and hybrid modes find an exact code, and reranking orders by relevance', async (name) => {
    const door = doors.find((d) => d.name === name)!;
    const run = async (queryText: string, options: Record<string, unknown>) => {
      const outcome = await door.run({ op: 'search', collection: BOUND, queryText, options: { topK: 3, ...options } });
      if (!outcome.ok) throw new Error(`search refused: ${outcome.code} ${outcome.detail}`);
      return (outcome.result as any).results as { id: string; score: number; text: string }[];
    };
    expect((await run('XK-42', { mode: 'text' }))[0]!.id).toBe('p1');
    expect((await run('XK-42', { mode: 'text', filter: { shelf: 2 } })).map((h) => h.id)).not.toContain('p1');
    const hybrid = await run('part XK-42', { mode: 'hybrid' });
    expect(hybrid[0]!.id).toBe('p1');
    expect(hybrid[0]!.score).toBeLessThanOrEqual(2 / 61);
    const reranked = await run('which fruit keeps the doctor away', { mode: 'hybrid', rerank: { model: RERANKER.name, candidates: 3 } });
    expect(reranked[0]!.id).toBe('p3');
    for (const hit of reranked) expect(hit.text).toBe(PASSAGES.find((p) => p.id === hit.id)!.text);
  });

  parityTable(textBadInputCases, { doors: () => doors, readBack: readBackText, snapshot: listedText, reset: () => resetText(app.vectors) });
});
