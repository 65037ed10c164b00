import { MatchQuery } from '@lancedb/lancedb';
import { rankThroughTies, type SearchHit, type TextQuery } from '../../../domain';
import { ID_COLUMN, METADATA_COLUMN, SCORE_COLUMN, TEXT_COLUMN, VECTOR_COLUMN, rowId, rowMetadata, rowText, rowVector, type LanceRow } from './lance-arrow-rows';
import type { CollectionState } from './lance-collection-state';
import { compileFilter } from './lance-filter-compiler';

/**
 * BM25 over the stored texts with LanceDB's own full-text (inverted) index, as measured on
 * LanceDB 0.31 (its Lance core):
 *
 * - Rows written after the index was last updated are searched by a flat pass whose scores are
 *   not the index's: its BM25 statistics (document count, average length, and each document's
 *   length, which it takes as the count of query terms in it; lance issues #5871, #7107) differ,
 *   so an identical text scores 0.23 outside the index and 0.87 inside, and a text repeating a
 *   term can drop out entirely. So these rows are never searched that way: the collection folds
 *   them into the index first (LanceCollection.searchText: an optimize, LanceDB's only way to
 *   update an index, whenever rows with text were written since the last one), and the query runs
 *   with `fastSearch()`, the index alone. Rows a write adds while the search runs are not seen;
 *   any write that returned before the search began is.
 * - Deleted and overwritten rows are never returned (deletion files apply to indexed rows too).
 * - `where` is a prefilter: the top k are taken among the matching rows, also when better-scored
 *   rows fail the filter.
 * - Rows come unsorted, so the hits are ordered here: higher score first, equal scores by id,
 *   fetched past k while a tie group crosses the cut (rankThroughTies).
 * - The query is a MatchQuery (any of its terms, scores summed), never parsed as query syntax:
 *   quotes, AND/OR or `field:` in the text are just text.
 */
export async function searchTexts(state: CollectionState, query: TextQuery, signal: AbortSignal | undefined): Promise<SearchHit[]> {
  const { entry } = state;
  // No full-text index: an unbound collection, which holds no texts (the domain refuses them).
  if (!state.textIndex) return [];
  const filter = compileFilter(query.filter, { has: (c) => state.columns.has(c), overflowed: entry.filterOverflow }, entry.name);
  if (filter.kind === 'none') return [];
  const columns = [ID_COLUMN, METADATA_COLUMN, TEXT_COLUMN, ...(query.includeVector ? [VECTOR_COLUMN] : []), SCORE_COLUMN];
  const step = { collection: entry.name, kind: 'search' } as const;
  const fetch = async (limit: number): Promise<SearchHit[]> => {
    let q = state.table.query().fullTextSearch(new MatchQuery(query.text, TEXT_COLUMN)).select(columns).limit(limit).fastSearch();
    if (filter.kind === 'where') q = q.where(filter.sql);
    const rows = (await state.activity.read(step, signal, () => q.toArray())) as LanceRow[];
    return rows.map((row) => ({
      id: rowId(row),
      score: Number(row[SCORE_COLUMN]),
      metadata: rowMetadata(row),
      ...rowText(row),
      ...(query.includeVector ? { vector: rowVector(row) } : {}),
    }));
  };
  // BM25 ranks like IP: higher is better.
  return rankThroughTies(query.topK, 'IP', fetch);
}
