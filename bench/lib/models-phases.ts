import type { ModelConfig } from '../../src/domain';
import type { ModelServiceClient } from '../../src/gen/taishang/ai/v1/model_service';
import { probeBatches, startProbe, type BatchProbeResult } from './models-batch-probe';
import { loadDirectEmbedder } from './models-direct-embed';
import { loadDirectGenerator } from './models-direct-llama';
import { grpcEmbedDoor, restEmbedDoor } from './models-doors';
import { measureDirect, measureDoor, type EmbedCell, type EmbedParams } from './models-embed-matrix';
import { BENCH_PROMPTS, generateOverGrpc, runGenerationPairs } from './models-generation';
import type { ModelsServiceProcess } from './models-service';
import { checkTarget } from './models-target';

export interface BenchParams {
  embeddingModel: string;
  embeddingModelId: string;
  textModel: string;
  sentenceCount: number;
  sentenceSeed: number;
  embed: EmbedParams;
  generation: { rounds: number; maxTokens: number; temperature: number; seed: number; prompts: number };
  probe: { calls: number; concurrency: number };
  target: { rounds: number; sentencesPerSlice: number };
}

export type Log = (line: string) => void;

/**
 * Direct pipeline, then both doors, then the direct pipeline again: only one side embeds at a
 * time, and the second direct run shows whether the machine's speed drifted meanwhile.
 */
export async function embeddingPhase(service: ModelsServiceProcess, modelCacheDir: string, sentences: string[], p: BenchParams, log: Log) {
  const direct = await loadDirectEmbedder(modelCacheDir, p.embeddingModelId);
  try {
    const directBefore = await measureDirect(direct, sentences, p.embed, log);
    const grpc = grpcEmbedDoor(service.grpcAddress, p.embeddingModel);
    const rest = restEmbedDoor(service.httpBase, p.embeddingModel, Math.max(...p.embed.concurrencies));
    try {
      const cells: EmbedCell[] = [];
      cells.push(...(await measureDoor(grpc, service.pid, sentences, p.embed, log)));
      cells.push(...(await measureDoor(rest, service.pid, sentences, p.embed, log)));
      const best = directBefore.reduce((a, b) => (b.sentencesPerSec > a.sentencesPerSec ? b : a));
      const concurrency = Math.max(...p.embed.concurrencies);
      const target = await checkTarget(direct, [grpc, rest], sentences, { directBatch: best.batch, concurrency, ...p.target });
      log(`target check (direct batch ${best.batch} vs single-text calls at concurrency ${concurrency}, median of ${p.target.rounds} paired rounds): ${Object.entries(target.medianRatio).map(([d, r]) => `${d} ${r.toFixed(2)}x`).join(', ')}`);
      const directAfter = await measureDirect(direct, sentences, p.embed, log);
      return { directRuns: [directBefore, directAfter], cells, target };
    } finally {
      grpc.close();
      rest.close();
    }
  } finally {
    await direct.dispose();
  }
}

/** The registry entry the service generates with, so the direct model gets the same settings. */
async function textModelConfig(client: ModelServiceClient, name: string): Promise<ModelConfig> {
  const info = await client.getModelInfo({ name });
  const c = info.config;
  if (!c) throw new Error(`the service has no model '${name}'`);
  return { name: c.name, provider: c.provider as ModelConfig['provider'], modelId: c.modelId, parameters: c.parameters ?? {}, enabled: c.enabled };
}

export async function generationPhase(service: ModelsServiceProcess, modelCacheDir: string, p: BenchParams, log: Log) {
  const door = grpcEmbedDoor(service.grpcAddress, p.embeddingModel);
  try {
    const config = await textModelConfig(door.client, p.textModel);
    const direct = await loadDirectGenerator(config, modelCacheDir);
    try {
      const { rounds, maxTokens, temperature, seed } = p.generation;
      const prompts = BENCH_PROMPTS.slice(0, p.generation.prompts);
      const result = await runGenerationPairs(
        prompts,
        rounds,
        { maxTokens, temperature, seed },
        (req) => generateOverGrpc(door.client, p.textModel, req),
        (req) => direct.generate(req),
      );
      const sameText = result.pairs.filter((x) => x.service.text === x.direct.text).length;
      log(`generation: TTFT p50 service ${result.service.ttftP50Ms.toFixed(1)} ms, direct ${result.direct.ttftP50Ms.toFixed(1)} ms; identical texts ${sameText}/${result.pairs.length}`);
      return { ...result, sameText, settings: { contextSize: direct.settings.contextSize, threads: direct.settings.threads, sequences: direct.settings.concurrency, chatTemplate: direct.settings.chatTemplate, modelPath: direct.settings.modelPath } };
    } finally {
      await direct.dispose();
    }
  } finally {
    door.close();
  }
}

/** Batch sizes formed by single-text callers, through a probe build of the same service code. */
export async function probePhase(repoRoot: string, dataDir: string, modelCacheDir: string, sentences: string[], p: BenchParams, log: Log): Promise<BatchProbeResult[]> {
  const probe = await startProbe(repoRoot, dataDir, modelCacheDir);
  try {
    const grpc = grpcEmbedDoor(probe.grpcAddress, p.embeddingModel);
    const rest = restEmbedDoor(probe.httpBase, p.embeddingModel, p.probe.concurrency);
    try {
      const out: BatchProbeResult[] = [];
      for (const door of [grpc, rest]) {
        const r = await probeBatches(probe, door, p.embeddingModel, sentences, p.probe.calls, p.probe.concurrency);
        log(`probe ${r.door}: mean batch ${r.meanBatch.toFixed(1)} over ${r.batches} model calls`);
        out.push(r);
      }
      return out;
    } finally {
      grpc.close();
      rest.close();
    }
  } finally {
    await probe.stop();
  }
}
