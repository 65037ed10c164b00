import type { VectorQuery } from '@lancedb/lancedb';
import { rankThroughTies, type SearchHit, type SearchQuery, type VectorRecord } from '../../../domain';
import {
  DISTANCE_COLUMN,
  ID_COLUMN,
  METADATA_COLUMN,
  VECTOR_COLUMN,
  rowDistance,
  rowId,
  rowMetadata,
  rowText,
  rowVector,
  textColumns,
  type LanceRow,
} from './lance-arrow-rows';
import { EXACT_MATCH_LIMIT, countMatches, exactAmongMatches } from './lance-few-matches';
import { compileFilter } from './lance-filter-compiler';
import { distanceTypeOf, indexFamily, scoreOf, searchTuning } from './lance-index-mapping';
import type { CollectionState } from './lance-collection-state';

/**
 * A filtered search returns the k nearest among the matching rows. Whether it goes through the
 * vector index is decided by a count of the matching rows, not by what the index answers: when few
 * rows match (EXACT_MATCH_LIMIT) they are read and scored exactly (lance-few-matches.ts);
 * otherwise the filter is a prefilter of the indexed search (LanceDB's default, applied before the
 * vector search, on indexed and unindexed data alike). A collection without an engine index (FLAT,
 * or below the index threshold) is searched exactly by LanceDB.
 *
 * An indexed search is never repeated as a full scan: what the index returns is the answer, even
 * when it holds fewer than k rows. LanceDB 0.31's HNSW can: exact duplicate vectors make cliques
 * in its graph that a search starting inside one cannot leave (measured in BENCHMARKS.md "Search
 * accuracy"; docs/API.md says what callers see). Scores are exact: quantized indexes always
 * refine. Hits come in the domain's order, ties by id, fetched past k while a tie group crosses
 * the cut (rankThroughTies).
 */
export async function searchCollection(state: CollectionState, query: SearchQuery, signal: AbortSignal | undefined): Promise<SearchHit[]> {
  const { entry } = state;
  const step = { collection: entry.name, kind: 'search' } as const;
  const filter = compileFilter(query.filter, { has: (c) => state.columns.has(c), overflowed: entry.filterOverflow }, entry.name);
  if (filter.kind === 'none') return [];
  const columns = [ID_COLUMN, METADATA_COLUMN, ...textColumns(state.columns), ...(query.includeVector ? [VECTOR_COLUMN] : []), DISTANCE_COLUMN];

  if (filter.kind === 'where') {
    const matches = await countMatches(state, filter.sql, signal);
    if (matches === 0) return [];
    if (matches <= Math.max(EXACT_MATCH_LIMIT, query.topK)) return exactAmongMatches(state, query, filter.sql, signal);
  }

  const family = state.engineIndex && entry.index !== null ? indexFamily(entry.index) : null;
  const run = async (exact: boolean, limit: number): Promise<LanceRow[]> => {
    let q: VectorQuery = state.table
      .vectorSearch(query.vector)
      .column(VECTOR_COLUMN)
      .distanceType(distanceTypeOf(entry.metricType))
      .limit(limit)
      .select(columns);
    if (filter.kind === 'where') q = q.where(filter.sql);
    if (exact) return (await state.activity.read(step, signal, () => q.bypassVectorIndex().toArray())) as LanceRow[];
    // Rows deleted since the last optimize still count here: near enough to choose a search width.
    const tuning = searchTuning(entry.index!, family!, limit, state.rowsAtOptimize + state.rowsSinceOptimize);
    if (tuning.ef !== undefined) q = q.ef(tuning.ef);
    if (tuning.nprobes !== undefined) q = q.nprobes(tuning.nprobes);
    if (tuning.refineFactor !== undefined) q = q.refineFactor(tuning.refineFactor);
    return (await state.activity.read(step, signal, () => q.toArray())) as LanceRow[];
  };
  const fetch = async (limit: number): Promise<SearchHit[]> => {
    const rows = await run(family === null, limit);
    return rows.map((row) => ({
      id: rowId(row),
      score: scoreOf(entry.metricType, rowDistance(row)),
      metadata: rowMetadata(row),
      ...rowText(row),
      ...(query.includeVector ? { vector: rowVector(row) } : {}),
    }));
  };
  return rankThroughTies(query.topK, entry.metricType, fetch);
}

/** The stored records among `ids`, in no particular order, found through the id lookup (lance-id-lookup.ts). */
export async function getRecords(state: CollectionState, ids: readonly string[], signal: AbortSignal | undefined): Promise<VectorRecord[]> {
  const step = { collection: state.entry.name, kind: 'get' } as const;
  const columns = [ID_COLUMN, VECTOR_COLUMN, METADATA_COLUMN, ...textColumns(state.columns)];
  const rows = await state.ids.find(state.table, [...new Set(ids)], columns, (run) => state.activity.read(step, signal, run));
  return rows.map((row) => ({ id: rowId(row), vector: rowVector(row), metadata: rowMetadata(row), ...rowText(row) }));
}
