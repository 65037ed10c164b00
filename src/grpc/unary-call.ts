import { status as GrpcStatus, type handleUnaryCall, type Metadata as GrpcJsMetadata, type ServerUnaryCall, type StatusObject } from '@grpc/grpc-js';
import { ServerError, type CallContext } from 'nice-grpc';
import { stampDeadline } from './call-deadline';
import { isAbortError } from './call-status';
import { GrpcJsMetadataView } from './grpc-js-metadata';

/**
 * What surrounds every unary handler (call-scope.ts): it gets the method's path and a bare call
 * context, and runs the handler with the context it extends.
 */
export type UnaryScope<Ext> = <Response>(path: string, context: CallContext, handler: (context: CallContext & Ext) => Promise<Response>) => Promise<Response>;

/** A unary method as the service implements it (nice-grpc's signature). */
export type UnaryImplementation<Ext> = (request: never, context: CallContext & Ext) => Promise<unknown>;

/**
 * A grpc-js handler for one unary method: the scope around the implementation, then one answer.
 * nice-grpc's own unary handler drives an async generator per middleware and per handler, copies
 * metadata in and out and starts on a later tick; measured with ghz, that plumbing cost a quarter
 * of a bare grpc-js call before any middleware of ours ran. Unary calls are most of the traffic,
 * so they take this path; streams keep nice-grpc's (grpc-server.ts).
 */
export function unaryHandler<Ext>(path: string, implementation: UnaryImplementation<Ext>, scope: UnaryScope<Ext>): handleUnaryCall<unknown, unknown> {
  return (call, callback) => {
    const context = new UnaryCallContext(call);
    scope(path, context, (extended) => implementation(call.request as never, extended)).then(
      (response) => callback(null, response, context.finish()),
      (error: unknown) => callback(statusOf(error, context.finish())),
    );
  };
}

/**
 * nice-grpc's CallContext over a grpc-js unary call, its metadata read and written in place. The
 * signal is made on first use: a call whose handler never looks at it (a health check) makes no
 * AbortController and listens for no cancel. It is a getter, so a spread copy of this context
 * would lose it; nothing spreads a unary context (the stream terminator wraps streams only).
 */
class UnaryCallContext implements CallContext {
  readonly metadata: GrpcJsMetadataView;
  readonly header = new GrpcJsMetadataView();
  readonly trailer = new GrpcJsMetadataView();
  readonly peer: string;
  private controller: AbortController | undefined;
  private headerSent = false;
  /**
   * Shared with the cancel listener, which grpc-js keeps as long as it keeps the call, a while
   * after the answer: the listener holds this and the controller, not the whole context.
   */
  private readonly state = { ended: false };

  constructor(private readonly call: ServerUnaryCall<unknown, unknown>) {
    this.metadata = new GrpcJsMetadataView(call.metadata);
    this.peer = call.getPeer();
  }

  get signal(): AbortSignal {
    if (this.controller !== undefined) return this.controller.signal;
    const controller = new AbortController();
    this.controller = controller;
    const { call, state } = this;
    // grpc-js reports a client cancel and an expired deadline alike; the deadline, read only for
    // an aborted call (call-deadline.ts), is stamped just before the abort. After the answer, a
    // late cancel (the connection closing) must not reach work that already finished.
    const abort = (): void => {
      stampDeadline(call.metadata, Number(call.getDeadline()));
      controller.abort();
    };
    if (call.cancelled) abort();
    else call.on('cancelled', () => state.ended || abort());
    return controller.signal;
  }

  /** Whether the caller left or the deadline passed, without making the signal. */
  get aborted(): boolean {
    return this.controller === undefined ? this.call.cancelled : this.controller.signal.aborted;
  }

  sendHeader(): void {
    if (this.headerSent) return;
    this.headerSent = true;
    if (!this.header.isEmpty()) this.call.sendMetadata(this.header.grpc);
  }

  /** Sends the header if it is still due; the trailer for the answer. */
  finish(): GrpcJsMetadata {
    this.state.ended = true;
    this.sendHeader();
    return this.trailer.grpc;
  }
}

/** Whether a call was aborted; a unary call answers without making its signal. */
export function callAborted(context: CallContext): boolean {
  return context instanceof UnaryCallContext ? context.aborted : context.signal.aborted;
}

/** A failure as grpc-js sends it; the scope maps every error to a ServerError first, the rest is a fallback. */
function statusOf(error: unknown, trailer: GrpcJsMetadata): Partial<StatusObject> {
  if (error instanceof ServerError) return { code: error.code, details: error.details, metadata: trailer };
  if (isAbortError(error)) return { code: GrpcStatus.CANCELLED, details: 'The operation was cancelled', metadata: trailer };
  return { code: GrpcStatus.UNKNOWN, details: 'Unknown server error occurred', metadata: trailer };
}
