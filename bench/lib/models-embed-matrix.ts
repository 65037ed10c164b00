import { runLoad } from './measure';
import type { EmbedDoor } from './models-doors';
import type { DirectEmbedder } from './models-direct-embed';
import { cpuSecondsOf } from './models-service';

export interface EmbedParams {
  batchSizes: number[];
  concurrencies: number[];
  /** Sentences embedded per measured cell (at least `minRounds` calls per caller). */
  sentencesPerCell: number;
  minRounds: number;
}

export interface EmbedCell {
  door: 'grpc' | 'rest' | 'direct';
  batch: number;
  concurrency: number;
  calls: number;
  sentences: number;
  seconds: number;
  sentencesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU the bench process spent per sentence (client work: encoding, decoding, scheduling). */
  clientCpuMsPerSentence: number;
  /** CPU the service process spent per sentence (0 for direct). */
  serviceCpuMsPerSentence: number;
}

/** The texts of call `i`: `batch` consecutive sentences, wrapping around the fixed set. */
function textsOf(sentences: readonly string[], batch: number, i: number): string[] {
  return Array.from({ length: batch }, (_, k) => sentences[(i * batch + k) % sentences.length]!);
}

function callsFor(p: EmbedParams, batch: number, concurrency: number): number {
  return Math.max(Math.ceil(p.sentencesPerCell / batch), concurrency * p.minRounds);
}

/** One measured cell: a warm-up round (one call per caller), then the bounded run. */
async function measure(
  door: EmbedCell['door'],
  batch: number,
  concurrency: number,
  calls: number,
  embed: (texts: string[]) => Promise<number>,
  sentences: readonly string[],
  servicePid: number | undefined,
): Promise<EmbedCell> {
  const call = async (i: number): Promise<void> => {
    const got = await embed(textsOf(sentences, batch, i));
    if (got !== batch) throw new Error(`${door}: asked for ${batch} vectors, got ${got}`);
  };
  await runLoad(concurrency, concurrency, call);
  const cpu0 = process.cpuUsage();
  const svc0 = servicePid === undefined ? 0 : cpuSecondsOf(servicePid);
  const r = await runLoad(calls, concurrency, (i) => call(i + concurrency));
  const cpu = process.cpuUsage(cpu0);
  const svc = servicePid === undefined ? 0 : cpuSecondsOf(servicePid) - svc0;
  const n = calls * batch;
  return {
    door,
    batch,
    concurrency,
    calls,
    sentences: n,
    seconds: r.seconds,
    sentencesPerSec: n / r.seconds,
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    clientCpuMsPerSentence: (cpu.user + cpu.system) / 1000 / n,
    serviceCpuMsPerSentence: (svc * 1000) / n,
  };
}

/** The pipeline in this process, one call at a time (one ONNX session already uses every core). */
export async function measureDirect(direct: DirectEmbedder, sentences: readonly string[], p: EmbedParams, log: (s: string) => void): Promise<EmbedCell[]> {
  const cells: EmbedCell[] = [];
  for (const batch of p.batchSizes) {
    const embed = async (texts: string[]): Promise<number> => (await direct.embed(texts)).length;
    const cell = await measure('direct', batch, 1, callsFor(p, batch, 1), embed, sentences, undefined);
    log(`direct batch ${batch}: ${cell.sentencesPerSec.toFixed(1)} sentences/s`);
    cells.push(cell);
  }
  return cells;
}

/** Every batch size × concurrency through one door of the running service. */
export async function measureDoor(door: EmbedDoor, servicePid: number, sentences: readonly string[], p: EmbedParams, log: (s: string) => void): Promise<EmbedCell[]> {
  const cells: EmbedCell[] = [];
  for (const batch of p.batchSizes) {
    for (const concurrency of p.concurrencies) {
      const cell = await measure(door.name, batch, concurrency, callsFor(p, batch, concurrency), (t) => door.embed(t), sentences, servicePid);
      log(`${door.name} batch ${batch} concurrency ${concurrency}: ${cell.sentencesPerSec.toFixed(1)} sentences/s, p50 ${cell.p50Ms.toFixed(1)} ms`);
      cells.push(cell);
    }
  }
  return cells;
}
