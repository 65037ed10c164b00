import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InsertRequest } from '../src/gen/taishang/ai/v1/vector_service';
import { clusteredDataset } from './lib/dataset';
import { idOf, metadataOf, openGrpcDoor } from './lib/grpc-door';
import { directSide, goServiceSide, serviceSide, type IngestSide, type IngestWindow } from './lib/ingest-sides';
import { encodeInsert } from './lib/insert-encoding';
import { median, table } from './lib/measure';
import { endLoad, machineInfo } from './lib/models-report';
import { saveNamedReport } from './lib/report';
import { startBareServer } from './lib/overhead-bare';
import { startService } from './lib/service-process';
import { intEnv } from './lib/env-settings';

/**
 * `npm run bench:ingest` (issue 12, item 2): gRPC Insert into the real service against LanceDB's
 * `table.add` of the same batches in this process, in rounds; each round runs every side once on
 * a fresh collection or table, the order rotating, and the ratio of the median vectors/s is
 * reported for each service side against each direct side. Sides:
 * - `service`: one Insert call at a time; `service xN`: N calls in flight (INGEST_IN_FLIGHT), sent
 *   by a raw grpc-js client in this process;
 * - `go`, `go xN`: the same calls sent by this repository's Go client in its own process;
 * - `direct`: the baseline, rows of id, vector and metadata JSON;
 * - `direct+cols`: the rows the service stores (also a null text and the typed `seq` column);
 * - `direct xN`: the baseline's adds, N at a time (LanceDB commits concurrent appends side by
 *   side): the direct side at the concurrency of the `xN` service sides. A ratio is "matched"
 *   when both sides have the same number of calls in flight; only matched ratios judge the goal.
 * - `bare`, `bare xN` (with the Go sides): the Go client against a grpc-js server with the
 *   service's transport settings that answers without decoding or storing (ingest-bare-main.ts):
 *   the transport's floor under the service's CPU per batch, reported beside the goal, not judged.
 * Every loop is a fixed number of batches; the defaults take about 3 minutes on 2 cores.
 */
const ROOT = resolve(__dirname, '..');

