import type { LanceActivity, LanceVectorStore } from '../../src/adapters/vector/lance';
import type { ModelService, ModelConfig as DomainModelConfig, SearchQuery, VectorRecord } from '../../src/domain';
import type { ModelConfig } from '../../src/gen/taishang/ai/v1/model_service';
import type { ChunkStart } from '../../src/providers/transformers';
import { createRealProviders, createRegistryDir, EMBEDDING_MODEL, eventually, type RealProviders, type RegistryDir } from '../support/real-models';
import { startRestServer, type RestTestServer } from '../support/rest-test-server';
import { openLanceStore } from '../support/stores';
import { logLine, startGrpc, type GrpcHarness } from './grpc-harness';

/**
 * A cancelled call stops the work underneath, not only the answer: proven by what the engine and
 * the provider report doing (LanceActivity's engine steps, EmbeddingActivity's model runs), on a
 * real LanceDB directory and the real all-MiniLM-L6-v2, directly and over both doors.
 *
 * LanceDB 0.31 cannot stop a native call that has begun, nor can ONNX Runtime stop a run; what
 * stops is everything after it: a search that needs several engine steps (here: following a tie
 * group of duplicates past k) makes no further step once its caller has left, and a batch of
 * texts makes no further model run once every caller of the batch has left.
 */
const DIM = 64;
const DUPLICATES = 300;

function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
}

const next = rng(5);
const QUERY = Array.from({ length: DIM }, next);
/** `count` rows: the first DUPLICATES are the query vector itself, the rest random. */
function rows(count: number, prefix: string): VectorRecord[] {
  return Array.from({ length: count }, (_, i) => ({ id: `${prefix}${i}`, vector: i < DUPLICATES ? QUERY : Array.from({ length: DIM }, next), metadata: {} }));
}
/** Top 10 of 300 equal scores: the store reads past k (11, 44, 176, 704 rows), one engine step each. */
const TIED_SEARCH: SearchQuery = { vector: QUERY, topK: 10, includeVector: false, filter: null };

/**
 * Runs `call`, aborting its signal (or letting `cancel` abort it) when the first engine step of the
 * store starts; returns how many steps were started once the engine has been idle for a while.
 */
async function engineStepsOf(activity: LanceActivity, call: (signal: AbortSignal) => Promise<unknown>, cancel = true): Promise<{ steps: number; outcome: unknown }> {
  const controller = new AbortController();
  let steps = 0;
  const off = activity.onStart(() => {
    steps += 1;
    if (cancel && steps === 1) controller.abort();
  });
  try {
    const outcome = await call(controller.signal).then(() => 'OK', nameOf);
    await quiet(() => activity.active === 0);
    return { steps, outcome };
  } finally {
    off();
  }
}

/** A DomainError's code, or the error's name (AbortError for a client that left). */
function nameOf(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : (e as Error).name;
}

/** Waits until `idle` has held for ten checks in a row (200 ms): a step still to come would have started. */
async function quiet(idle: () => boolean): Promise<void> {
  let streak = 0;
  const ok = await eventually(() => {
    streak = idle() ? streak + 1 : 0;
    return streak >= 10;
  }, 30_000);
  expect(ok).toBe(true);
}

describe('a cancelled LanceDB call stops between engine steps (real LanceDB in a temp dir)', () => {
  let store: LanceVectorStore;

  beforeAll(async () => {
    store = await openLanceStore();
    await store.createCollection({ name: 'ties', description: '', dimension: DIM, metricType: 'COSINE', index: null, embedding: null });
    await store.insert('ties', () => rows(2_000, 'r'));
    await store.createCollection({ name: 'chunks', description: '', dimension: DIM, metricType: 'COSINE', index: null, embedding: null });
  });
  afterAll(async () => {
    await store.close();
  });

  it('a search cancelled during its first step starts no other', async () => {
    const whole = await engineStepsOf(store.activity, () => store.search('ties', () => TIED_SEARCH), false);
    expect(whole).toEqual({ steps: 4, outcome: 'OK' });
    const cancelled = await engineStepsOf(store.activity, (signal) => store.search('ties', () => TIED_SEARCH, { signal }));
    expect(cancelled).toEqual({ steps: 1, outcome: 'CANCELLED' });
  });

  it('an id lookup in chunks stops after the chunk that was running', async () => {
    // Stored ids (the lookup skips ids it knows are absent without the engine), 4,096 per step.
    await store.insert('chunks', () => rows(10_000, 'k'));
    const ids = Array.from({ length: 10_000 }, (_, i) => `k${i}`);
    const whole = await engineStepsOf(store.activity, () => store.get('chunks', ids), false);
    expect(whole.steps).toBe(3);
    const cancelled = await engineStepsOf(store.activity, (signal) => store.get('chunks', ids, { signal }));
    expect(cancelled).toEqual({ steps: 1, outcome: 'CANCELLED' });
  });

  it('a listing page cancelled while its ids are read does not read the rows', async () => {
    const page = () => ({ filter: null, afterId: 'r1', limit: 500, includeVector: true });
    const whole = await engineStepsOf(store.activity, () => store.scan('ties', page), false);
    expect(whole).toEqual({ steps: 2, outcome: 'OK' });
    const cancelled = await engineStepsOf(store.activity, (signal) => store.scan('ties', page, { signal }));
    expect(cancelled).toEqual({ steps: 1, outcome: 'CANCELLED' });
  });

  it('a write cancelled while queued is answered at once and never reaches the engine', async () => {
    const starts: string[] = [];
    const off = store.activity.onStart((step) => starts.push(step.kind));
    const first = store.insert('ties', () => rows(20_000, 'w'));
    expect(await eventually(() => starts.length > 0, 30_000)).toBe(true);
    const controller = new AbortController();
    const queued = store.insert('ties', () => [{ id: 'never', vector: QUERY, metadata: {} }], { signal: controller.signal });
    let firstDone = false;
    void first.then(() => (firstDone = true));
    controller.abort();
    await expect(queued).rejects.toMatchObject({ code: 'CANCELLED' });
    // Answered while the write ahead of it was still in the engine.
    expect(firstDone).toBe(false);
    await first;
    await quiet(() => store.activity.active === 0);
    off();
    // The first insert's own step only: its add (its ids are new, which the id lookup knows without the engine).
    expect(starts).toEqual(['write']);
    expect(await store.get('ties', ['never'])).toEqual([]);
  });
});

