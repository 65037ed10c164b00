import type { Logger } from 'pino';
import type { ModelService, VectorService } from '../domain';

/** What the REST door needs from the composition root (src/app). */
export interface HttpDeps {
  vectors: VectorService;
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
  /** OpenAPI document details; servers default to the origin the document is served from. */
  openapi?: { version?: string; servers?: { url: string; description?: string }[] };
}
