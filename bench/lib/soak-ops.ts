import { BENCH_PROMPTS } from './models-generation';
import { CALL_TIMEOUT_MS, grpcCall, openGrpc, SoakCallError, type GrpcClients, type RestClient } from './soak-clients';
import { IdSlots } from './soak-slots';

export type Door = 'rest' | 'grpc';
/** Report columns: calls of one group cost alike and are read together. */
export type Group = 'search' | 'write' | 'embed' | 'generate';

/** What every soak call needs: both doors, the collection, its ids and the texts to send. */
export interface SoakContext {
  rest: RestClient;
  grpc: GrpcClients;
  grpcAddress: string;
  collection: string;
  dim: number;
  slots: IdSlots;
  embeddingModel: string;
  textModel: string;
  sentences: readonly string[];
}

export interface SoakOp {
  /** `<door> <kind>`, e.g. `grpc search-filter`. */
  name: string;
  door: Door;
  group: Group;
  /** Relative share of the calls (workers pick by weight). */
  weight: number;
  /** 'skipped' when there was nothing to do (no id in the needed state): not counted as a call. */
  run(ctx: SoakContext, rand: () => number): Promise<void | 'skipped'>;
}

/** Groups of metadata `group` values: a filter on one matches about 1/GROUPS of the rows. */
const GROUPS = 8;
const TOP_K = 10;
const WRITE_BATCH = 8;
const EMBED_BATCH = 16;
/** Short answers: generation is the slow call, and the soak is about the service, not the model. */
const MAX_TOKENS = 16;
/** One REST call in FRESH_REST opens (and closes) its own connection; one gRPC call in FRESH_GRPC its own channel. */
const FRESH_REST = 20;
const FRESH_GRPC = 50;

