import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createChannel, createClient } from 'nice-grpc';
import { VectorServiceDefinition } from '../src/gen/taishang/ai/v1/vector_service';
import { reflectionDescriptorSet } from '../src/grpc/reflection-descriptor-set';
import { endLoad, machineInfo, saveResults } from './lib/models-report';
import { benchSentences } from './lib/models-sentences';
import { startModelsService, type ModelsServiceProcess } from './lib/models-service';
import { startBareServer } from './lib/overhead-bare';
import { longPassages, loopDelayDuringLongBatch, loopDelayTable, type LoopDelay } from './lib/overhead-loop-delay';
import { loadPooledEmbedder } from './lib/overhead-direct-embed';
import { ghzPath } from './lib/overhead-ghz';
import { callRoundsTable, embedRoundsTable, overheadTargets, targetsTable } from './lib/overhead-report';
import { compareCall, compareEmbedding, type CallComparison, type EmbedComparison, type Target } from './lib/overhead-rounds';
import { intEnv } from './lib/env-settings';

/**
 * `npm run bench:overhead` (issue 14, item 2): what the service's gRPC door costs per call.
 * 1. grpc.health.v1.Health/Check and VectorService/HasCollection driven by ghz against the real
 *    service (`node dist/main.js`, embedded store, default log level) and against a bare grpc-js
 *    server in its own process doing the same handler / domain call (lib/overhead-bare-main.ts),
 *    in alternating rounds; median calls/s, p50/p99 and the ratio service / bare.
 * 2. 32 concurrent single-text GenerateEmbedding calls (ghz) against the transformers.js pipeline
 *    called directly in this process with batches of 32 and the provider's own pooling, windows
 *    of the same texts, the first side alternating; the ratio of the medians.
 * 3. The event-loop delay while one long batch (32 texts at the model's 256-token window) is
 *    embedded: in the service (its /metrics) and in this process calling the pipeline directly.
 * Every loop is a fixed number of calls; the defaults take about 3 minutes on 2 cores.
 */
const ROOT = resolve(__dirname, '..');
const MODEL_CACHE_DIR = resolve(process.env.MODEL_CACHE_DIR ?? join(ROOT, 'models'));
const COLLECTION = 'overhead';

const PARAMS = {
  /** The ghz settings: 16 connections, 20,000 calls per run; ghz's default concurrency. */
  connections: intEnv('OVERHEAD_CONNECTIONS', 16),
  concurrency: intEnv('OVERHEAD_CONCURRENCY', 50),
  calls: intEnv('OVERHEAD_CALLS', 20_000),
  warmupCalls: 5_000,
  rounds: intEnv('OVERHEAD_ROUNDS', 6),
  /** The service runs as deployed: LOG_LEVEL info (its default) writes one line per call (to /dev/null here). */
  serviceLogLevel: process.env.OVERHEAD_LOG_LEVEL ?? 'info',
  embedding: {
    model: 'all-MiniLM-L6-v2',
    modelId: 'Xenova/all-MiniLM-L6-v2',
    concurrency: 32,
    directBatch: 32,
    sentencesPerWindow: intEnv('OVERHEAD_EMBED_SENTENCES', 1024),
    rounds: intEnv('OVERHEAD_EMBED_ROUNDS', 6),
    sentenceCount: 2000,
    sentenceSeed: 20240601,
  },
  /** OVERHEAD_SKIP_EMBEDDING=1 measures the gRPC calls only (quick trials of the middlewares). */
  skipEmbedding: process.env.OVERHEAD_SKIP_EMBEDDING === '1',
};

