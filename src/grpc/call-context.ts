import type { Principal } from '../domain';

/**
 * What the call middleware adds to every call's context. No logger: the call's one log line is
 * written by the middleware, and a child logger per call would cost every call for the few that
 * log more (the middleware makes one for a failure's cause).
 */
export interface RequestContext {
  /** The id the call is logged and answered under (`x-request-id`). */
  requestId: string;
  /** Whom the call log names: filled once a key is identified. */
  caller?: { keyName?: string };
}

/** Whom the key identified (undefined when none was needed). */
export interface AuthContext {
  principal: Principal | undefined;
}
