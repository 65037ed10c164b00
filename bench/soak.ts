import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { rng } from './lib/dataset';
import { endLoad, machineInfo, saveResults } from './lib/models-report';
import { benchSentences } from './lib/models-sentences';
import { startModelsService, type ModelsServiceProcess } from './lib/models-service';
import { openGrpc, RestClient, SoakCallError } from './lib/soak-clients';
import { soakConfig, type SoakConfig } from './lib/soak-config';
import { metadataOf, randomUnitVector, soakOps, type SoakContext, type SoakOp } from './lib/soak-ops';
import { ProcWatch, sampleProcess } from './lib/soak-proc';
import { checkTable, minuteLine, minuteRow, minuteTable, opTable, rssTrendMiBPerMinute, soakChecks, type MinuteRow } from './lib/soak-report';
import { IdSlots } from './lib/soak-slots';
import { SoakRecorder } from './lib/soak-stats';
import { describeTrend, fdFloorPoints, secondHalfTrend, SLOPE_MIN_RUN_MINUTES } from './lib/soak-trend';

/**
 * `npm run soak`: the built service (`node dist/main.js`, embedded LanceDB in a temp DATA_DIR,
 * the local models, loopback only) under mixed load on both doors for SOAK_MINUTES (default 10):
 * searches with and without a filter, inserts, upserts and deletes recycling a fixed id range,
 * single and batch embeddings, and short generations (plain, streamed, and streams the caller
 * hangs up on). Prints a row per minute, then a summary; writes bench/results/soak-<time>.json.
 * Exits non-zero on any failed call, RSS or fd growth past the bounds, an RSS or fd-floor slope
 * over the second half past its bound (runs of 10 minutes or more), an early death of the service,
 * or an unclean exit on SIGTERM. Settings: bench/lib/soak-config.ts.
 */
const ROOT = resolve(__dirname, '..');
const MODEL_CACHE_DIR = resolve(process.env.MODEL_CACHE_DIR ?? join(ROOT, 'models'));
const COLLECTION = 'soak';
const DIM = 384;
const EMBEDDING_MODEL = 'all-MiniLM-L6-v2';
const TEXT_MODEL = 'SmolLM2-135M-Instruct';
/** Half the id range is stored before the load starts, so searches and deletes have rows from the first call. */
const SEED_FRACTION = 0.5;
/** How often the fd count and RSS are read between minute rows. */
const PROC_SAMPLE_MS = 2000;

