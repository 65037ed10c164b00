import { Status, type CallContext, type ServerMiddleware, type ServerMiddlewareCall } from 'nice-grpc';
import type { RequestTelemetry } from '../transport/request-telemetry';
import { statusSeenByClient } from './call-status';

/** The method label of calls outside the measured services, so the label set stays bounded. */
export const UNKNOWN_METHOD = 'unknown';

/**
 * Outermost middleware: counts the call in flight, then reports its method (`VectorService/Search`)
 * and final status name, as the client sees it, with its duration (streams: until they end).
 * `services` are the full names (`taishang.ai.v1.VectorService`) whose methods get their own label.
 */
export function metricsMiddleware(telemetry: RequestTelemetry, services: readonly string[]): ServerMiddleware {
  const measured = new Set(services);
  /** path → label; only paths of measured services are kept, so the map is bounded by them. */
  const labels = new Map<string, string>();
  const labelOf = (path: string): string => {
    const cached = labels.get(path);
    if (cached !== undefined) return cached;
    const [, service = '', method = ''] = path.split('/');
    if (!measured.has(service) || method === '') return UNKNOWN_METHOD;
    const label = `${service.slice(service.lastIndexOf('.') + 1)}/${method}`;
    labels.set(path, label);
    return label;
  };

  return async function* measureCall<Request, Response>(
    call: ServerMiddlewareCall<Request, Response>,
    context: CallContext,
  ): AsyncGenerator<Response, Response | void, undefined> {
    const method = labelOf(call.method.path);
    telemetry.requestStarted('grpc');
    const started = performance.now();
    let failure: unknown;
    try {
      return yield* call.next(call.request, context);
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      const code = statusSeenByClient(failure, context);
      telemetry.grpcCallEnded(method, Status[code], (performance.now() - started) / 1000);
    }
  };
}
