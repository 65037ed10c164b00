import { errors } from '../../errors';
import type { CallOptions, EmbeddingBinding } from './vector-types';

/**
 * What VectorService needs of the models to take text in and give ranked passages out, in its own
 * vocabulary. ModelService provides it (model-service.ts, `textModels()`); the composition root
 * hands it over, so the vector half never reaches into the registry or a provider, and a unit test
 * can give a fake.
 */
export interface TextModels {
  /**
   * The binding of a registered, enabled embedding model: its identity and dimension (learned by
   * embedding one probe text, once per weights). Errors name `field`.
   */
  bind(model: string, field: string, options?: CallOptions): Promise<EmbeddingBinding>;
  /**
   * The texts' vectors from the bound model, through its micro-batcher. FAILED_PRECONDITION when
   * the registered model no longer matches the binding (unregistered, disabled, other weights).
   */
  embed(binding: EmbeddingBinding, texts: string[], options?: CallOptions): Promise<number[][]>;
  /** Each document's relevance to `query` by a reranker model, in document order. Errors name `field`. */
  rerank(model: string, query: string, documents: string[], field: string, options?: CallOptions): Promise<number[]>;
}

/** A deployment without models: every text feature answers FAILED_PRECONDITION. */
export const noTextModels: TextModels = {
  bind: () => Promise.reject(noModels()),
  embed: () => Promise.reject(noModels()),
  rerank: () => Promise.reject(noModels()),
};

function noModels() {
  return errors.failedPrecondition('this deployment runs no models: text needs an embedding model');
}
