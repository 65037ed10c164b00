import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { benchSentences } from './lib/models-sentences';
import { embeddingPhase, generationPhase, probePhase, type BenchParams } from './lib/models-phases';
import {
  bestDirect,
  directTable,
  embedTable,
  endLoad,
  generationTable,
  machineInfo,
  probeTable,
  ratio,
  saveResults,
  targetSliceTable,
  targetTable,
  type Target,
} from './lib/models-report';
import { startModelsService } from './lib/models-service';
import { intEnv } from './lib/env-settings';

/**
 * `npm run bench:models`: embedding throughput and generation latency of the running service
 * (`node dist/main.js`, loopback, fresh DATA_DIR) against transformers.js and node-llama-cpp
 * called directly in this process. Every loop is a fixed number of calls; the defaults take
 * about 5 minutes on 2 cores. BENCH_SENTENCES (per cell) and BENCH_GEN_ROUNDS scale it.
 */
const ROOT = resolve(__dirname, '..');
const MODEL_CACHE_DIR = resolve(process.env.MODEL_CACHE_DIR ?? join(ROOT, 'models'));

const PARAMS: BenchParams = {
  embeddingModel: 'all-MiniLM-L6-v2',
  embeddingModelId: 'Xenova/all-MiniLM-L6-v2',
  textModel: 'SmolLM2-135M-Instruct',
  sentenceCount: 500,
  sentenceSeed: 20240601,
  embed: { batchSizes: [1, 8, 32], concurrencies: [1, 8, 32], sentencesPerCell: intEnv('BENCH_SENTENCES', 960), minRounds: 2 },
  generation: { rounds: intEnv('BENCH_GEN_ROUNDS', 2), maxTokens: 64, temperature: 0, seed: 42, prompts: 10 },
  probe: { calls: Math.min(480, intEnv('BENCH_PROBE_CALLS', 480)), concurrency: 32 },
  target: { rounds: intEnv('BENCH_TARGET_ROUNDS', 6), sentencesPerSlice: 192 },
};

const log = (line: string): void => {
  process.stderr.write(`[bench:models ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

async function main(): Promise<void> {
  const startedAt = new Date();
  const machine = machineInfo();
  log(`machine: ${machine.cpuModel}, ${machine.cores} cores, load ${machine.loadAvgStart.toFixed(2)}`);
  const sentences = benchSentences(PARAMS.sentenceCount, PARAMS.sentenceSeed);
  const dataDir = await mkdtemp(join(tmpdir(), 'taishang-bench-models-'));
  try {
    const service = await startModelsService({ repoRoot: ROOT, args: [join(ROOT, 'dist', 'main.js')], dataDir: join(dataDir, 'service'), modelCacheDir: MODEL_CACHE_DIR });
    log(`service pid ${service.pid} ready (gRPC ${service.grpcAddress}, REST ${service.httpBase})`);
    let embedding;
    let generation;
    try {
      embedding = await embeddingPhase(service, MODEL_CACHE_DIR, sentences, PARAMS, log);
      generation = await generationPhase(service, MODEL_CACHE_DIR, PARAMS, log);
    } finally {
      await service.stop();
    }
    const probe = await probePhase(ROOT, join(dataDir, 'probe'), MODEL_CACHE_DIR, sentences, PARAMS, log);
    endLoad(machine);
    await report(startedAt, machine, embedding, generation, probe);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

type Embedding = Awaited<ReturnType<typeof embeddingPhase>>;
type Generation = Awaited<ReturnType<typeof generationPhase>>;

async function report(startedAt: Date, machine: ReturnType<typeof machineInfo>, embedding: Embedding, generation: Generation, probe: Awaited<ReturnType<typeof probePhase>>): Promise<void> {
  const direct = bestDirect(embedding.directRuns.flat());
  const best = [...direct.values()].reduce((a, b) => (b.sentencesPerSec > a.sentencesPerSec ? b : a));
  // Judged on the paired check (direct and service seconds apart); the matrix cell is shown too.
  const check = embedding.target;
  const targets: Target[] = ['grpc', 'rest'].map((door) => {
    const cell = embedding.cells.find((c) => c.door === door && c.batch === 1 && c.concurrency === check.concurrency);
    const paired = check.medianRatio[door] ?? 0;
    return {
      name: `${door}: single-text calls, concurrency ${check.concurrency} vs direct best (batch ${check.directBatch})`,
      goal: '>= 0.90x',
      measured: `paired median ${paired.toFixed(2)}x; matrix ${ratio(cell?.sentencesPerSec ?? 0, best.sentencesPerSec)} (${(cell?.sentencesPerSec ?? 0).toFixed(1)} / ${best.sentencesPerSec.toFixed(1)} sentences/s)`,
      met: paired >= 0.9,
    };
  });
  const diffs = generation.pairs.map((p) => p.service.ttftMs - p.direct.ttftMs).sort((a, b) => a - b);
  const medianDiff = diffs[Math.floor(diffs.length / 2)] ?? 0;
  const meanDiff = diffs.reduce((a, b) => a + b, 0) / Math.max(1, diffs.length);
  targets.push({
    name: 'TTFT overhead (service - direct, median of paired calls)',
    goal: '<= 20 ms',
    measured: `${medianDiff.toFixed(1)} ms (mean ${meanDiff.toFixed(1)} ms)`,
    met: medianDiff <= 20,
  });
  const tokensRatio = generation.service.tokensPerSec / generation.direct.tokensPerSec;

  const out = [
    `## Models benchmark (${startedAt.toISOString()})`,
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}; load average ${machine.loadAvgStart.toFixed(2)} at start, ${(machine.loadAvgEnd ?? 0).toFixed(2)} at end`,
    '',
    '### Direct transformers.js pipeline (bench process, one call at a time)',
    directTable(embedding.directRuns),
    '',
    '### Service embedding throughput',
    embedTable(embedding.cells, direct),
    '',
    `### Target check: ${check.slices.length} paired rounds of ${check.sentencesPerSlice} sentences (direct batch ${check.directBatch}, doors batch 1 at concurrency ${check.concurrency})`,
    targetSliceTable(check),
    '',
    '### Micro-batches formed by single-text callers (probe build)',
    probeTable(probe),
    '',
    '### Generation (SmolLM2-135M-Instruct, max_tokens 64, temperature 0, seed 42)',
    generationTable([generation.service, generation.direct]),
    '',
    `tokens/s ratio service/direct: ${tokensRatio.toFixed(2)}x; identical completions: ${generation.sameText}/${generation.pairs.length}`,
    '',
    '### Targets',
    targetTable(targets),
  ].join('\n');
  process.stdout.write(`${out}\n`);

  const file = await saveResults(ROOT, startedAt, {
    benchmark: 'models',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine,
    params: { ...PARAMS, generationSettings: generation.settings },
    embedding: { direct: embedding.directRuns, directBest: [...direct.values()], service: embedding.cells, targetCheck: check },
    generation: { service: generation.service, direct: generation.direct, tokensPerSecRatio: tokensRatio, ttftOverheadMedianMs: medianDiff, ttftOverheadMeanMs: meanDiff, identicalCompletions: generation.sameText, pairs: generation.pairs },
    batchProbe: probe,
    targets,
  });
  log(`results: ${file}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:models failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
