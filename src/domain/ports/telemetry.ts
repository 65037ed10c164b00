import type { ProviderName } from '../model/model-types';

/** What a model call did, as the model_call_duration metric names it. */
export type ModelOperation = 'embed' | 'generate' | 'stream' | 'rerank';

/** The waiting lines whose depth operators watch: texts per embedding batcher, calls per generation limiter, Lance writes. */
export type QueueName = 'embedding' | 'generation' | 'lance_write';

/**
 * Where the domain reports what it does, in its own words; src/metrics turns it into Prometheus
 * families. Calls sit on hot paths, so implementations must be cheap and must not throw.
 * Queue depths are not reported here: they are read when scraped (ModelService.queueDepths).
 */
export interface Telemetry {
  /** The embedding batcher sent `size` texts to a provider in one call. */
  embeddingBatch(size: number): void;
  /** One provider call ended, successfully or not, after `seconds` (queue wait excluded). */
  modelCall(provider: ProviderName, operation: ModelOperation, seconds: number): void;
}

/** The default: reports go nowhere, so services built without metrics (tests, tools) pay nothing. */
export const noTelemetry: Telemetry = {
  embeddingBatch: () => undefined,
  modelCall: () => undefined,
};
