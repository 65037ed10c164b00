import { median, percentile } from './measure';
import { cpuSecondsOf } from './models-service';
import type { PooledEmbedder } from './overhead-direct-embed';
import { runGhz, type GhzRun } from './overhead-ghz';

/** A server ghz drives: the service or the bare grpc-js one. */
export interface Target {
  name: 'service' | 'bare';
  address: string;
  pid: number;
}

export interface SideRun extends GhzRun {
  /** CPU the server process used per OK call, ms (from /proc; other processes excluded). */
  serverCpuMsPerCall: number;
}

export interface CallRound {
  round: number;
  first: Target['name'];
  service: SideRun;
  bare: SideRun;
  /** service / bare OK calls per second in this round. */
  ratio: number;
}

export interface CallComparison {
  call: string;
  connections: number;
  concurrency: number;
  callsPerRun: number;
  rounds: CallRound[];
  median: Record<Target['name'], { okPerSec: number; p50Ms: number; p99Ms: number; serverCpuMsPerCall: number }>;
  /** Median service calls/s over median bare calls/s: the figure judged. */
  ratio: number;
  /** Median of the per-round ratios (a check: close to `ratio` when the rounds agree). */
  medianRoundRatio: number;
}

async function measured(ghz: string, protoset: string, target: Target, load: Parameters<typeof runGhz>[3]): Promise<SideRun> {
  const cpu0 = cpuSecondsOf(target.pid);
  const run = await runGhz(ghz, protoset, target.address, load);
  const cpu = cpuSecondsOf(target.pid) - cpu0;
  const bad = Object.entries(run.statuses).filter(([code]) => code !== 'OK');
  if (bad.length > 0) throw new Error(`${load.call} on ${target.name}: non-OK answers ${JSON.stringify(Object.fromEntries(bad))}`);
  return { ...run, serverCpuMsPerCall: run.ok > 0 ? (cpu * 1000) / run.ok : NaN };
}

/**
 * `rounds` rounds of the same ghz load against both targets, one after the other, the first side
 * alternating round by round (even rounds: service first), so drift in the machine's other load
 * hits both alike. A warm-up run per side comes first and is not counted.
 */
export async function compareCall(
  ghz: string,
  protoset: string,
  targets: { service: Target; bare: Target },
  load: { call: string; data: unknown; connections: number; concurrency: number; calls: number; warmupCalls: number; rounds: number },
  log: (line: string) => void,
): Promise<CallComparison> {
  const ghzLoad = { call: load.call, data: load.data, connections: load.connections, concurrency: load.concurrency };
  for (const t of [targets.service, targets.bare]) await measured(ghz, protoset, t, { ...ghzLoad, calls: load.warmupCalls });
  const rounds: CallRound[] = [];
  for (let round = 0; round < load.rounds; round += 1) {
    const order = round % 2 === 0 ? [targets.service, targets.bare] : [targets.bare, targets.service];
    const runs: Partial<Record<Target['name'], SideRun>> = {};
    for (const t of order) runs[t.name] = await measured(ghz, protoset, t, { ...ghzLoad, calls: load.calls });
    const service = runs.service!;
    const bare = runs.bare!;
    rounds.push({ round, first: order[0]!.name, service, bare, ratio: service.okPerSec / bare.okPerSec });
    log(`${load.call} round ${round + 1}/${load.rounds}: service ${service.okPerSec.toFixed(0)}/s, bare ${bare.okPerSec.toFixed(0)}/s (${(service.okPerSec / bare.okPerSec).toFixed(2)})`);
  }
  const side = (name: Target['name']) => ({
    okPerSec: median(rounds.map((r) => r[name].okPerSec)),
    p50Ms: median(rounds.map((r) => r[name].p50Ms)),
    p99Ms: median(rounds.map((r) => r[name].p99Ms)),
    serverCpuMsPerCall: median(rounds.map((r) => r[name].serverCpuMsPerCall)),
  });
  const med = { service: side('service'), bare: side('bare') };
  return {
    call: load.call,
    connections: load.connections,
    concurrency: load.concurrency,
    callsPerRun: load.calls,
    rounds,
    median: med,
    ratio: med.service.okPerSec / med.bare.okPerSec,
    medianRoundRatio: median(rounds.map((r) => r.ratio)),
  };
}

export interface EmbedSide {
  sentencesPerSec: number;
  /** Service: per call (one text); direct: per batch. */
  p50Ms: number;
  p99Ms: number;
  seconds: number;
}

