import type { EmbeddingResult, RerankScores } from '../../domain';

/**
 * A bi-encoder reranker: the query and the documents are embedded in one call of the embedding
 * path (`embed`: tokenized once, run in chunks of padded tokens, stopped between chunks when nobody
 * waits), and each document scores the cosine similarity of its unit vector with the query's, -1..1.
 * Each text is cut to the window on its own; `truncated` reports the documents' cuts.
 */
export async function biEncoderScores(embed: (texts: string[]) => Promise<EmbeddingResult>, query: string, documents: string[]): Promise<RerankScores> {
  const embedded = await embed([query, ...documents]);
  const [queryVector, ...documentVectors] = embedded.vectors as [number[], ...number[][]];
  const scores = documentVectors.map((vector) => vector.reduce((sum, x, i) => sum + x * queryVector[i]!, 0));
  return { scores, truncated: embedded.truncated.slice(1), ...(embedded.tokens === undefined ? {} : { tokens: embedded.tokens }) };
}