export function randomUnitVector(dim: number, rand: () => number): number[] {
  const v = Array.from({ length: dim }, () => rand() * 2 - 1);
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

export function metadataOf(slot: number, rand: () => number): Record<string, unknown> {
  return { slot, group: slot % GROUPS, score: Math.round(rand() * 1000), source: 'soak' };
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new SoakCallError(`check ${what}`, `answer failed the check: ${what}`);
}

/** Most gRPC calls reuse the worker's channel; some open their own, to exercise connection churn. */
async function withGrpc<T>(ctx: SoakContext, rand: () => number, call: (c: GrpcClients) => Promise<T>): Promise<T> {
  if (rand() * FRESH_GRPC >= 1) return call(ctx.grpc);
  const own = openGrpc(ctx.grpcAddress);
  try {
    return await call(own);
  } finally {
    own.close();
  }
}

const fresh = (rand: () => number): boolean => rand() * FRESH_REST < 1;
const collectionPath = (ctx: SoakContext, tail: string): string => `/v1/collections/${encodeURIComponent(ctx.collection)}${tail}`;
const modelPath = (model: string, tail: string): string => `/v1/models/${encodeURIComponent(model)}${tail}`;

interface Hit {
  id: string;
  metadata?: Record<string, unknown>;
}

function checkHits(hits: Hit[], group: number | undefined): void {
  check(hits.length <= TOP_K, 'at most topk hits');
  if (group !== undefined) check(hits.every((h) => h.metadata?.group === group), 'every filtered hit matches the filter');
}

function searchOps(): SoakOp[] {
  const rest = (filtered: boolean): SoakOp['run'] => async (ctx, rand) => {
    const group = filtered ? Math.floor(rand() * GROUPS) : undefined;
    const options = group === undefined ? { topk: TOP_K } : { topk: TOP_K, filter: { group } };
    const { body } = await ctx.rest.json('POST', collectionPath(ctx, '/search'), { query_vector: randomUnitVector(ctx.dim, rand), options }, fresh(rand));
    checkHits((body as { results: Hit[] }).results, group);
  };
  const grpc = (filtered: boolean): SoakOp['run'] => async (ctx, rand) => {
    const group = filtered ? Math.floor(rand() * GROUPS) : undefined;
    const queryVector = randomUnitVector(ctx.dim, rand);
    const r = await withGrpc(ctx, rand, (c) =>
      grpcCall('Search', (signal) =>
        c.vectors.search({ collectionName: ctx.collection, queryVector, options: { topk: TOP_K, includeVector: false, filter: group === undefined ? undefined : { group } } }, { signal }),
      ),
    );
    checkHits(r.results as Hit[], group);
  };
  return [
    { name: 'rest search', door: 'rest', group: 'search', weight: 12, run: rest(false) },
    { name: 'grpc search', door: 'grpc', group: 'search', weight: 12, run: grpc(false) },
    { name: 'rest search-filter', door: 'rest', group: 'search', weight: 6, run: rest(true) },
    { name: 'grpc search-filter', door: 'grpc', group: 'search', weight: 6, run: grpc(true) },
  ];
}

type WriteKind = 'insert' | 'upsert' | 'delete';

/** Which slots a write takes and what they become when it succeeds. */
const WRITE_SLOTS: Record<WriteKind, { from: ('free' | 'stored')[]; after: 'free' | 'stored' }> = {
  insert: { from: ['free'], after: 'stored' },
  upsert: { from: ['free', 'stored'], after: 'stored' },
  delete: { from: ['stored'], after: 'free' },
};

function writeOp(door: Door, kind: WriteKind, weight: number): SoakOp {
  const rule = WRITE_SLOTS[kind];
  return {
    name: `${door} ${kind}`,
    door,
    group: 'write',
    weight,
    async run(ctx, rand) {
      const slots = ctx.slots.take(WRITE_BATCH, rule.from, rand);
      // Nothing in the needed state right now (all held by other writers): the call is skipped, not failed.
      if (slots.length === 0) return 'skipped';
      let after: 'free' | 'stored' = 'stored';
      try {
        const ids = slots.map(IdSlots.idOf);
        if (kind === 'delete') {
          if (door === 'rest') await ctx.rest.json('POST', collectionPath(ctx, '/vectors/delete'), { ids }, fresh(rand));
          else await withGrpc(ctx, rand, (c) => grpcCall('Delete', (signal) => c.vectors.delete({ collectionName: ctx.collection, ids }, { signal })));
        } else {
          const vectors = slots.map((slot) => ({ id: IdSlots.idOf(slot), vector: randomUnitVector(ctx.dim, rand), metadata: metadataOf(slot, rand) }));
          let written: string[];
          if (door === 'rest') {
            const { body } = await ctx.rest.json(kind === 'insert' ? 'POST' : 'PUT', collectionPath(ctx, '/vectors'), { vectors }, fresh(rand));
            written = (body as { ids: string[] }).ids;
          } else {
            const request = { collectionName: ctx.collection, vectors };
            const r = await withGrpc(ctx, rand, (c) =>
              grpcCall(kind === 'insert' ? 'Insert' : 'Upsert', (signal) => (kind === 'insert' ? c.vectors.insert(request, { signal }) : c.vectors.upsert(request, { signal }))),
            );
            written = r.ids;
          }
          check(written.join() === ids.join(), 'the written ids are the ids sent, in order');
        }
        after = rule.after;
      } finally {
        ctx.slots.release(slots, after);
      }
    },
  };
}

function embedOps(): SoakOp[] {
  const texts = (ctx: SoakContext, rand: () => number, n: number): string[] =>
    Array.from({ length: n }, () => ctx.sentences[Math.floor(rand() * ctx.sentences.length)]!);
  const dimOk = (vectors: ArrayLike<number>[], n: number): void => {
    check(vectors.length === n, 'one embedding per text');
    check(vectors.every((v) => v.length === 384), 'embeddings of dimension 384');
  };
  return [
    {
      name: 'rest embed', door: 'rest', group: 'embed', weight: 8,
      async run(ctx, rand) {
        const { body } = await ctx.rest.json('POST', modelPath(ctx.embeddingModel, '/embed'), { text: texts(ctx, rand, 1)[0] }, fresh(rand));
        dimOk([(body as { embedding: number[] }).embedding], 1);
      },
    },
    {
      name: 'grpc embed', door: 'grpc', group: 'embed', weight: 8,
      async run(ctx, rand) {
        const text = texts(ctx, rand, 1)[0]!;
        const r = await withGrpc(ctx, rand, (c) => grpcCall('GenerateEmbedding', (signal) => c.models.generateEmbedding({ modelName: ctx.embeddingModel, text }, { signal })));
        dimOk([r.embedding], 1);
      },
    },
    {
      name: 'rest embed-batch', door: 'rest', group: 'embed', weight: 3,
      async run(ctx, rand) {
        const { body } = await ctx.rest.json('POST', modelPath(ctx.embeddingModel, '/embeddings'), { texts: texts(ctx, rand, EMBED_BATCH) }, fresh(rand));
        dimOk((body as { embeddings: number[][] }).embeddings, EMBED_BATCH);
      },
    },
    {
      name: 'grpc embed-batch', door: 'grpc', group: 'embed', weight: 3,
      async run(ctx, rand) {
        const batch = texts(ctx, rand, EMBED_BATCH);
        const r = await withGrpc(ctx, rand, (c) => grpcCall('GenerateEmbeddings', (signal) => c.models.generateEmbeddings({ modelName: ctx.embeddingModel, texts: batch }, { signal })));
        dimOk(r.embeddings.map((e) => e.values), EMBED_BATCH);
      },
    },
  ];
}

const promptOf = (rand: () => number): string => BENCH_PROMPTS[Math.floor(rand() * BENCH_PROMPTS.length)]!;
const genParams = (rand: () => number, maxTokens = MAX_TOKENS): Record<string, number> => ({ max_tokens: maxTokens, temperature: 0.7, seed: Math.floor(rand() * 1e6) });

/** Metadata of a finished generation: the counts must be there and within max_tokens. */
function checkFinished(metadata: unknown, maxTokens: number): void {
  const m = (metadata ?? {}) as Record<string, unknown>;
  const completion = Number(m.completion_tokens);
  check(Number.isInteger(completion) && completion >= 0 && completion <= maxTokens, 'completion_tokens within max_tokens');
  check(typeof m.finish_reason === 'string', 'finish_reason present');
}

function generateOps(): SoakOp[] {
  return [
    {
      name: 'rest generate', door: 'rest', group: 'generate', weight: 2,
      async run(ctx, rand) {
        const { body } = await ctx.rest.json('POST', modelPath(ctx.textModel, '/generate'), { prompt: promptOf(rand), parameters: genParams(rand) }, fresh(rand));
        checkFinished((body as { metadata?: unknown }).metadata, MAX_TOKENS);
      },
    },
    {
      name: 'grpc generate', door: 'grpc', group: 'generate', weight: 2,
      async run(ctx, rand) {
        const prompt = promptOf(rand);
        const r = await withGrpc(ctx, rand, (c) => grpcCall('GenerateText', (signal) => c.models.generateText({ modelName: ctx.textModel, prompt, parameters: genParams(rand) }, { signal })));
        checkFinished(r.metadata, MAX_TOKENS);
      },
    },
    {
      name: 'rest generate-stream', door: 'rest', group: 'generate', weight: 2,
      async run(ctx, rand) {
        let finished: unknown;
        await ctx.rest.events(modelPath(ctx.textModel, '/generate/stream'), { prompt: promptOf(rand), parameters: genParams(rand) }, (data, event) => {
          if (event === 'error') throw new SoakCallError(`SSE error ${String(data.code)}`, `stream failed: ${JSON.stringify(data).slice(0, 300)}`);
          if (data.finished === true) finished = data.metadata ?? {};
          return true;
        }, fresh(rand));
        check(finished !== undefined, 'the stream ends with its finished event');
        checkFinished(finished, MAX_TOKENS);
      },
    },
    {
      name: 'grpc generate-stream', door: 'grpc', group: 'generate', weight: 2,
      async run(ctx, rand) {
        const prompt = promptOf(rand);
        const finished = await withGrpc(ctx, rand, (c) =>
          grpcCall('StreamGenerateText', async (signal) => {
            let end: unknown;
            for await (const msg of c.models.streamGenerateText({ modelName: ctx.textModel, prompt, parameters: genParams(rand) }, { signal })) {
              if (msg.finished) end = msg.metadata ?? {};
            }
            return end;
          }),
        );
        check(finished !== undefined, 'the stream ends with its finished message');
        checkFinished(finished, MAX_TOKENS);
      },
    },
    // The caller hangs up after the first chunk of a longer answer: the service must stop the
    // generation and free the model's slot and the connection's resources every time.
    {
      name: 'rest generate-cancel', door: 'rest', group: 'generate', weight: 1,
      async run(ctx, rand) {
        let chunks = 0;
        await ctx.rest.events(modelPath(ctx.textModel, '/generate/stream'), { prompt: promptOf(rand), parameters: genParams(rand, 128) }, (data, event) => {
          if (event === 'error') throw new SoakCallError(`SSE error ${String(data.code)}`, `stream failed: ${JSON.stringify(data).slice(0, 300)}`);
          if (data.finished !== true) chunks += 1;
          return chunks === 0;
        }, fresh(rand));
      },
    },
    {
      name: 'grpc generate-cancel', door: 'grpc', group: 'generate', weight: 1,
      async run(ctx, rand) {
        const prompt = promptOf(rand);
        const hangUp = new AbortController();
        const signal = AbortSignal.any([hangUp.signal, AbortSignal.timeout(CALL_TIMEOUT_MS)]);
        try {
          for await (const msg of ctx.grpc.models.streamGenerateText({ modelName: ctx.textModel, prompt, parameters: genParams(rand, 128) }, { signal })) {
            if (!msg.finished) hangUp.abort();
          }
        } catch (err) {
          // The abort this call made is the point of it; anything else is a failure.
          if (!hangUp.signal.aborted) await grpcCall('StreamGenerateText', () => Promise.reject(err));
        }
      },
    },
  ];
}

export function soakOps(): SoakOp[] {
  return [
    ...searchOps(),
    // Balanced at half the id range stored: ids leave the collection at delete's rate (3) and
    // enter at insert's (2) plus upsert's share of free ids (2 x 1/2), so the row count holds
    // steady and RSS compares like with like from minute to minute.
    writeOp('rest', 'insert', 2),
    writeOp('grpc', 'insert', 2),
    writeOp('rest', 'upsert', 2),
    writeOp('grpc', 'upsert', 2),
    writeOp('rest', 'delete', 3),
    writeOp('grpc', 'delete', 3),
    ...embedOps(),
    ...generateOps(),
  ];
}
