import type { Logger } from 'pino';
import type { AccessControl, ModelService, RequestTelemetry, VectorService } from '../domain';

/** The text GET /metrics serves (src/metrics renders it; this door only passes it on). */
export interface MetricsExposition {
  readonly contentType: string;
  render(): Promise<string>;
}

/** What the REST door needs from the composition root (src/app). */
export interface HttpDeps {
  vectors: VectorService;
  models: ModelService;
  /** Request logs are children of this logger, each carrying its request id. */
  logger: Logger;
  /** Drives /readyz: false while the engine is down or shutdown has begun. */
  readiness: { isReady(): Promise<boolean> };
  /** Largest accepted request body; defaults to the 64 MiB message limit of CONVENTIONS.md. */
  bodyLimitBytes?: number;
  /** API keys, roles and rate limits; absent = no keys, no limits. */
  access?: AccessControl;
  /** Counts every request and serves GET /metrics; without it neither happens. */
  metrics?: RequestTelemetry & MetricsExposition;
  /** OpenAPI document details; servers default to the origin the document is served from. */
  openapi?: { version?: string; servers?: { url: string; description?: string }[] };
}
