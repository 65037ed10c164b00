import { DomainError, errors, isDomainError } from '../../errors';
import { EmbeddingThreadLost } from './embedding-thread-messages';

/** What the failing call was about, so messages can name the model and its folder. */
export interface TransformersErrorContext {
  modelId: string;
  modelDir: string;
}

/**
 * The one place transformers.js / onnxruntime failures become DomainErrors. transformers.js 4
 * throws `ModelFileNotFoundError` for missing files and plain `Error`s otherwise, so most of the
 * mapping matches on text:
 *
 * | library error                                              | DomainError                |
 * |------------------------------------------------------------|----------------------------|
 * | DomainError (raised by this provider)                      | unchanged                  |
 * | AbortError                                                 | CANCELLED                  |
 * | ModelFileNotFoundError, "file was not found locally", ENOENT | FAILED_PRECONDITION naming the path |
 * | "Load model from … failed", "Protobuf parsing failed", JSON SyntaxError | FAILED_PRECONDITION (corrupt files) |
 * | "Unsupported model type", "Could not find … model"         | FAILED_PRECONDITION (not a feature-extraction model) |
 * | "fetch failed", ENOTFOUND, ECONNREFUSED, ECONNRESET, ETIMEDOUT, HTTP 5xx | UNAVAILABLE (hub unreachable, retryable) |
 * | ENOMEM, "bad_alloc", "Failed to allocate"                  | RESOURCE_EXHAUSTED         |
 * | anything else                                              | INTERNAL (cause logged)    |
 */
export function toDomainError(cause: unknown, context: TransformersErrorContext): DomainError {
  if (isDomainError(cause)) return cause;
  const message = cause instanceof Error ? cause.message : String(cause);
  const name = cause instanceof Error ? cause.name : '';
  const code = errorCode(cause) ?? errorCode((cause as { cause?: unknown } | null)?.cause);
  const model = `model '${context.modelId}'`;

  if (name === 'AbortError') return errors.cancelled();
  if (cause instanceof EmbeddingThreadLost) return errors.unavailable(`${model}: ${message}; the next call starts a new one`, cause);
  if (name === 'ModelFileNotFoundError' || /not found locally|could not locate file/i.test(message) || code === 'ENOENT') {
    const path = /"([^"]+)"/.exec(message)?.[1] ?? context.modelDir;
    return new DomainError('FAILED_PRECONDITION', `${model}: file missing: ${path} (run npm run fetch-models, or set ALLOW_REMOTE_MODELS=true with internet access)`, { cause });
  }
  if (/load model from .* failed|protobuf parsing failed/i.test(message) || cause instanceof SyntaxError) {
    return new DomainError('FAILED_PRECONDITION', `${model}: files under ${context.modelDir} cannot be loaded (corrupt or incomplete; run npm run fetch-models)`, { cause });
  }
  if (/unsupported model type|could not find .*model|unsupported .*architecture/i.test(message)) {
    return new DomainError('FAILED_PRECONDITION', `${model} is not a feature-extraction model transformers.js can run`, { cause });
  }
  if ((code !== undefined && NETWORK_CODES.has(code)) || /fetch failed|status(?: code)?:? 5\d\d|network/i.test(message)) {
    return errors.unavailable(`${model}: the model hub is unreachable`, cause);
  }
  if (code === 'ENOMEM' || /bad_alloc|failed to allocate/i.test(message)) {
    return new DomainError('RESOURCE_EXHAUSTED', `${model}: out of memory`, { cause, retryAfterSeconds: 1 });
  }
  return errors.internal(cause);
}

const NETWORK_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

function errorCode(value: unknown): string | undefined {
  const code = (value as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
