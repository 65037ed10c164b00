/**
 * `npm run bench:scale` (issue 12): the vector path at scale, the service against the engine
 * called directly with the same index and tuning, in one run:
 * - LanceDB: SCALE_COUNT (1,000,000) clustered 384-d vectors, then the uniform and real-text sets
 *   at SCALE_SET_COUNT (100,000): gRPC Insert in batches of SCALE_BATCH (1,000) against
 *   table.add of the same batches, index build time on each side, recall@10 of SCALE_QUERIES
 *   (1,000) held-out queries against exact answers, QPS and p50/p99 at concurrency 1/8/32 with the
 *   doors rotated in rounds after a warm-up, RSS and disk;
 * - Milvus: SCALE_MILVUS_COUNT (100,000) clustered vectors, service against the SDK, with recall and
 *   a check that the index is built over every row and loaded.
 * Prints tables and writes bench/results/scale-<time>.json and scale-latest.json. Not in
 * `npm test`. Small trial: SCALE_COUNT=20000 SCALE_SET_COUNT=20000 SCALE_MILVUS_COUNT=20000
 * SCALE_QUERIES=200 SCALE_CALLS=600 (see BENCHMARKS.md "Scale").
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadSet, parseSets, type NamedSet, type SetName } from './lib/ann-sets';
import { checkRealTextSupply } from './lib/real-text';
import { exactAnswers, shareVectors } from './lib/exact-answers';
import { machineInfo, saveNamedReport } from './lib/report';
import { scaleTables, scaleTargets } from './lib/scale-report';
import { runLanceScale, type LanceScaleResult, type ScaleSettings } from './lib/scale-lance';
import { runMilvusScale, type MilvusScaleResult } from './lib/scale-milvus';

const REPO_ROOT = resolve(__dirname, '..');
const log = (line: string): void => void process.stderr.write(`${line}\n`);

function int(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min) throw new Error(`${name}=${raw}: an integer >= ${min} expected`);
  return Number(raw);
}

async function main(): Promise<void> {
  const config = {
    count: int('SCALE_COUNT', 1_000_000),
    setCount: int('SCALE_SET_COUNT', 100_000),
    milvusCount: int('SCALE_MILVUS_COUNT', 100_000, 0),
    // SCALE_SETS=none runs the Milvus part alone.
    sets: process.env.SCALE_SETS?.trim() === 'none' ? [] : parseSets(process.env.SCALE_SETS, ['clustered', 'uniform', 'real']),
    queries: int('SCALE_QUERIES', 1000),
    batch: int('SCALE_BATCH', 1000),
    calls: int('SCALE_CALLS', 3000),
    rounds: int('SCALE_ROUNDS', 3),
    warmupCalls: int('SCALE_WARMUP', 200),
    concurrencies: (process.env.SCALE_CONCURRENCY ?? '1,8,32').split(',').map((c) => Number(c)),
    threads: int('SCALE_THREADS', 2),
    seed: int('BENCH_SEED', 20240602),
    topK: 10,
    cacheDir: process.env.BENCH_CACHE_DIR ?? join(REPO_ROOT, 'bench', '.cache'),
    serviceNodeArgs: (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter((a) => a !== ''),
  };
  if (config.concurrencies.some((c) => !Number.isInteger(c) || c < 1)) throw new Error(`SCALE_CONCURRENCY=${process.env.SCALE_CONCURRENCY}: positive integers expected`);
  const startedAt = new Date();
  const loadAtStart = loadavg()[0] ?? 0;
  log(`bench:scale ${JSON.stringify(config)}`);
  const workDir = await mkdtemp(join(tmpdir(), 'taishang-scale-'));
  const settings: ScaleSettings = { repoRoot: REPO_ROOT, workDir, batch: config.batch, topK: config.topK, calls: config.calls, rounds: config.rounds, warmupCalls: config.warmupCalls, concurrencies: config.concurrencies, serviceNodeArgs: config.serviceNodeArgs, log };
  const lance: LanceScaleResult[] = [];
  let milvus: MilvusScaleResult | null = null;
  const realText: unknown[] = [];
  const prepare = async (name: SetName, count: number): Promise<{ set: NamedSet; exact: Awaited<ReturnType<typeof exactAnswers>> }> => {
    const set = await loadSet(name, { count, dim: 384, queries: config.queries, seed: config.seed, repoRoot: REPO_ROOT, cacheDir: config.cacheDir, log });
    if (set.real) realText.push(set.real);
    const flat = shareVectors(set.data);
    return { set, exact: await exactAnswers(set.data, flat, config.topK, { cacheDir: config.cacheDir, threads: config.threads, log }) };
  };
  // The real-text set's supply depends on what is installed: find out before the long sets run.
  if (config.sets.some((s) => s === 'real' || s === 'realdup')) checkRealTextSupply({ repoRoot: REPO_ROOT, count: config.setCount, queries: config.queries, seed: config.seed });
  try {
    for (const name of config.sets) {
      const { set, exact } = await prepare(name, name === 'clustered' ? config.count : config.setCount);
      log(`${name}: ${set.data.vectors.length} vectors, ${set.data.queries.length} queries`);
      lance.push(await runLanceScale(set, exact, settings));
    }
    if (config.milvusCount > 0) {
      const { set, exact } = await prepare('clustered', config.milvusCount);
      milvus = await runMilvusScale(set, exact, settings);
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  const targets = scaleTargets(lance, milvus);
  const report = {
    startedAt: startedAt.toISOString(),
    durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
    machine: machineInfo(REPO_ROOT, loadAtStart),
    settings: config,
    realText,
    lance,
    milvus,
    targets,
  };
  const file = await saveNamedReport(join(REPO_ROOT, 'bench', 'results'), 'scale', startedAt, report);
  process.stdout.write(`\n${scaleTables(lance, milvus, targets)}\n\nSaved ${file} and scale-latest.json (${report.durationSeconds.toFixed(0)} s in all)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:scale failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
