import { join } from 'node:path';
import { runLoad } from './measure';
import type { EmbedDoor } from './models-doors';
import { startModelsService, type ModelsServiceProcess } from './models-service';

export interface BatchProbeResult {
  door: 'grpc' | 'rest';
  calls: number;
  concurrency: number;
  sentencesPerSec: number;
  batches: number;
  meanBatch: number;
  /** How many model calls had each batch size. */
  histogram: Record<string, number>;
}

/** The probe service: dist's composition root plus a SIGUSR2 batch-size dump (models-probe-main.ts). */
export function startProbe(repoRoot: string, dataDir: string, modelCacheDir: string): Promise<ModelsServiceProcess> {
  return startModelsService({ repoRoot, dataDir, modelCacheDir, args: ['--import', 'tsx', join(repoRoot, 'bench', 'lib', 'models-probe-main.ts')] });
}

/** Asks the probe for its batch sizes and waits (bounded, 5 s) for the answer line. */
async function batchSizes(probe: ModelsServiceProcess, model: string): Promise<number[]> {
  const seen = probe.stdout.length;
  process.kill(probe.pid, 'SIGUSR2');
  for (let i = 0; i < 250; i += 1) {
    const line = probe.stdout.slice(seen).find((l) => l.startsWith('{"probe"'));
    if (line) {
      const queues = (JSON.parse(line) as { probe: { model: string; batchSizes: number[] }[] }).probe;
      return queues.find((q) => q.model === model)?.batchSizes ?? [];
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the batch probe did not answer within 5 s');
}

/**
 * Single-text calls from `concurrency` callers through `door`, then the batch sizes the service
 * formed for exactly those calls. The batcher keeps its last 1000 sizes, so a phase stays well
 * under that (calls ≤ 480 and a fresh probe).
 */
export async function probeBatches(probe: ModelsServiceProcess, door: EmbedDoor, model: string, sentences: readonly string[], calls: number, concurrency: number): Promise<BatchProbeResult> {
  await runLoad(concurrency, concurrency, (i) => door.embed([sentences[i % sentences.length]!]));
  const before = (await batchSizes(probe, model)).length;
  const r = await runLoad(calls, concurrency, (i) => door.embed([sentences[(i + concurrency) % sentences.length]!]));
  const sizes = (await batchSizes(probe, model)).slice(before);
  const histogram: Record<string, number> = {};
  for (const s of sizes) histogram[s] = (histogram[s] ?? 0) + 1;
  return {
    door: door.name,
    calls,
    concurrency,
    sentencesPerSec: calls / r.seconds,
    batches: sizes.length,
    meanBatch: sizes.length === 0 ? 0 : sizes.reduce((a, b) => a + b, 0) / sizes.length,
    histogram,
  };
}
