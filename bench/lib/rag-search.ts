import { MatchQuery, type Table } from '@lancedb/lancedb';
import { DISTANCE_COLUMN, ID_COLUMN, METADATA_COLUMN, VECTOR_COLUMN } from '../../src/adapters/vector/lance/lance-arrow-rows';
import { parseSearch } from '../../src/domain/vector/text-search';
import type { VectorServiceClient } from '../../src/gen/taishang/ai/v1/vector_service';
import { TEXT_COLUMN } from './rag-ingest';
import type { DirectEmbedder } from './models-direct-embed';

/** What a search asks: by query_text embedded (vector), BM25 and vector fused by RRF (hybrid), and hybrid then reranked. */
export const SEARCH_KINDS = ['vector', 'hybrid', 'hybrid+rerank'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

export interface SearchShape {
  topK: number;
  /** Candidates the reranker reads (hybrid+rerank). */
  candidates: number;
  rerankModel: string;
}

/** Ids of the top-k hits of one text query. */
export type Searcher = (query: string) => Promise<string[]>;

/** The service's answer over gRPC, as a client asks it. */
export function serviceSearcher(client: VectorServiceClient, collection: string, kind: SearchKind, s: SearchShape): Searcher {
  const options = {
    topk: s.topK,
    includeVector: false,
    filter: undefined,
    mode: kind === 'vector' ? 'vector' : 'hybrid',
    rrfK: 0,
    rerank: kind === 'hybrid+rerank' ? { model: s.rerankModel, candidates: s.candidates } : undefined,
  };
  return async (query) => {
    const { results } = await client.search({ collectionName: collection, queryVector: [], queryText: query, options });
    return results.map((r) => r.id);
  };
}

interface Hit {
  id: string;
  text: string;
}

/**
 * The same search done by hand on the service's own table, in the bench process: the query
 * embedded by the direct pipeline; LanceDB's exact vector search (the collection has no vector
 * index) and its full-text search (MatchQuery on the text column, index only, as lancetext's
 * lance-text-search.ts asks), both asked for the depth the domain asks (parseSearch, imported so
 * the two stay in step) and run side by side; Reciprocal Rank Fusion; for the reranked kind the
 * reranker's own computation (the default reranker is a bi-encoder on the same weights: the query
 * and the candidates embedded in one call, scored by the dot product of unit vectors).
 */
export function directSearcher(table: Table, embedder: DirectEmbedder, kind: SearchKind, s: SearchShape): Searcher {
  const plan = parseSearch({
    queryVector: [],
    queryText: 'query',
    mode: kind === 'vector' ? 'vector' : 'hybrid',
    rerank: kind === 'hybrid+rerank' ? { model: s.rerankModel, candidates: s.candidates } : null,
    topK: s.topK,
  });
  const byVector = async (vector: number[]): Promise<Hit[]> => {
    const rows = (await table
      .vectorSearch(vector)
      .column(VECTOR_COLUMN)
      .distanceType('cosine')
      .limit(plan.depth + 1)
      .select([ID_COLUMN, METADATA_COLUMN, TEXT_COLUMN, DISTANCE_COLUMN])
      .bypassVectorIndex()
      .toArray()) as Record<string, unknown>[];
    return rows
      .map((r) => ({ id: String(r[ID_COLUMN]), text: String(r[TEXT_COLUMN]), order: Number(r[DISTANCE_COLUMN]) }))
      .sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : 1))
      .slice(0, plan.depth);
  };
  const byText = async (text: string): Promise<Hit[]> => {
    const rows = (await table
      .query()
      .fullTextSearch(new MatchQuery(text, TEXT_COLUMN))
      .select([ID_COLUMN, METADATA_COLUMN, TEXT_COLUMN, '_score'])
      .limit(plan.depth + 1)
      .fastSearch()
      .toArray()) as Record<string, unknown>[];
    return rows
      .map((r) => ({ id: String(r[ID_COLUMN]), text: String(r[TEXT_COLUMN]), order: -Number(r._score) }))
      .sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : 1))
      .slice(0, plan.depth);
  };
  return async (query) => {
    const [vector] = await embedder.embed([query]);
    if (kind === 'vector') return (await byVector(vector!)).slice(0, s.topK).map((h) => h.id);
    const fused = reciprocalRankFusion(await Promise.all([byVector(vector!), byText(query)]), plan.rrfK, plan.rerank?.candidates ?? s.topK);
    if (kind === 'hybrid') return fused.map((h) => h.id);
    const [q, ...docs] = await embedder.embed([query, ...fused.map((h) => h.text)]);
    const scored = fused.map((h, i) => ({ id: h.id, score: dot(q!, docs[i]!) }));
    return scored.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1)).slice(0, s.topK).map((h) => h.id);
  };
}

/** Each hit scores the sum of 1/(k + rank) over the rankings it is in (rank from 1); best first, ties by id. */
function reciprocalRankFusion(rankings: readonly Hit[][], k: number, cut: number): Hit[] {
  const fused = new Map<string, { hit: Hit; score: number }>();
  for (const ranking of rankings) {
    ranking.forEach((hit, i) => {
      const seen = fused.get(hit.id);
      if (seen) seen.score += 1 / (k + i + 1);
      else fused.set(hit.id, { hit, score: 1 / (k + i + 1) });
    });
  }
  return [...fused.values()]
    .sort((a, b) => b.score - a.score || (a.hit.id < b.hit.id ? -1 : 1))
    .slice(0, cut)
    .map((f) => f.hit);
}

function dot(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += a[i]! * b[i]!;
  return sum;
}