const log = (line: string): void => {
  process.stderr.write(`[bench:overhead ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

async function createCollection(service: ModelsServiceProcess): Promise<void> {
  const channel = createChannel(service.grpcAddress);
  try {
    await createClient(VectorServiceDefinition, channel).createCollection({ name: COLLECTION, vectorDim: 4 });
  } finally {
    channel.close();
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const machine = machineInfo();
  log(`machine: ${machine.cpuModel}, ${machine.cores} cores, load ${machine.loadAvgStart.toFixed(2)}`);
  const ghz = ghzPath(ROOT);
  const work = await mkdtemp(join(tmpdir(), 'taishang-bench-overhead-'));
  const protoset = join(work, 'descriptors.protoset');
  await writeFile(protoset, reflectionDescriptorSet(join(ROOT, 'src', 'grpc')));
  try {
    const service = await startModelsService({
      repoRoot: ROOT,
      args: [join(ROOT, 'dist', 'main.js')],
      dataDir: join(work, 'service'),
      modelCacheDir: MODEL_CACHE_DIR,
      logLevel: PARAMS.serviceLogLevel,
      stdout: 'ignore',
    });
    log(`service pid ${service.pid} ready (gRPC ${service.grpcAddress}, LOG_LEVEL ${PARAMS.serviceLogLevel})`);
    let health!: CallComparison;
    let has!: CallComparison;
    let embedding: EmbedComparison | undefined;
    let loopDelay: LoopDelay | undefined;
    try {
      await createCollection(service);
      const bare = await startBareServer(ROOT, 'overhead-bare-main.ts', { OVERHEAD_COLLECTION: COLLECTION });
      log(`bare grpc-js server pid ${bare.pid} at ${bare.address}`);
      const targets: { service: Target; bare: Target } = {
        service: { name: 'service', address: service.grpcAddress, pid: service.pid },
        bare: { name: 'bare', address: bare.address, pid: bare.pid },
      };
      const load = { connections: PARAMS.connections, concurrency: PARAMS.concurrency, calls: PARAMS.calls, warmupCalls: PARAMS.warmupCalls, rounds: PARAMS.rounds };
      try {
        health = await compareCall(ghz, protoset, targets, { ...load, call: 'grpc.health.v1.Health/Check', data: { service: '' } }, log);
        has = await compareCall(ghz, protoset, targets, { ...load, call: 'taishang.ai.v1.VectorService/HasCollection', data: { name: COLLECTION } }, log);
      } finally {
        await bare.stop();
      }
      if (!PARAMS.skipEmbedding) {
        const e = PARAMS.embedding;
        const direct = await loadPooledEmbedder(MODEL_CACHE_DIR, e.modelId);
        try {
          const sentences = benchSentences(e.sentenceCount, e.sentenceSeed);
          embedding = await compareEmbedding(ghz, protoset, targets.service, direct, sentences, e, log);
          loopDelay = await loopDelayDuringLongBatch(service, direct, e.model, longPassages());
          log(`event-loop delay during a long batch: service max ${loopDelay.service.maxMs.toFixed(1)} ms, direct max ${loopDelay.direct.maxMs.toFixed(1)} ms`);
        } finally {
          await direct.dispose();
        }
      }
    } finally {
      await service.stop();
    }
    endLoad(machine);
    const targets = overheadTargets(health, has, embedding);
    const out = [
      `## Per-call overhead (${startedAt.toISOString()})`,
      `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}; load average ${machine.loadAvgStart.toFixed(2)} at start, ${(machine.loadAvgEnd ?? 0).toFixed(2)} at end`,
      `ghz: ${PARAMS.connections} connections, concurrency ${PARAMS.concurrency}, ${PARAMS.calls} calls per run, ${PARAMS.rounds} rounds (first side alternating); service LOG_LEVEL ${PARAMS.serviceLogLevel}`,
      '',
      '### grpc.health.v1.Health/Check: service vs bare grpc-js',
      callRoundsTable(health),
      '',
      `### VectorService/HasCollection ('${COLLECTION}' exists): service vs bare grpc-js + the same domain call`,
      callRoundsTable(has),
      '',
      ...(embedding
        ? [
            `### GenerateEmbedding: ${embedding.concurrency} single-text callers (ghz, 1 connection) vs the pipeline directly, batch ${embedding.directBatch}, same pooling; ${embedding.sentencesPerWindow} sentences per window`,
            embedRoundsTable(embedding),
            '',
          ]
        : []),
      ...(loopDelay
        ? [`### Event-loop delay while one GenerateEmbeddings call of ${loopDelay.texts} texts at ${loopDelay.tokensPerText} tokens runs`, loopDelayTable(loopDelay), '']
        : []),
      '### Targets',
      targetsTable(targets),
    ].join('\n');
    process.stdout.write(`${out}\n`);
    const file = await saveResults(
      ROOT,
      startedAt,
      { benchmark: 'overhead', startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), machine, params: PARAMS, health, hasCollection: has, embedding, loopDelay, targets },
      'overhead',
    );
    log(`results: ${file}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:overhead failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
