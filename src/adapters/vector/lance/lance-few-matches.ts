import { compareHits, type MetricType, type SearchHit, type SearchQuery } from '../../../domain';
import { ID_COLUMN, METADATA_COLUMN, VECTOR_COLUMN, rowId, rowMetadata, rowText, rowVector, textColumns, type LanceRow } from './lance-arrow-rows';
import type { CollectionState } from './lance-collection-state';

/**
 * Matching rows at or below which a filtered search is answered exactly. Chosen by measurement
 * (`npm run bench:filter-choice`, BENCHMARKS.md "Search accuracy"): reading the matching rows and
 * scoring them here costs about what a search through the HNSW index costs up to about a thousand
 * matches, and grows with the matches beyond it, while the index keeps its cost.
 */
export const EXACT_MATCH_LIMIT = 1000;

/** Rows matching `where` (LanceDB evaluates the filter columns only; no vectors are read). */
export function countMatches(state: CollectionState, where: string, signal: AbortSignal | undefined): Promise<number> {
  return state.activity.read({ collection: state.entry.name, kind: 'count' }, signal, () => state.table.countRows(where));
}

/**
 * The exact top-k among the rows matching `where`, for a filter known to match few rows: one
 * filtered read (LanceDB reads the filter columns, then only the matching rows' vectors), scored
 * here. LanceDB's own exact search (bypassVectorIndex) reads every row's vector whatever the
 * filter, about 50× the work for a rare filter on 100,000 rows. Scores follow CONVENTIONS.md like
 * every other path: cosine similarity, dot product, or squared Euclidean distance.
 */
export async function exactAmongMatches(state: CollectionState, query: SearchQuery, where: string, signal: AbortSignal | undefined): Promise<SearchHit[]> {
  const columns = [ID_COLUMN, METADATA_COLUMN, VECTOR_COLUMN, ...textColumns(state.columns)];
  const rows = (await state.activity.read({ collection: state.entry.name, kind: 'search' }, signal, () =>
    state.table.query().where(where).select(columns).toArray(),
  )) as LanceRow[];
  const score = scorer(state.entry.metricType, query.vector);
  const hits = rows.map((row): SearchHit => {
    const vector = rowVector(row);
    return { id: rowId(row), score: score(vector), metadata: rowMetadata(row), ...rowText(row), ...(query.includeVector ? { vector } : {}) };
  });
  return hits.sort(compareHits(state.entry.metricType)).slice(0, query.topK);
}

function scorer(metric: MetricType, query: readonly number[]): (vector: readonly number[]) => number {
  const dot = (v: readonly number[]): number => {
    let s = 0;
    for (let i = 0; i < v.length; i += 1) s += v[i]! * query[i]!;
    return s;
  };
  if (metric === 'IP') return dot;
  if (metric === 'L2') {
    return (v) => {
      let s = 0;
      for (let i = 0; i < v.length; i += 1) s += (v[i]! - query[i]!) ** 2;
      return s;
    };
  }
  const queryNorm = Math.sqrt(dot(query));
  return (v) => {
    let vv = 0;
    for (let i = 0; i < v.length; i += 1) vv += v[i]! * v[i]!;
    return dot(v) / (Math.sqrt(vv) * queryNorm);
  };
}
