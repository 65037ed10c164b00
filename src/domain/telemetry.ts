import type { ProviderName } from './model/model-types';

/** What a model call did, as the model_call_duration metric names it. */
export type ModelOperation = 'embed' | 'generate' | 'stream';

/** The waiting lines whose depth operators watch: texts per embedding batcher, calls per generation limiter, Lance writes. */
export type QueueName = 'embedding' | 'generation' | 'lance_write';

/** A front door of the service. */
export type Door = 'http' | 'grpc';

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

/**
 * Where the transports report calls. `method`, `route` and `code` must come from bounded sets
 * (HTTP methods, route patterns, status codes and names), never from what the caller typed.
 */
export interface RequestTelemetry {
  /** A call entered a door (counts it in flight until the matching `…Ended`). */
  requestStarted(door: Door): void;
  /** `route` is the route pattern (`/v1/collections/:name`), or `unmatched`. */
  httpRequestEnded(method: string, route: string, code: number, seconds: number): void;
  /** `method` is `Service/Method` (e.g. `VectorService/Search`), or `unknown`; `code` a gRPC status name. */
  grpcCallEnded(method: string, code: string, seconds: number): void;
}

/** The default: reports go nowhere, so services built without metrics (tests, tools) pay nothing. */
export const noTelemetry: Telemetry = {
  embeddingBatch: () => undefined,
  modelCall: () => undefined,
};
