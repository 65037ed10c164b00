/** A front door of the service. */
export type Door = 'http' | 'grpc';

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
