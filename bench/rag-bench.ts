/**
 * `npm run bench:rag` (issue 11): text in, through the running service (`node dist/main.js`,
 * loopback, fresh DATA_DIR) against the same work done directly in this process, in one run:
 * - ingest: RAG_DOCS (2,000) real passages as gRPC Insert calls carrying text only (RAG_BATCH 64
 *   per call, RAG_INFLIGHT 4 calls in flight) into a collection bound to the default embedding
 *   model, against the transformers.js pipeline in the service's micro-batch size plus table.add
 *   of the same rows; RAG_ROUNDS (3) rounds alternating which side goes first;
 * - search: by query_text (vector), hybrid, and hybrid reranked, top 10, at concurrency 1 and 8
 *   (RAG_CONCURRENCY), RAG_SEARCHES (200) calls per cell and side (RAG_RERANK_SEARCHES for the
 *   reranked cells, RAG_SEARCHES unless set), against the query embedded
 *   directly plus LanceDB's vector and full-text searches, RRF and the reranker's computation.
 * Prints tables and writes bench/results/rag-<time>.json and rag-latest.json. Not in `npm test`.
 * Small trial: RAG_DOCS=300 RAG_ROUNDS=2 RAG_SEARCHES=40 (see BENCHMARKS.md "Text in").
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createChannel, createClient } from 'nice-grpc';
import { defaultModels } from '../src/app/build-models';
import { loadConfig } from '../src/config/config';
import { ModelServiceDefinition } from '../src/gen/taishang/ai/v1/model_service';
import { VectorServiceDefinition } from '../src/gen/taishang/ai/v1/vector_service';
import { DEFAULT_MAX_BATCH } from '../src/providers/transformers/transformers-parameters';
import { openServiceTable } from './lib/direct-lance';
import { loadDirectEmbedder } from './lib/models-direct-embed';
import { startModelsService } from './lib/models-service';
import { ingestDirect, ingestThroughService, type IngestRun } from './lib/rag-ingest';
import { ragTables, ragTargets } from './lib/rag-report';
import { measureSearches } from './lib/rag-search-cells';
import { SEARCH_KINDS, directSearcher, serviceSearcher, type SearchKind } from './lib/rag-search';
import { ragTexts } from './lib/rag-texts';
import { machineInfo, saveNamedReport } from './lib/report';

const ROOT = resolve(__dirname, '..');
const MODEL_CACHE_DIR = resolve(process.env.MODEL_CACHE_DIR ?? join(ROOT, 'models'));
const log = (line: string): void => void process.stderr.write(`[bench:rag ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

function int(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min) throw new Error(`${name}=${raw}: an integer >= ${min} expected`);
  return Number(raw);
}

function gitCommit(): { commit: string; dirty: boolean } {
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  try {
    return { commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain', '--untracked-files=no') !== '' };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

type Params = ReturnType<typeof readParams>;

function readParams() {
  const defaults = defaultModels(loadConfig({}));
  return {
    docs: int('RAG_DOCS', 2000),
    rounds: int('RAG_ROUNDS', 3),
    batch: int('RAG_BATCH', 64),
    inflight: int('RAG_INFLIGHT', 4),
    searches: int('RAG_SEARCHES', 200),
    // A reranked search embeds its 50 candidates: about 1.6 s each on 2 cores, 200 calls ~5 min per cell and side.
    rerankSearches: int('RAG_RERANK_SEARCHES', int('RAG_SEARCHES', 200)),
    queries: int('RAG_QUERIES', 100),
    concurrencies: (process.env.RAG_CONCURRENCY ?? '1,8').split(',').map(Number),
    warmupCalls: int('RAG_WARMUP', 10),
    agreementQueries: int('RAG_AGREEMENT', 20),
    seed: int('BENCH_SEED', 20240611),
    topK: 10,
    rerankCandidates: 50,
    embeddingModel: defaults.find((m) => m.parameters.kind === undefined && m.provider === 'transformers')!.name,
    rerankModel: defaults.find((m) => m.parameters.kind === 'reranker')!.name,
  };
}

async function main(): Promise<void> {
  const params = readParams();
  if (params.concurrencies.some((c) => !Number.isInteger(c) || c < 1)) throw new Error(`RAG_CONCURRENCY=${process.env.RAG_CONCURRENCY}: positive integers expected`);
  const startedAt = new Date();
  const loadAtStart = loadavg()[0] ?? 0;
  log(JSON.stringify(params));
  const texts = ragTexts(ROOT, params.docs, params.queries, params.seed);
  log(`${texts.docs.length} documents and ${texts.queries.length} queries from ${texts.source.files} files`);

  const workDir = await mkdtemp(join(tmpdir(), 'taishang-rag-'));
  try {
    await run(params, texts, workDir, startedAt, loadAtStart);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function run(params: Params, texts: ReturnType<typeof ragTexts>, workDir: string, startedAt: Date, loadAtStart: number): Promise<void> {
  const dataDir = join(workDir, 'service');
  const service = await startModelsService({ repoRoot: ROOT, args: [join(ROOT, 'dist', 'main.js')], dataDir, modelCacheDir: MODEL_CACHE_DIR });
  log(`service pid ${service.pid} ready (gRPC ${service.grpcAddress})`);
  const channel = createChannel(service.grpcAddress, undefined, { 'grpc.max_receive_message_length': 64 << 20, 'grpc.max_send_message_length': 64 << 20 });
  const vectors = createClient(VectorServiceDefinition, channel);
  const models = createClient(ModelServiceDefinition, channel);
  try {
    const embedding = (await models.getModelInfo({ name: params.embeddingModel })).config!;
    const reranker = (await models.getModelInfo({ name: params.rerankModel })).config!;
    // The direct rerank is the bi-encoder's computation on the embedding model's weights.
    if (reranker.parameters?.architecture !== 'bi-encoder' || reranker.modelId !== embedding.modelId) {
      throw new Error(`reranker '${params.rerankModel}' is not a bi-encoder on ${embedding.modelId}; the direct rerank here computes only that`);
    }
    const embedBatch = Number(embedding.parameters?.max_batch ?? DEFAULT_MAX_BATCH);
    const embedder = await loadDirectEmbedder(MODEL_CACHE_DIR, embedding.modelId);
    const settings = { batch: params.batch, inflight: params.inflight, embedBatch, dim: (await embedder.embed(['dimension']))[0]!.length };
    log(`service micro-batch for '${embedding.name}': ${embedBatch} texts; direct pipeline batches the same`);
    try {
      const ingest: IngestRun[] = [];
      let collection = '';
      for (let round = 0; round < params.rounds; round += 1) {
        collection = `rag_r${round}`;
        await vectors.createCollection({ name: collection, description: 'bench:rag', vectorDim: 0, indexParams: undefined, embeddingModel: embedding.name });
        const sides = round % 2 === 0 ? (['service', 'direct'] as const) : (['direct', 'service'] as const);
        for (const side of sides) {
          const run =
            side === 'service'
              ? await ingestThroughService(vectors, service.pid, collection, texts.docs, settings, round)
              : await ingestDirect(embedder, service.pid, join(workDir, 'direct'), `direct_r${round}`, texts.docs, settings, round);
          ingest.push(run);
          log(`ingest round ${round + 1} ${side}: ${run.docsPerSec.toFixed(1)} docs/s (${run.seconds.toFixed(1)} s)${run.compactSeconds === undefined ? '' : `, Compact ${run.compactSeconds.toFixed(1)} s`}`);
        }
      }

      // Searches on the last round's collection; the direct side reads the service's own table.
      const { db, table } = await openServiceTable(dataDir, collection);
      const shape = { topK: params.topK, candidates: params.rerankCandidates, rerankModel: params.rerankModel };
      const bySide = (make: (kind: SearchKind) => ReturnType<typeof serviceSearcher>) => Object.fromEntries(SEARCH_KINDS.map((k) => [k, make(k)])) as Record<SearchKind, ReturnType<typeof serviceSearcher>>;
      let search;
      try {
        search = await measureSearches(
          SEARCH_KINDS,
          { service: bySide((k) => serviceSearcher(vectors, collection, k, shape)), direct: bySide((k) => directSearcher(table, embedder, k, shape)) },
          texts.queries,
          service.pid,
          { concurrencies: params.concurrencies, calls: params.searches, rerankCalls: params.rerankSearches, rounds: 2, warmupCalls: params.warmupCalls, agreementQueries: params.agreementQueries, topK: params.topK },
          log,
        );
      } finally {
        table.close();
        db.close();
      }
      const targets = ragTargets(ingest);
      const report = {
        benchmark: 'rag',
        startedAt: startedAt.toISOString(),
        durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
        git: gitCommit(),
        machine: machineInfo(ROOT, loadAtStart),
        params: { ...params, embedBatch, embeddingModelId: embedding.modelId, rerankModelParameters: reranker.parameters, searchRounds: 2 },
        texts: texts.source,
        ingest,
        search,
        targets,
      };
      const file = await saveNamedReport(join(ROOT, 'bench', 'results'), 'rag', startedAt, report);
      process.stdout.write(`\n${ragTables(report)}\n\nSaved ${file} and rag-latest.json (${report.durationSeconds.toFixed(0)} s in all)\n`);
    } finally {
      await embedder.dispose();
    }
  } finally {
    channel.close();
    await service.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:rag failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