export interface EmbedRound {
  round: number;
  first: 'service' | 'direct';
  service: EmbedSide;
  direct: EmbedSide;
  ratio: number;
}

export interface EmbedComparison {
  model: string;
  concurrency: number;
  directBatch: number;
  sentencesPerWindow: number;
  rounds: EmbedRound[];
  median: { service: EmbedSide; direct: EmbedSide };
  /** Median service sentences/s over median direct sentences/s: the figure judged. */
  ratio: number;
  medianRoundRatio: number;
}

/** The direct pipeline over `texts` in batches of `batch`, one batch at a time (its best: one ONNX run uses every core). */
async function directWindow(direct: PooledEmbedder, texts: readonly string[], batch: number): Promise<EmbedSide> {
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  for (let from = 0; from < texts.length; from += batch) {
    const t0 = process.hrtime.bigint();
    const vectors = await direct.embed(texts.slice(from, from + batch));
    if (vectors.length !== Math.min(batch, texts.length - from)) throw new Error('direct embedding returned the wrong number of vectors');
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return { sentencesPerSec: texts.length / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), seconds };
}

async function serviceWindow(ghz: string, protoset: string, service: Target, model: string, texts: readonly string[], concurrency: number): Promise<EmbedSide> {
  const run = await measured(ghz, protoset, service, {
    call: 'taishang.ai.v1.ModelService/GenerateEmbedding',
    data: texts.map((text) => ({ model_name: model, text })),
    connections: 1,
    concurrency,
    calls: texts.length,
  });
  return { sentencesPerSec: run.okPerSec, p50Ms: run.p50Ms, p99Ms: run.p99Ms, seconds: run.seconds };
}

/**
 * The same texts embedded by `concurrency` single-text GenerateEmbedding callers (ghz, one HTTP/2
 * connection, as one client process has) and by the pipeline directly in batches of
 * `directBatch`, window after window; the side going first alternates per round. Each round has
 * its own slice of the sentences, the same for both sides. A warm-up window per side comes first.
 */
export async function compareEmbedding(
  ghz: string,
  protoset: string,
  service: Target,
  direct: PooledEmbedder,
  sentences: readonly string[],
  opts: { model: string; concurrency: number; directBatch: number; sentencesPerWindow: number; rounds: number },
  log: (line: string) => void,
): Promise<EmbedComparison> {
  const slice = (round: number): string[] =>
    Array.from({ length: opts.sentencesPerWindow }, (_, i) => sentences[(round * opts.sentencesPerWindow + i) % sentences.length]!);
  const warm = slice(opts.rounds).slice(0, opts.directBatch * 4);
  await directWindow(direct, warm, opts.directBatch);
  await serviceWindow(ghz, protoset, service, opts.model, warm, opts.concurrency);
  const rounds: EmbedRound[] = [];
  for (let round = 0; round < opts.rounds; round += 1) {
    const texts = slice(round);
    const first = round % 2 === 0 ? 'direct' : 'service';
    let d: EmbedSide;
    let s: EmbedSide;
    if (first === 'direct') {
      d = await directWindow(direct, texts, opts.directBatch);
      s = await serviceWindow(ghz, protoset, service, opts.model, texts, opts.concurrency);
    } else {
      s = await serviceWindow(ghz, protoset, service, opts.model, texts, opts.concurrency);
      d = await directWindow(direct, texts, opts.directBatch);
    }
    rounds.push({ round, first, service: s, direct: d, ratio: s.sentencesPerSec / d.sentencesPerSec });
    log(`embeddings round ${round + 1}/${opts.rounds}: service ${s.sentencesPerSec.toFixed(1)}/s, direct ${d.sentencesPerSec.toFixed(1)}/s (${(s.sentencesPerSec / d.sentencesPerSec).toFixed(2)})`);
  }
  const side = (name: 'service' | 'direct'): EmbedSide => ({
    sentencesPerSec: median(rounds.map((r) => r[name].sentencesPerSec)),
    p50Ms: median(rounds.map((r) => r[name].p50Ms)),
    p99Ms: median(rounds.map((r) => r[name].p99Ms)),
    seconds: median(rounds.map((r) => r[name].seconds)),
  });
  const med = { service: side('service'), direct: side('direct') };
  return {
    model: opts.model,
    concurrency: opts.concurrency,
    directBatch: opts.directBatch,
    sentencesPerWindow: opts.sentencesPerWindow,
    rounds,
    median: med,
    ratio: med.service.sentencesPerSec / med.direct.sentencesPerSec,
    medianRoundRatio: median(rounds.map((r) => r.ratio)),
  };
}
