import { percentile } from './measure';
import type { ModelServiceClient } from '../../src/gen/taishang/ai/v1/model_service';
import type { GenerationRequest, GenerationSample } from './models-direct-llama';

/** Short instructions of the kind a chat model gets; answers run to max_tokens or stop early. */
export const BENCH_PROMPTS = [
  'Name three colours and describe each in one sentence.',
  'Explain what a database index is to a new programmer.',
  'Write a short poem about the sea.',
  'Give two tips for sleeping better.',
  'What is the capital of France, and what is it known for?',
  'Describe how rain forms.',
  'List four fruits that are rich in vitamin C.',
  'Summarise the plot of a story about a lost dog finding its way home.',
  'Why do leaves change colour in autumn?',
  'Suggest a name for a small bakery and explain why.',
] as const;

/** StreamGenerateText through gRPC, timed from the call to the first non-empty chunk and to the end. */
export async function generateOverGrpc(client: ModelServiceClient, model: string, req: GenerationRequest): Promise<GenerationSample> {
  const t0 = process.hrtime.bigint();
  let firstAt: bigint | undefined;
  let text = '';
  let completionTokens = -1;
  const stream = client.streamGenerateText({
    modelName: model,
    prompt: req.prompt,
    parameters: { max_tokens: req.maxTokens, temperature: req.temperature, seed: req.seed },
  });
  for await (const msg of stream) {
    if (msg.textChunk !== '') {
      firstAt ??= process.hrtime.bigint();
      text += msg.textChunk;
    }
    if (msg.finished) completionTokens = Number((msg.metadata as Record<string, unknown> | undefined)?.completion_tokens ?? -1);
  }
  const end = process.hrtime.bigint();
  if (completionTokens < 0) throw new Error('the stream ended without its finished message');
  return { text, completionTokens, ttftMs: Number((firstAt ?? end) - t0) / 1e6, totalMs: Number(end - t0) / 1e6 };
}

export interface GenerationSummary {
  side: 'grpc' | 'direct';
  prompts: number;
  rounds: number;
  completionTokens: number;
  ttftP50Ms: number;
  ttftMeanMs: number;
  ttftP90Ms: number;
  /** Completion tokens over the whole call time, summed over calls (prompt processing included). */
  tokensPerSec: number;
  /** After the first chunk: (tokens − 1) / (end − first chunk), the decode rate alone. */
  decodeTokensPerSec: number;
}

/**
 * Every prompt `rounds` times through both sides, one call at a time and alternating service and
 * direct call by call, so the two models never run together and a change in background load
 * hits both sides alike.
 */
export async function runGenerationPairs(
  prompts: readonly string[],
  rounds: number,
  base: Omit<GenerationRequest, 'prompt'>,
  service: (req: GenerationRequest) => Promise<GenerationSample>,
  direct: (req: GenerationRequest) => Promise<GenerationSample>,
): Promise<{ service: GenerationSummary; direct: GenerationSummary; pairs: { prompt: string; service: GenerationSample; direct: GenerationSample }[] }> {
  // Warm-up: the first calls after a load pay one-off costs (allocations, page faults, JIT).
  for (let i = 0; i < 2; i += 1) {
    await service({ ...base, prompt: prompts[i % prompts.length]! });
    await direct({ ...base, prompt: prompts[i % prompts.length]! });
  }
  const pairs: { prompt: string; service: GenerationSample; direct: GenerationSample }[] = [];
  for (let r = 0; r < rounds; r += 1) {
    for (const [i, prompt] of prompts.entries()) {
      // Which side goes first alternates, so neither always runs right after the other.
      if ((i + r) % 2 === 0) {
        const s = await service({ ...base, prompt });
        pairs.push({ prompt, service: s, direct: await direct({ ...base, prompt }) });
      } else {
        const d = await direct({ ...base, prompt });
        pairs.push({ prompt, service: await service({ ...base, prompt }), direct: d });
      }
    }
  }
  return {
    service: summarise('grpc', pairs.map((p) => p.service), prompts.length, rounds),
    direct: summarise('direct', pairs.map((p) => p.direct), prompts.length, rounds),
    pairs,
  };
}

function summarise(side: GenerationSummary['side'], samples: GenerationSample[], prompts: number, rounds: number): GenerationSummary {
  const ttfts = samples.map((s) => s.ttftMs).sort((a, b) => a - b);
  const tokens = samples.reduce((n, s) => n + s.completionTokens, 0);
  const totalMs = samples.reduce((n, s) => n + s.totalMs, 0);
  const decodeTokens = samples.reduce((n, s) => n + Math.max(0, s.completionTokens - 1), 0);
  const decodeMs = samples.reduce((n, s) => n + (s.totalMs - s.ttftMs), 0);
  return {
    side,
    prompts,
    rounds,
    completionTokens: tokens,
    ttftP50Ms: percentile(ttfts, 50),
    ttftMeanMs: ttfts.reduce((a, b) => a + b, 0) / ttfts.length,
    ttftP90Ms: percentile(ttfts, 90),
    tokensPerSec: tokens / (totalMs / 1000),
    decodeTokensPerSec: decodeMs > 0 ? decodeTokens / (decodeMs / 1000) : 0,
  };
}