const PARAMS = {
  count: intEnv('INGEST_COUNT', 100_000),
  batch: intEnv('INGEST_BATCH', 1_000),
  dim: intEnv('INGEST_DIM', 384),
  rounds: intEnv('INGEST_ROUNDS', 4),
  inFlight: intEnv('INGEST_IN_FLIGHT', 4),
  /** 0 leaves out the Go client's sides (bench/.bin/bench-insert, built by `npm run bench:ingest`). */
  go: intEnv('INGEST_GO', 1) === 1,
  /** Only these sides (INGEST_SIDES, comma-separated names such as `go x4,direct x4`); all when unset. */
  only: (process.env.INGEST_SIDES ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''),
  seed: intEnv('BENCH_SEED', 42),
  clusters: 100,
  target: 0.8,
  /** Extra node flags for the service (BENCH_SERVICE_NODE_ARGS, space-separated), e.g. `--cpu-prof`. */
  serviceNodeArgs: (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter((a) => a !== ''),
};

function log(line: string): void {
  console.log(`[bench:ingest ${new Date().toISOString().slice(11, 19)}] ${line}`);
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const machine = machineInfo();
  log(`machine: ${machine.cpuModel}, ${machine.cores} cores, load ${machine.loadAvgStart.toFixed(2)}`);
  const data = clusteredDataset({ count: PARAMS.count, dim: PARAMS.dim, clusters: PARAMS.clusters, queries: 0, seed: PARAMS.seed });
  checkEncoding(data.vectors);
  const work = await mkdtemp(join(tmpdir(), 'bench-ingest-'));
  const service = await startService({ repoRoot: ROOT, dataDir: join(work, 'service'), nodeArgs: PARAMS.serviceNodeArgs });
  const door = openGrpcDoor(service.grpcAddress, '', 10);
  const closers: (() => void)[] = [() => door.close()];
  try {
    log(`service pid ${service.pid} ready; ${PARAMS.count} vectors of ${PARAMS.dim} in batches of ${PARAMS.batch}, ${PARAMS.rounds} rounds`);
    const admin = {
      createCollection: async (name: string) => {
        await door.client.createCollection({ name, description: 'bench:ingest', vectorDim: PARAMS.dim, indexParams: { indexType: 'FLAT', metricType: 'COSINE', params: {} } });
      },
      dropCollection: async (name: string) => {
        await door.client.dropCollection({ name });
      },
    };
    const sides: [string, IngestSide][] = [];
    for (const [name, inFlight] of [['service', 1], [`service x${PARAMS.inFlight}`, PARAMS.inFlight]] as const) {
      const s = serviceSide({ name, address: service.grpcAddress, servicePid: service.pid, vectors: data.vectors, batch: PARAMS.batch, inFlight, ...admin });
      closers.push(s.close);
      sides.push([name, s.side]);
    }
    if (PARAMS.go) {
      const vectorsFile = join(work, 'vectors.f32');
      await writeFile(vectorsFile, Buffer.concat(data.vectors.map((v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength))));
      for (const [name, inFlight] of [['go', 1], [`go x${PARAMS.inFlight}`, PARAMS.inFlight]] as const) {
        const side = goServiceSide({ name, binary: join(ROOT, 'bench', '.bin', 'bench-insert'), vectorsFile, address: service.grpcAddress, servicePid: service.pid, count: PARAMS.count, dim: PARAMS.dim, batch: PARAMS.batch, inFlight, ...admin });
        sides.push([name, side]);
      }
      const bare = await startBareServer(ROOT, 'ingest-bare-main.ts', { INGEST_BARE_IDS: String(PARAMS.batch) });
      closers.push(() => void bare.stop());
      const noAdmin = { createCollection: async () => undefined, dropCollection: async () => undefined };
      for (const [name, inFlight] of [['bare', 1], [`bare x${PARAMS.inFlight}`, PARAMS.inFlight]] as const) {
        sides.push([name, goServiceSide({ name, binary: join(ROOT, 'bench', '.bin', 'bench-insert'), vectorsFile, address: bare.address, servicePid: bare.pid, count: PARAMS.count, dim: PARAMS.dim, batch: PARAMS.batch, inFlight, ...noAdmin })]);
      }
    }
    for (const [name, columns, inFlight] of [['direct', 'plain', 1], ['direct+cols', 'service', 1], [`direct x${PARAMS.inFlight}`, 'plain', PARAMS.inFlight]] as const) {
      const s = directSide({ name, dir: join(work, 'direct'), vectors: data.vectors, batch: PARAMS.batch, columns, inFlight });
      closers.push(s.close);
      sides.push([name, s.side]);
    }
    if (PARAMS.only.length > 0) {
      const unknown = PARAMS.only.filter((name) => !sides.some(([n]) => n === name));
      if (unknown.length > 0) throw new Error(`INGEST_SIDES names no side: ${unknown.join(', ')} (sides: ${sides.map(([n]) => n).join(', ')})`);
      sides.splice(0, sides.length, ...sides.filter(([name]) => PARAMS.only.includes(name)));
    }
    // One warm-up round, not reported: the service's and LanceDB's first writes load code and caches.
    for (const [name, side] of sides) log(`warm-up ${name}: ${(await side(-1)).vectorsPerSecond.toFixed(0)} vectors/s`);
    const windows: (IngestWindow & { round: number; position: number })[] = [];
    for (let round = 0; round < PARAMS.rounds; round += 1) {
      const order = sides.map((_, i) => sides[(i + round) % sides.length]!);
      for (const [position, [name, side]] of order.entries()) {
        const w = await side(round);
        windows.push({ ...w, round, position });
        log(`round ${round + 1}/${PARAMS.rounds} ${name}: ${w.vectorsPerSecond.toFixed(0)} vectors/s, p99 ${w.p99Ms.toFixed(1)} ms per batch`);
      }
    }
    const medians = sides.map(([name]) => medianWindow(name, windows.filter((w) => w.side === name)));
    const ratios = medians
      .filter((m) => !m.side.startsWith('direct') && !m.side.startsWith('bare'))
      .flatMap((s) =>
        medians
          .filter((d) => d.side.startsWith('direct'))
          .map((d) => ({ service: s.side, direct: d.side, matched: inFlightOf(s.side) === inFlightOf(d.side), ratio: s.vectorsPerSecond / d.vectorsPerSecond, roundRatios: roundRatios(windows, s.side, d.side) })),
      );
    console.log(`\n### Ingest, ${PARAMS.count} × ${PARAMS.dim} in batches of ${PARAMS.batch} (per round, order rotating)`);
    console.log(table(windows.map((w) => ({ round: w.round + 1, position: w.position + 1, side: w.side, 'vectors/s': Math.round(w.vectorsPerSecond), 'p50 ms': w.p50Ms, 'p99 ms': w.p99Ms, 'bench CPU ms/batch': w.benchCpuMsPerBatch, 'service CPU ms/batch': w.serviceCpuMsPerBatch }))));
    console.log('\n### Medians');
    console.log(table(medians.map((m) => ({ side: m.side, 'vectors/s': Math.round(m.vectorsPerSecond), 'p50 ms': m.p50Ms, 'p99 ms': m.p99Ms, 'bench CPU ms/batch': m.benchCpuMsPerBatch, 'service CPU ms/batch': m.serviceCpuMsPerBatch }))));
    console.log('\n### Ratios (median vectors/s; goal >= 0.80 of the direct side with as many calls in flight)');
    console.log(table(ratios.map((r) => ({ service: r.service, direct: r.direct, 'in flight': r.matched ? 'matched' : 'not matched', ratio: r.ratio.toFixed(3), 'round ratios': r.roundRatios.map((x) => x.toFixed(2)).join(' '), result: !r.matched ? '-' : r.ratio >= PARAMS.target ? 'met' : 'missed' }))));
    endLoad(machine);
    const file = await saveNamedReport(join(ROOT, 'bench', 'results'), 'ingest', startedAt, { benchmark: 'ingest', startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), machine, params: PARAMS, windows, medians, ratios });
    log(`results: ${file}`);
  } finally {
    closers.forEach((close) => close());
    await service.stop();
    await rm(work, { recursive: true, force: true });
  }
}

