import type { ServerOptions as HttpsServerOptions } from 'node:https';
import type { Logger } from 'pino';
import type { AccessControl, ModelService, SnapshotService, VectorService } from '../domain';
import type { RequestTelemetry } from '../transport/request-telemetry';

/** The text GET /metrics serves (src/metrics renders it; this door only passes it on). */
export interface MetricsExposition {
  readonly contentType: string;
  render(): Promise<string>;
}

/** What the REST door needs from the composition root (src/app). */
export interface HttpDeps {
  vectors: VectorService;
  /** Snapshot download and upload. */
  snapshots: SnapshotService;
  models: ModelService;
  /** Request logs are children of this logger, each carrying its request id. */
  logger: Logger;
  /** Drives /readyz: false while the engine is down or shutdown has begun. */
  readiness: { isReady(): Promise<boolean> };
  /**
   * Cap on every route's body limit (src/http/body-limits.ts); defaults to the 64 MiB message
   * limit of CONVENTIONS.md.
   */
  bodyLimitBytes?: number;
  /** API keys, roles and rate limits; absent = no keys, no limits. */
  access?: AccessControl;
  /** Counts every request and serves GET /metrics; without it neither happens. */
  metrics?: RequestTelemetry & MetricsExposition;
  /** When set, the door serves HTTPS with these options (certificate, key, client CA) instead of HTTP. */
  https?: HttpsServerOptions;
  /** OpenAPI document details; servers default to the origin the document is served from. */
  openapi?: { version?: string; servers?: { url: string; description?: string }[] };
}