/** Long enough to fill the model's 256-token window: 8 texts per model run. */
function longTexts(count: number, tag: string): string[] {
  return Array.from({ length: count }, (_, i) => `${tag} ${i}: ${'word '.repeat(300)}`);
}

function wire(config: typeof EMBEDDING_MODEL): ModelConfig {
  return { name: config.name, provider: config.provider, modelId: config.model_id, parameters: config.parameters, enabled: config.enabled };
}

describe('a cancelled call stops the work underneath, over both doors (gRPC and REST on one service)', () => {
  let store: LanceVectorStore;
  let providers: RealProviders;
  let registry: RegistryDir;
  let models: ModelService;
  let grpc: GrpcHarness;
  let rest: RestTestServer;
  const model = EMBEDDING_MODEL.name;

  beforeAll(async () => {
    store = await openLanceStore();
    // One embedding thread, so the batcher hands the model one batch at a time. With two, texts
    // that wait when no batch runs are split in two batches (embedding-batcher.ts takeBatch), and
    // whether the busy caller's two halves ended before the waiting callers were taken decided
    // whether those callers shared one batch, which the batch tests below need: a race two
    // fresh-clone runs lost.
    providers = createRealProviders({ embeddingThreads: 1 });
    registry = await createRegistryDir(providers);
    models = await registry.open();
    grpc = await startGrpc({ models, store });
    rest = await startRestServer(store, { models });
    // Batches of up to 256 texts: one caller can keep the model busy for many runs.
    await grpc.models.registerModel({ config: { ...wire(EMBEDDING_MODEL), parameters: { max_batch: 256 } } });
    // Large enough that one engine step (an exact scan) lasts tens of milliseconds, far longer than a cancel takes over loopback.
    await store.createCollection({ name: 'big', description: '', dimension: DIM, metricType: 'COSINE', index: null, embedding: null });
    const all = rows(60_000, 'b');
    for (let i = 0; i < all.length; i += 10_000) await store.insert('big', () => all.slice(i, i + 10_000));
  }, 120_000);

  afterAll(async () => {
    await grpc.close();
    await rest.close();
    await store.close();
    await providers.close();
  });

  const grpcSearch = (signal: AbortSignal) =>
    grpc.vectors.search({ collectionName: 'big', queryVector: TIED_SEARCH.vector, options: { topk: TIED_SEARCH.topK } }, { signal });
  const restSearch = async (signal: AbortSignal) => {
    const response = await fetch(`${rest.baseUrl}/v1/collections/big/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query_vector: TIED_SEARCH.vector, options: { topk: TIED_SEARCH.topK } }),
      signal,
    });
    expect(response.status).toBe(200);
    return response.json();
  };

  it('a search whose client leaves during the first engine step makes no further step (gRPC)', async () => {
    expect(await engineStepsOf(store.activity, grpcSearch, false)).toEqual({ steps: 4, outcome: 'OK' });
    const before = grpc.logs.length;
    const cancelled = await engineStepsOf(store.activity, grpcSearch);
    expect(cancelled).toEqual({ steps: 1, outcome: 'AbortError' });
    const line = await logLine(grpc.logs, (l) => l.method === '/taishang.ai.v1.VectorService/Search', before);
    expect(line.code).toBe('CANCELLED');
  });

  it('a search whose client leaves during the first engine step makes no further step (REST)', async () => {
    expect(await engineStepsOf(store.activity, restSearch, false)).toEqual({ steps: 4, outcome: 'OK' });
    expect(await engineStepsOf(store.activity, restSearch)).toEqual({ steps: 1, outcome: 'AbortError' });
  });

  /** Model runs the provider starts while `during` runs, until the provider and the batcher are idle. */
  async function modelRuns(during: (runs: ChunkStart[]) => Promise<void>): Promise<ChunkStart[]> {
    const runs: ChunkStart[] = [];
    const off = providers.transformers.activity.onChunk((c) => runs.push(c));
    try {
      await during(runs);
      await quiet(() => providers.transformers.activity.active === 0 && models.queueDepths().embedding === 0);
      return runs;
    } finally {
      off();
    }
  }

  const grpcEmbed = (texts: string[], signal: AbortSignal) => grpc.models.generateEmbeddings({ modelName: model, texts }, { signal });
  const restEmbed = (texts: string[], signal: AbortSignal) =>
    fetch(`${rest.baseUrl}/v1/models/${model}/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ texts }), signal });
  const outcome = (call: Promise<unknown>) => call.then(() => 'OK', nameOf);

  it('embeddings cancelled while queued behind a running batch never reach the model', async () => {
    const runs = await modelRuns(async (seen) => {
      // Another caller's 96 texts keep the model busy for twelve runs.
      const busy = models.embed(model, longTexts(96, 'busy'));
      let busyDone = false;
      void busy.then(() => (busyDone = true));
      expect(await eventually(() => seen.length > 0, 60_000)).toBe(true);
      const viaGrpc = new AbortController();
      const viaRest = new AbortController();
      const calls = [outcome(grpcEmbed(longTexts(5, 'grpc'), viaGrpc.signal)), outcome(restEmbed(longTexts(5, 'rest'), viaRest.signal))];
      expect(await eventually(() => models.queueDepths().embedding === 10, 30_000)).toBe(true);
      viaGrpc.abort();
      viaRest.abort();
      expect(await Promise.all(calls)).toEqual(['AbortError', 'AbortError']);
      // The server took both callers' texts out of the queue while the model was still busy.
      expect(await eventually(() => models.queueDepths().embedding === 0, 30_000)).toBe(true);
      expect(busyDone).toBe(false);
      expect((await busy).vectors).toHaveLength(96);
    });
    // Only the busy caller's texts were computed.
    expect(runs.reduce((n, r) => n + r.texts, 0)).toBe(96);
  });

  it('a batch whose every caller has left stops before its next model run', async () => {
    const controllers = { grpc: new AbortController(), rest: new AbortController() };
    let calls: Promise<string>[] = [];
    const runs = await modelRuns(async (seen) => {
      const busy = models.embed(model, longTexts(64, 'busy'));
      // The busy texts all in the model (one batch of eight runs), so the callers below wait.
      expect(await eventually(() => seen.length >= 2 && models.queueDepths().embedding === 0, 60_000)).toBe(true);
      // Both callers' 24 texts wait together, so they form one batch of three runs after a busy one.
      const off = providers.transformers.activity.onChunk((c) => {
        if (c.chunks !== 3) return;
        if (c.chunk === 0) controllers.grpc.abort();
        if (c.chunk === 1) controllers.rest.abort();
      });
      calls = [outcome(grpcEmbed(longTexts(12, 'grpc'), controllers.grpc.signal)), outcome(restEmbed(longTexts(12, 'rest'), controllers.rest.signal))];
      expect(await eventually(() => models.queueDepths().embedding === 24, 30_000)).toBe(true);
      await busy;
      expect(await Promise.all(calls)).toEqual(['AbortError', 'AbortError']);
      off();
    });
    const shared = runs.filter((r) => r.chunks === 3);
    // The first caller left during run 0 (the batch went on for the other), the second during run 1: run 2 never started.
    expect(shared.map((r) => r.chunk)).toEqual([0, 1]);
    expect(shared.reduce((n, r) => n + r.texts, 0)).toBe(16);
    const line = await logLine(grpc.logs, (l) => l.method === '/taishang.ai.v1.ModelService/GenerateEmbeddings' && l.code !== undefined);
    expect(line.code).toBe('CANCELLED');
  });

  it('the provider alone stops between runs when its signal fires', async () => {
    const config: DomainModelConfig = { name: model, provider: 'transformers', modelId: EMBEDDING_MODEL.model_id, parameters: {}, enabled: true };
    const controller = new AbortController();
    const runs = await modelRuns(async () => {
      const off = providers.transformers.activity.onChunk(() => controller.abort());
      const call = providers.transformers.embed(config, longTexts(24, 'direct'), { signal: controller.signal });
      await expect(call).rejects.toMatchObject({ code: 'CANCELLED' });
      off();
    });
    expect(runs.map((r) => [r.chunk, r.chunks])).toEqual([[0, 3]]);
  });
});
