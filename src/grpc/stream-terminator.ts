import { ServerError, Status, type CallContext, type ServerMiddleware, type ServerMiddlewareCall } from 'nice-grpc';
import { isAbortError } from './call-status';

/** Context a never-ending stream handler calls to be ended at shutdown (nice-grpc-server-health's Watch does). */
export interface TerminatorContext {
  abortOnTerminate(): void;
}

export interface StreamTerminator {
  middleware: ServerMiddleware<TerminatorContext>;
  /** Ends every stream that asked for it, now and from now on, with UNAVAILABLE. */
  terminate(): void;
}

/**
 * A graceful grpc-js shutdown waits for every open call, and a health Watch never ends on its
 * own; without this, shutdown would hang until forced. UNAVAILABLE tells clients to reconnect
 * elsewhere, which is what a server going away means.
 */
export function createStreamTerminator(): StreamTerminator {
  const live = new Set<AbortController>();
  let terminated = false;

  async function* terminable<Request, Response>(
    call: ServerMiddlewareCall<Request, Response, TerminatorContext>,
    context: CallContext,
  ): AsyncGenerator<Response, Response | void, undefined> {
    const controller = new AbortController();
    const follow = (): void => controller.abort();
    context.signal.addEventListener('abort', follow, { once: true });
    let asked = false;
    const abortOnTerminate = (): void => {
      asked = true;
      if (terminated) controller.abort();
      else live.add(controller);
    };
    try {
      return yield* call.next(call.request, { ...context, signal: controller.signal, abortOnTerminate });
    } catch (error) {
      if (asked && terminated && !context.signal.aborted && isAbortError(error)) {
        throw new ServerError(Status.UNAVAILABLE, 'server is shutting down');
      }
      throw error;
    } finally {
      live.delete(controller);
      context.signal.removeEventListener('abort', follow);
    }
  }

  return {
    middleware: terminable,
    terminate() {
      terminated = true;
      for (const controller of live) controller.abort();
      live.clear();
    },
  };
}
