import { DomainError, errors, isDomainError } from '../../errors';

/** Where the failure happened: the meaning of a plain Error differs between the steps. */
export type LlamaPhase = 'runtime' | 'load' | 'generate';

/**
 * The one place node-llama-cpp / llama.cpp failures become DomainErrors. The library throws few
 * typed errors (DisposedError, InsufficientMemoryError, NoBinaryFoundError, InvalidGgufMagicError)
 * and plain Errors or RangeErrors from its GGUF reader, so the step decides the rest:
 *
 * | library error                                         | DomainError                           |
 * |-------------------------------------------------------|---------------------------------------|
 * | DomainError (raised by this provider)                 | unchanged                             |
 * | anything while the call's signal is aborted           | CANCELLED (DEADLINE_EXCEEDED on a TimeoutError reason) |
 * | runtime step: NoBinaryFoundError, addon load failures | UNAVAILABLE (no usable prebuilt CPU binary) |
 * | InsufficientMemoryError, ENOMEM, "failed to allocate" | RESOURCE_EXHAUSTED                    |
 * | DisposedError ("Object is disposed")                  | UNAVAILABLE (model unloaded mid-call, retry) |
 * | load step: ENOENT                                     | FAILED_PRECONDITION naming the path   |
 * | load step: anything else (bad magic, corrupt header)  | FAILED_PRECONDITION (not a loadable GGUF) |
 * | generate step: "context size is too small"           | INVALID_ARGUMENT on prompt            |
 * | anything else                                         | INTERNAL (cause logged)               |
 */
export function toDomainError(cause: unknown, phase: LlamaPhase, modelPath: string, signal?: AbortSignal): DomainError {
  if (isDomainError(cause)) return cause;
  if (signal?.aborted) return cancellation(signal);
  const message = cause instanceof Error ? cause.message : String(cause);
  const name = cause instanceof Error ? cause.constructor.name : '';
  const code = (cause as { code?: unknown } | null)?.code;

  if (phase === 'runtime') {
    return errors.unavailable(`llama.cpp cannot be loaded on this machine (no usable prebuilt CPU binary of node-llama-cpp): ${message}`, cause);
  }
  if (name === 'InsufficientMemoryError' || code === 'ENOMEM' || /failed to allocate|bad_alloc|out of memory/i.test(message)) {
    return new DomainError('RESOURCE_EXHAUSTED', `model file ${modelPath}: not enough memory to run it`, { cause, retryAfterSeconds: 1 });
  }
  if (name === 'DisposedError' || /object is disposed/i.test(message)) {
    return errors.unavailable(`model file ${modelPath} was unloaded during the call (its config changed or it was unregistered); retry`, cause);
  }
  if (phase === 'load') {
    if (code === 'ENOENT') return new DomainError('FAILED_PRECONDITION', `model file missing: ${modelPath} (run npm run fetch-models)`, { cause });
    return new DomainError('FAILED_PRECONDITION', `model file ${modelPath} cannot be loaded as a GGUF model: ${message}`, { cause });
  }
  if (/context size is too small/i.test(message)) return errors.invalidArgument('prompt', "does not fit in the model's context");
  return errors.internal(cause);
}

/** CANCELLED, or the transport's own DomainError reason, or DEADLINE_EXCEEDED for AbortSignal.timeout(): as every provider answers an abort. */
export function cancellation(signal: AbortSignal): DomainError {
  return errors.abortedBy(signal.reason);
}
