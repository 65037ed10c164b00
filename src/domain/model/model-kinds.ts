import { errors, type DomainError } from '../../errors';
import type { ModelKind } from './model-types';

/** How each kind is named in messages, and the call that serves it. */
const KIND_WORDS: Readonly<Record<ModelKind, { is: string; use: string }>> = {
  embedding: { is: 'an embedding model', use: 'GenerateEmbedding' },
  generation: { is: 'a text generation model', use: 'GenerateText' },
  reranker: { is: 'a reranker model', use: 'Rerank' },
};

/**
 * A model asked for a call of another kind: FAILED_PRECONDITION saying what it is and which call
 * it answers. One wording for the domain and every provider; `how` says where the kind comes from
 * (e.g. " (openai, parameters.kind)").
 */
export function wrongKind(name: string, actual: ModelKind, how = ''): DomainError {
  const words = KIND_WORDS[actual];
  return errors.failedPrecondition(`model '${name}' is ${words.is}${how}; use ${words.use}`);
}
