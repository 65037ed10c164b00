/**
 * What the service's main thread and an embedding thread (embedding-thread.ts,
 * embedding-thread-main.ts) say to each other. Plain data only: it crosses a MessagePort.
 */

/** What the thread loads, once, from its workerData. */
export interface EmbeddingThreadLoad {
  modelId: string;
  dtype: string;
  cacheDir: string;
  allowRemote: boolean;
  /** onnxruntime's intra-op threads for this thread's session (embedding-threads.ts chooses). */
  intraOpThreads: number;
}

/** An error as it crosses the port: what toDomainError reads (name, message, code, the cause's code). */
export interface ThreadError {
  name: string;
  message: string;
  code?: string;
  causeCode?: string;
}

export type ToThread =
  | { type: 'embed'; id: number; texts: string[]; window: number }
  | { type: 'cancel'; id: number }
  | { type: 'dispose' };

export type FromThread =
  | { type: 'ready'; window: number }
  | { type: 'load-failed'; error: ThreadError }
  | { type: 'chunk'; id: number; chunk: number; chunks: number; start: number; end: number }
  | { type: 'done'; id: number; vectors: Float32Array; rows: number; dimension: number; truncated: boolean[]; tokenCounts: number[] }
  | { type: 'failed'; id: number; error: ThreadError; cancelled: boolean }
  | { type: 'disposed' };

export function toThreadError(cause: unknown): ThreadError {
  const codeOf = (v: unknown): string | undefined => {
    const code = (v as { code?: unknown } | null | undefined)?.code;
    return typeof code === 'string' ? code : undefined;
  };
  const error = cause instanceof Error ? cause : new Error(String(cause));
  const code = codeOf(error);
  const causeCode = codeOf((error as { cause?: unknown }).cause);
  return { name: error.name, message: error.message, ...(code ? { code } : {}), ...(causeCode ? { causeCode } : {}) };
}

/**
 * An embedding thread ended under its callers (an uncaught exception in it, or its exit): their
 * batches are lost, but the model is fine and the next call starts a new thread, so callers get a
 * retryable UNAVAILABLE (transformers-errors.ts).
 */
export class EmbeddingThreadLost extends Error {
  override readonly name = 'EmbeddingThreadLost';

  constructor(reason: string, cause?: unknown) {
    super(`its embedding thread stopped (${reason})`, { cause });
  }
}

/** The error rebuilt on the main thread, shaped so toDomainError maps it as it would the original. */
export function fromThreadError(e: ThreadError): Error {
  const error = new Error(e.message) as Error & { code?: string; cause?: unknown };
  error.name = e.name;
  if (e.code !== undefined) error.code = e.code;
  if (e.causeCode !== undefined) error.cause = { code: e.causeCode };
  return error;
}