const log = (line: string): void => {
  process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

async function main(): Promise<number> {
  const config = soakConfig();
  const startedAt = new Date();
  const machine = machineInfo();
  log(`machine: ${machine.cpuModel}, ${machine.cores} cores, load ${machine.loadAvgStart.toFixed(2)}; ${JSON.stringify(config)}`);
  const dataDir = await mkdtemp(join(tmpdir(), 'taishang-soak-'));
  try {
    const service = await startModelsService({ repoRoot: ROOT, args: [join(ROOT, 'dist', 'main.js')], dataDir, modelCacheDir: MODEL_CACHE_DIR });
    log(`service pid ${service.pid} ready (gRPC ${service.grpcAddress}, REST ${service.httpBase})`);
    let died: string | undefined;
    let stopping = false;
    void service.exited.then((e) => {
      if (!stopping) died ??= `exited before it was stopped (code ${String(e.code)}, signal ${String(e.signal)})`;
    });
    const ops = soakOps().filter((o) => config.generationWorkers > 0 || o.group !== 'generate');
    const url = new URL(service.httpBase);
    const ctx: SoakContext = {
      rest: new RestClient(url.hostname, Number(url.port), config.workers),
      grpc: openGrpc(service.grpcAddress),
      grpcAddress: service.grpcAddress,
      collection: COLLECTION,
      dim: DIM,
      slots: new IdSlots(config.idSlots),
      embeddingModel: EMBEDDING_MODEL,
      textModel: TEXT_MODEL,
      sentences: benchSentences(500, config.seed),
    };
    let rows: MinuteRow[] = [];
    let rssSamples: [number, number][] = [];
    let recorder: SoakRecorder | undefined;
    let exit: Awaited<ReturnType<ModelsServiceProcess['stop']>> | undefined;
    try {
      await prepare(ctx, config);
      ({ rows, recorder, rssSamples } = await runLoad(ctx, config, ops, service, dataDir, () => died));
    } finally {
      ctx.rest.close();
      ctx.grpc.close();
      const stillUp = died === undefined;
      stopping = true;
      exit = await service.stop();
      if (!stillUp) exit = undefined;
      log(`service stopped: ${JSON.stringify(exit ?? 'it had died')}`);
    }
    endLoad(machine);
    const total = recorder.finish();
    const trends = { rss: secondHalfTrend(rssSamples, config.minutes), fdFloor: secondHalfTrend(fdFloorPoints(rows), config.minutes) };
    const checks = soakChecks({ config, rows, total, ops, died, exit, trends });
    const trend = rssTrendMiBPerMinute(rows);
    const out = [
      `## Soak (${startedAt.toISOString()}, ${config.minutes} min, ${config.workers} workers, at most ${config.generationWorkers} generating)`,
      `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}; load average ${machine.loadAvgStart.toFixed(2)} at start, ${(machine.loadAvgEnd ?? 0).toFixed(2)} at end`,
      '',
      '### Per minute',
      minuteTable(rows),
      '',
      '### Whole run, per call',
      opTable(total, ops),
      '',
      '### Checks',
      checkTable(checks),
      '',
      `RSS slope over the second half (bound ${config.rssSlopeMiBPerMin} MiB/min in runs of ${SLOPE_MIN_RUN_MINUTES} min or more): ${describeTrend(trends.rss, 'MiB/min')}`,
      `Open-fd floor slope over the second half (bound ${config.fdSlopePerMin} fds/min in runs of ${SLOPE_MIN_RUN_MINUTES} min or more): ${describeTrend(trends.fdFloor, 'fds/min')}`,
      `RSS trend after minute 1, per-minute samples (not judged; as earlier soaks reported it): ${trend === undefined ? 'n/a (fewer than 3 minutes)' : `${trend >= 0 ? '+' : ''}${trend.toFixed(1)} MiB/min`}`,
    ].join('\n');
    process.stdout.write(`${out}\n`);
    if (recorder.samples.length > 0) process.stdout.write(`\nFirst failures:\n${recorder.samples.map((s) => `- ${s.at} ${s.op} ${s.code}: ${s.message}`).join('\n')}\n`);
    const file = await saveResults(
      ROOT,
      startedAt,
      {
        benchmark: 'soak',
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        machine,
        config,
        mix: ops.map((o) => ({ op: o.name, group: o.group, weight: o.weight })),
        minutes: rows,
        total: {
          seconds: total.seconds,
          perOp: Object.fromEntries(ops.map((o) => [o.name, { calls: total.latencies.get(o.name)?.length ?? 0 }])),
          errors: Object.fromEntries(total.errors),
        },
        opTable: opTable(total, ops),
        failures: recorder.samples,
        serviceExit: exit ?? null,
        died: died ?? null,
        checks,
        rssTrendMiBPerMinute: trend ?? null,
        secondHalf: {
          rssSlopeMiBPerMin: trends.rss.slope ?? null,
          fdFloorSlopePerMin: trends.fdFloor.slope ?? null,
          rssPoints: trends.rss.points,
          fromMinute: trends.rss.from ?? null,
        },
        // [minutes since the load started, RSS MiB] every ~2 s: the points of the RSS slope.
        rssSamples: rssSamples.map(([t, mib]) => [Number(t.toFixed(3)), Number(mib.toFixed(1))]),
        passed: checks.every((c) => c.ok),
      },
      'soak',
    );
    log(`results: ${file}`);
    const failed = checks.filter((c) => !c.ok);
    if (failed.length > 0) log(`FAILED: ${failed.map((c) => `${c.name} (${c.measured})`).join('; ')}`);
    return failed.length === 0 ? 0 : 1;
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The collection, with half its id range stored (upserts of 500 over REST). */
async function prepare(ctx: SoakContext, config: SoakConfig): Promise<void> {
  await ctx.rest.json('POST', '/v1/collections', { name: COLLECTION, vector_dim: DIM, description: 'npm run soak' });
  const rand = rng(config.seed);
  const slots = ctx.slots.take(Math.floor(config.idSlots * SEED_FRACTION), ['free'], rand);
  for (let from = 0; from < slots.length; from += 500) {
    const batch = slots.slice(from, from + 500);
    const vectors = batch.map((slot) => ({ id: IdSlots.idOf(slot), vector: randomUnitVector(DIM, rand), metadata: metadataOf(slot, rand) }));
    await ctx.rest.json('PUT', `/v1/collections/${COLLECTION}/vectors`, { vectors });
  }
  ctx.slots.release(slots, 'stored');
  log(`collection '${COLLECTION}' ready: ${slots.length} of ${config.idSlots} ids stored`);
}

/**
 * `workers` closed-loop callers until the deadline; a row at the end of every minute. A worker
 * starts no call after the deadline or once the service is gone, so every loop ends by itself;
 * the last minute closes when the calls in flight have finished.
 */
async function runLoad(
  ctx: SoakContext,
  config: SoakConfig,
  ops: readonly SoakOp[],
  service: ModelsServiceProcess,
  dataDir: string,
  died: () => string | undefined,
): Promise<{ rows: MinuteRow[]; recorder: SoakRecorder; rssSamples: [number, number][] }> {
  const start = Date.now();
  const deadline = start + config.minutes * 60_000;
  const recorder = new SoakRecorder(start);
  const others = ops.filter((o) => o.group !== 'generate');
  let generating = 0;
  const stopped = (): boolean => Date.now() >= deadline || died() !== undefined;

  const worker = async (w: number): Promise<void> => {
    const rand = rng(config.seed + 1 + w);
    while (!stopped()) {
      let op = pick(ops, rand);
      // Generation is capped so it keeps a core busy without starving the cheaper calls.
      if (op.group === 'generate' && generating >= config.generationWorkers) op = pick(others, rand);
      const isGeneration = op.group === 'generate';
      if (isGeneration) generating += 1;
      const t0 = process.hrtime.bigint();
      try {
        if ((await op.run(ctx, rand)) !== 'skipped') recorder.ok(op.name, Number(process.hrtime.bigint() - t0) / 1e6);
      } catch (err) {
        const e = err instanceof SoakCallError ? err : new SoakCallError(`client ${(err as Error).name}`, String((err as Error).stack ?? err));
        recorder.fail(op.name, e.code, e.message);
      } finally {
        if (isGeneration) generating -= 1;
      }
    }
  };

  const rows: MinuteRow[] = [];
  const watch = new ProcWatch(service.pid, start);
  const watchProc = async (): Promise<void> => {
    while (!stopped()) {
      await watch.sample();
      await new Promise((r) => setTimeout(r, PROC_SAMPLE_MS));
    }
  };
  let cpuBefore = (await sampleProcess(service.pid, dataDir)).cpuSeconds;
  let clientCpuBefore = process.cpuUsage();
  const closeMinute = async (minute: number): Promise<void> => {
    const window = recorder.cut();
    const proc = await sampleProcess(service.pid, dataDir, watch);
    const clientCpu = process.cpuUsage(clientCpuBefore);
    clientCpuBefore = process.cpuUsage();
    const stats = await ctx.rest.json('GET', `/v1/collections/${COLLECTION}/stats`, undefined).catch(() => undefined);
    const rowCount = (stats?.body as { vector_count?: number } | undefined)?.vector_count ?? -1;
    const row = minuteRow(minute, window, ops, proc, rowCount, { service: proc.cpuSeconds - cpuBefore, client: (clientCpu.user + clientCpu.system) / 1e6 }, loadavg()[0] ?? 0);
    cpuBefore = proc.cpuSeconds;
    rows.push(row);
    log(minuteLine(row));
  };
  const workers = Promise.all([...Array.from({ length: config.workers }, (_, w) => worker(w)), watchProc()]);
  for (let minute = 1; minute < config.minutes; minute += 1) {
    await sleepUntil(start + minute * 60_000, () => died() !== undefined);
    if (died() !== undefined) break;
    await closeMinute(minute);
  }
  await workers;
  if (died() === undefined) await closeMinute(rows.length + 1);
  else log(`the service died: ${String(died())}`);
  return { rows, recorder, rssSamples: watch.rss };
}

function pick(ops: readonly SoakOp[], rand: () => number): SoakOp {
  const total = ops.reduce((n, o) => n + o.weight, 0);
  let r = rand() * total;
  for (const o of ops) {
    r -= o.weight;
    if (r < 0) return o;
  }
  return ops[ops.length - 1]!;
}

/** Sleeps until `at`, waking every second to give up early when `abort` says so. */
async function sleepUntil(at: number, abort: () => boolean): Promise<void> {
  while (Date.now() < at && !abort()) await new Promise((r) => setTimeout(r, Math.min(1000, at - Date.now())));
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`soak failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);