/** The hand-written request must read back, through the generated decoder, as the batch it encodes. */
function checkEncoding(vectors: readonly Float32Array[]): void {
  const slice = vectors.slice(0, 3);
  const decoded = InsertRequest.decode(encodeInsert('c', slice.map((_, i) => idOf(i)), slice, slice.map((_, i) => metadataOf(i))));
  const expected = slice.map((v, i) => ({ id: idOf(i), vector: Array.from(v), metadata: metadataOf(i), text: '' }));
  if (decoded.collectionName !== 'c' || JSON.stringify(decoded.vectors) !== JSON.stringify(expected)) throw new Error('insert-encoding.ts writes a request the generated decoder reads differently');
}

function medianWindow(side: string, windows: IngestWindow[]): IngestWindow {
  const m = (key: keyof IngestWindow): number => median(windows.map((w) => w[key] as number));
  return { side, vectors: windows[0]?.vectors ?? 0, seconds: m('seconds'), vectorsPerSecond: m('vectorsPerSecond'), p50Ms: m('p50Ms'), p99Ms: m('p99Ms'), benchCpuMsPerBatch: m('benchCpuMsPerBatch'), serviceCpuMsPerBatch: m('serviceCpuMsPerBatch') };
}

/** Calls in flight a side's name says: `… xN`, or one. */
function inFlightOf(side: string): number {
  return Number(/ x(\d+)$/.exec(side)?.[1] ?? 1);
}

function roundRatios(windows: readonly (IngestWindow & { round: number })[], service: string, direct: string): number[] {
  const rounds = [...new Set(windows.map((w) => w.round))];
  return rounds.map((r) => {
    const s = windows.find((w) => w.round === r && w.side === service)!;
    const d = windows.find((w) => w.round === r && w.side === direct)!;
    return s.vectorsPerSecond / d.vectorsPerSecond;
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
