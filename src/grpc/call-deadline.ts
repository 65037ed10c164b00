import type { Metadata, ServerInterceptingCall, ServerInterceptingCallInterface, ServerInterceptor } from '@grpc/grpc-js';
import { Status, type CallContext } from 'nice-grpc';

/**
 * Metadata key carrying the caller's deadline (Unix ms) from grpc-js into nice-grpc middleware.
 * grpc-js strips `grpc-timeout` before nice-grpc sees the metadata and nice-grpc's CallContext has
 * no deadline, yet both abort the call's signal alike on a client cancel and on an expired
 * deadline; without the deadline the two could not be told apart in logs and status.
 */
export const DEADLINE_METADATA_KEY = 'taishang-call-deadline-ms';

type InboundListener = Parameters<ServerInterceptingCallInterface['start']>[0];

/** Hands every inbound event on unchanged, stamping the deadline into the metadata on its way. */
class DeadlineStamp implements InboundListener {
  constructor(
    private readonly next: InboundListener,
    private readonly deadline: number,
  ) {}

  onReceiveMetadata(metadata: Metadata): void {
    stampDeadline(metadata, this.deadline);
    this.next.onReceiveMetadata(metadata);
  }

  onReceiveMessage(message: unknown): void {
    this.next.onReceiveMessage(message);
  }

  onReceiveHalfClose(): void {
    this.next.onReceiveHalfClose();
  }

  onCancel(): void {
    this.next.onCancel();
  }
}

/**
 * Puts `deadline` (Unix ms; Infinity: none) into `metadata` under DEADLINE_METADATA_KEY. Any value
 * the client sent under the same key is replaced, so it cannot pose as a deadline.
 */
export function stampDeadline(metadata: Metadata, deadline: number): void {
  metadata.remove(DEADLINE_METADATA_KEY);
  if (Number.isFinite(deadline)) metadata.set(DEADLINE_METADATA_KEY, String(deadline));
}

/**
 * grpc-js server interceptor: stamps a streaming call's deadline into its metadata, for
 * nice-grpc's stream handlers. It wraps only the inbound listener of the call grpc-js made rather
 * than the call itself (a ServerInterceptingCall): that wrapper would put its responder and
 * listener layers on every message and status of every call, and measured under ghz it cost more
 * per call than all our middleware together. Unary calls are left alone: our unary handler reads
 * the deadline from the call itself when it is aborted (unary-call.ts), and replacing `start` on
 * every call kept each call alive for longer (under ghz, 2 MiB promoted per young-generation GC
 * instead of 48 KiB, and three times the GC pause).
 */
export const callDeadlineInterceptor: ServerInterceptor = (method, call) => {
  if (!method.requestStream && !method.responseStream) return call as ServerInterceptingCall;
  const start = call.start;
  call.start = (listener) => start.call(call, new DeadlineStamp(listener, Number(call.getDeadline())));
  // grpc-js types an interceptor's result as its ServerInterceptingCall class but uses it only
  // through ServerInterceptingCallInterface, which the call it passed in implements.
  return call as ServerInterceptingCall;
};

/** The caller's deadline in Unix ms, or undefined when it set none. */
export function deadlineOf(context: Pick<CallContext, 'metadata'>): number | undefined {
  const raw = context.metadata.get(DEADLINE_METADATA_KEY);
  const deadline = typeof raw === 'string' ? Number(raw) : NaN;
  return Number.isFinite(deadline) ? deadline : undefined;
}

/**
 * How early, by the wall clock, grpc-js' deadline timer may fire. grpc-js sets the deadline to
 * `Date.now() + timeout` and arms `setTimeout(…, timeout)`; Node's timers run on a monotonic
 * clock truncated to milliseconds, so the timer can fire while Date.now() is still a millisecond
 * or so short of the deadline, and CI saw such a call reported as CANCELLED. A client that
 * cancels within this margin of its own deadline is reported as having run out of time.
 */
export const DEADLINE_CLOCK_SLACK_MS = 10;

/**
 * What an aborted call really ended with: grpc-js aborts the signal both when the deadline
 * passes (and then answers DEADLINE_EXCEEDED itself) and when the client cancels.
 */
export function abortedStatus(context: Pick<CallContext, 'metadata'>, now = Date.now()): Status {
  const deadline = deadlineOf(context);
  return deadline !== undefined && now >= deadline - DEADLINE_CLOCK_SLACK_MS ? Status.DEADLINE_EXCEEDED : Status.CANCELLED;
}
