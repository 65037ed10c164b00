import { DomainError, errors, isDomainError } from '../../../errors';

/** What the failing call was about, so NOT_FOUND can name the collection. */
export interface LanceErrorContext {
  collection?: string;
  /** For reads: whether the collection is still open when the error arrives (not dropped meanwhile). */
  open?: () => boolean;
}

/**
 * The one place LanceDB / file-system failures become DomainErrors. LanceDB 0.31 throws plain
 * `Error`s whose text carries the Rust error kind, so the mapping matches on text:
 *
 * | engine or OS error                                   | DomainError                 |
 * |------------------------------------------------------|-----------------------------|
 * | DomainError (raised by this adapter)                 | unchanged                   |
 * | AbortError                                           | CANCELLED                   |
 * | "Table '…' was not found", "Dataset … was not found" | NOT_FOUND (the collection)  |
 * | "Object at location …/x.lance/… not found" (a file of the version being read) | NOT_FOUND if the collection was dropped meanwhile, else UNAVAILABLE (retryable) |
 * | "Table '…' already exists"                           | ALREADY_EXISTS              |
 * | "… is closed", commit conflicts, ENOSPC/EACCES/EROFS/EIO/EMFILE, "No space left", "Too many open files" | UNAVAILABLE (retryable) |
 * | "timed out", "Timeout"                               | DEADLINE_EXCEEDED           |
 * | "Not enough rows to train"                           | FAILED_PRECONDITION         |
 * | anything else (including SQL errors: our compiler's bug) | INTERNAL (cause logged)  |
 */
export function toDomainError(cause: unknown, context: LanceErrorContext = {}): DomainError {
  if (isDomainError(cause)) return cause;
  const message = cause instanceof Error ? cause.message : String(cause);
  const code = (cause as { code?: unknown } | null)?.code;

  if (cause instanceof Error && cause.name === 'AbortError') return errors.cancelled();
  if (/was not found/i.test(message) && context.collection !== undefined) {
    return errors.collectionNotFound(context.collection);
  }
  if (/not found: .*\.lance|object at location .*\.lance.* not found/i.test(message) && context.collection !== undefined) {
    // A read outlived its version's files: a drop deleted them, or a prune did after the read ran
    // past its grace (lance-maintenance.ts). Saying NOT_FOUND of a live collection could make a
    // client recreate it; a retry reads the current version.
    if (context.open?.() !== true) return errors.collectionNotFound(context.collection);
    return errors.unavailable(`collection '${context.collection}' changed while it was read; retry`, cause);
  }
  if (/already exists/i.test(message) && context.collection !== undefined) {
    return errors.collectionExists(context.collection);
  }
  if (
    (typeof code === 'string' && UNAVAILABLE_OS_CODES.has(code)) ||
    /is closed|commit conflict|retryable|no space left|too many open files|read-only file system|permission denied/i.test(message)
  ) {
    return errors.unavailable('vector store unavailable', cause);
  }
  if (/timed out|timeout/i.test(message)) return errors.deadlineExceeded();
  if (/not enough rows to train/i.test(message)) {
    return errors.failedPrecondition('not enough vectors to train the index yet');
  }
  return errors.internal(cause);
}

const UNAVAILABLE_OS_CODES = new Set(['ENOSPC', 'EACCES', 'EPERM', 'EROFS', 'EIO', 'EMFILE', 'ENFILE', 'EBUSY']);

/** Runs an engine call and translates whatever it throws. */
export async function lanceCall<T>(context: LanceErrorContext, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (cause) {
    throw toDomainError(cause, context);
  }
}

/** A call whose caller already left is not started (CONVENTIONS: cancellation travels down). */
export function checkNotAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw errors.cancelled();
}
