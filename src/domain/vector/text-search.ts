import { errors } from '../../errors';
import { limits } from '../limits';
import { compareHits } from './hit-order';
import { SEARCH_MODES, type SearchHit, type SearchMode } from './vector-types';

/** Reciprocal Rank Fusion's k when a hybrid search names none (the value of the RRF paper and of most engines). */
export const DEFAULT_RRF_K = 60;

/** How a search was asked for, checked once for both doors. */
export interface SearchPlanInput {
  queryVector: number[];
  queryText: string;
  mode?: string;
  rrfK?: number;
  rerank?: { model?: string; candidates?: number } | null;
  topK: number;
}

export interface ParsedSearch {
  mode: SearchMode;
  /** The text query, '' when the search is by vector. */
  text: string;
  rrfK: number;
  rerank: { model: string; candidates: number } | null;
  /** Hits each ranking is asked for: topK, or more when they are fused or reranked. */
  depth: number;
}

/**
 * The rules of a search's shape, in the order a caller fixes them: the mode, then which query it
 * needs (a vector, or text; never both), then fusion and reranking. Violations name the proto's
 * fields, which REST shares.
 */
export function parseSearch(input: SearchPlanInput): ParsedSearch {
  const mode = (input.mode === undefined || input.mode === '' ? 'vector' : input.mode) as SearchMode;
  if (!SEARCH_MODES.includes(mode)) throw errors.invalidArgument('options.mode', `must be one of ${SEARCH_MODES.join(', ')}`);
  const hasVector = input.queryVector.length > 0;
  const hasText = input.queryText !== '';
  if (hasVector && hasText) throw errors.invalidArgument('query_text', 'send query_text or query_vector, not both');
  if (mode !== 'vector' && !hasText) throw errors.invalidArgument('query_text', `required in ${mode} mode`);
  if (mode === 'vector' && !hasVector && !hasText) throw errors.invalidArgument('query_vector', 'required (or query_text in a collection bound to an embedding model)');
  if (hasText) checkStoredText(input.queryText, 'query_text');

  const rrfK = input.rrfK ?? DEFAULT_RRF_K;
  if (!Number.isInteger(rrfK) || rrfK < 1 || rrfK > limits.maxRrfK) throw errors.invalidArgument('options.rrf_k', `must be an integer in 1..${limits.maxRrfK}`);

  let rerank: ParsedSearch['rerank'] = null;
  if (input.rerank) {
    const model = input.rerank.model ?? '';
    if (model === '') throw errors.invalidArgument('options.rerank.model', 'required: the name of a reranker model');
    if (!hasText) throw errors.invalidArgument('options.rerank', 'reranking needs query_text: a reranker reads the query as text');
    const candidates = input.rerank.candidates === undefined || input.rerank.candidates === 0 ? Math.max(input.topK, 50) : input.rerank.candidates;
    if (!Number.isInteger(candidates) || candidates < input.topK || candidates > limits.maxRerankCandidates) {
      throw errors.invalidArgument('options.rerank.candidates', `must be an integer in topk..${limits.maxRerankCandidates} (0 means max(topk, 50))`);
    }
    rerank = { model, candidates };
  }
  const wanted = rerank?.candidates ?? input.topK;
  const depth = mode === 'hybrid' ? Math.min(limits.maxTopK, Math.max(wanted, 2 * input.topK, 50)) : wanted;
  return { mode, text: input.queryText, rrfK, rerank, depth };
}

/** A record's text, or a text query: not blank, at most limits.maxTextBytes of UTF-8. */
export function checkStoredText(text: string, field: string): void {
  if (text.trim() === '') throw errors.invalidArgument(field, 'must not be blank');
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxTextBytes) throw errors.tooLarge(field, `is ${bytes} bytes of UTF-8; the limit is ${limits.maxTextBytes}`);
}

/**
 * Reciprocal Rank Fusion: each hit scores the sum over the rankings it appears in of 1/(k + rank),
 * rank counted from 1; best first, ties by id. Only ranks matter, so BM25 scores and similarities
 * need no common scale. A hit keeps the fields of its first appearance (the vector ranking's,
 * which carries the vector when asked).
 */
export function fuseByRank(rankings: readonly SearchHit[][], k: number, topK: number): SearchHit[] {
  const fused = new Map<string, SearchHit>();
  for (const ranking of rankings) {
    ranking.forEach((hit, i) => {
      const seen = fused.get(hit.id);
      const share = 1 / (k + i + 1);
      if (seen) seen.score += share;
      else fused.set(hit.id, { ...hit, score: share });
    });
  }
  return [...fused.values()].sort(compareHits('IP')).slice(0, topK);
}

/**
 * The hits re-ordered by a reranker's scores (best first, ties by id), cut to topK; each hit's
 * score becomes its relevance score. Every candidate must carry text: a reranker reads passages.
 */
export function applyRerank(hits: SearchHit[], scores: readonly number[], topK: number): SearchHit[] {
  return hits.map((hit, i) => ({ ...hit, score: scores[i]! })).sort(compareHits('IP')).slice(0, topK);
}

/** The candidates' texts for a reranker; a candidate without text cannot be ranked by one. */
export function candidateTexts(hits: readonly SearchHit[]): string[] {
  return hits.map((hit) => {
    if (hit.text === undefined || hit.text.trim() === '') {
      throw errors.failedPrecondition(`record '${hit.id}' has no text to rerank; options.rerank needs every candidate to carry text`);
    }
    return hit.text;
  });
}
