import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createChannel, createClient } from 'nice-grpc';
import { ModelServiceDefinition } from '../../src/gen/taishang/ai/v1/model_service';
import type { PooledEmbedder } from './overhead-direct-embed';

/** Event-loop delay while one long batch is embedded: the service's main thread vs the bench's with the pipeline in it. */
export interface LoopDelay {
  texts: number;
  tokensPerText: string;
  service: { maxMs: number; p99Ms: number; seconds: number };
  direct: { maxMs: number; p99Ms: number; seconds: number };
}

/** 32 passages that fill all-MiniLM-L6-v2's 256-token window: ~1-2 s of model time on 2 cores. */
export function longPassages(count = 32): string[] {
  return Array.from({ length: count }, (_, i) => `Passage ${i}: ` + 'a sentence about vectors and their nearest neighbours '.repeat(30));
}

/**
 * The "event-loop delay during a long embedding batch". Service: one GenerateEmbeddings
 * call of `texts`, with the delay read from the service's own /metrics (prom-client's
 * eventloop_lag gauges, which restart at each scrape, so the scrape before the call starts the
 * window). Direct: the same texts through the pipeline in this process, under
 * monitorEventLoopDelay at the same 10 ms resolution prom-client uses.
 */
export async function loopDelayDuringLongBatch(service: { grpcAddress: string; httpBase: string }, direct: PooledEmbedder, model: string, texts: string[]): Promise<LoopDelay> {
  const channel = createChannel(service.grpcAddress);
  const client = createClient(ModelServiceDefinition, channel);
  try {
    await client.generateEmbeddings({ modelName: model, texts: texts.slice(0, 2) });
    await scrape(service.httpBase);
    const s0 = performance.now();
    const answer = await client.generateEmbeddings({ modelName: model, texts });
    const serviceSeconds = (performance.now() - s0) / 1000;
    if (answer.embeddings.length !== texts.length) throw new Error('GenerateEmbeddings returned the wrong number of vectors');
    const lag = await scrape(service.httpBase);
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    // The monitor's first timer tick only sets its starting point; a block before it goes unseen.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const d0 = performance.now();
    await direct.embed(texts);
    const directSeconds = (performance.now() - d0) / 1000;
    // One more turn so the monitor's timer records the delay the run just caused.
    await new Promise((resolve) => setTimeout(resolve, 20));
    histogram.disable();
    return {
      texts: texts.length,
      tokensPerText: '256 (the window)',
      service: { maxMs: lag.max * 1000, p99Ms: lag.p99 * 1000, seconds: serviceSeconds },
      direct: { maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6, seconds: directSeconds },
    };
  } finally {
    channel.close();
  }
}

async function scrape(httpBase: string): Promise<{ max: number; p99: number }> {
  const text = await (await fetch(`${httpBase}/metrics`)).text();
  const gauge = (name: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`taishang_nodejs_eventloop_lag_${name}_seconds `));
    if (line === undefined) throw new Error(`/metrics has no taishang_nodejs_eventloop_lag_${name}_seconds`);
    return Number(line.split(' ')[1]);
  };
  return { max: gauge('max'), p99: gauge('p99') };
}

export function loopDelayTable(d: LoopDelay): string {
  const row = (name: string, s: LoopDelay['service']) => `| ${name} | ${s.seconds.toFixed(2)} | ${s.p99Ms.toFixed(1)} | ${s.maxMs.toFixed(1)} |`;
  return [
    '| side | batch seconds | event-loop delay p99 ms | max ms |',
    '|---|---|---|---|',
    row('service (model on its own threads)', d.service),
    row('direct (onnxruntime on the calling thread)', d.direct),
  ].join('\n');
}
