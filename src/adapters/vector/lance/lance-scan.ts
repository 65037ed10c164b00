import { compareIds, type FilterNode, type ListedRecord, type ScanRequest } from '../../../domain';
import { ID_COLUMN, METADATA_COLUMN, VECTOR_COLUMN, rowId, rowMetadata, rowText, rowVector, textColumns, type LanceRow } from './lance-arrow-rows';
import type { CollectionState } from './lance-collection-state';
import { compileFilter, idAfterPredicate, idInPredicate, type CompiledFilter } from './lance-filter-compiler';

/**
 * A keyset page in two engine steps: the ids (`id > last AND filter`, ordered by id, limited; the
 * id column's BTREE serves the range), then those rows' columns by id. Asking for the whole rows in
 * the first step would read every matching row's vector before the sort cuts the page: a page deep
 * into a large collection would read all the vectors behind it. A row deleted between the two
 * steps is left out (it was not there for the whole scan); one overwritten comes back as it is now.
 */
export async function scanRecords(state: CollectionState, request: ScanRequest, signal: AbortSignal | undefined): Promise<ListedRecord[]> {
  const filter = compiled(state, request.filter);
  if (filter.kind === 'none') return [];
  const where = [request.afterId === null ? null : idAfterPredicate(request.afterId), filter.kind === 'where' ? filter.sql : null].filter((p) => p !== null);
  const step = { collection: state.entry.name, kind: 'scan' } as const;
  const idRows = (await state.activity.read(step, signal, () => {
    let q = state.table.query().select([ID_COLUMN]).orderBy({ columnName: ID_COLUMN, ascending: true, nullsFirst: false }).limit(request.limit);
    if (where.length > 0) q = q.where(where.join(' AND '));
    return q.toArray();
  })) as LanceRow[];
  if (idRows.length === 0) return [];
  const columns = [ID_COLUMN, METADATA_COLUMN, ...textColumns(state.columns), ...(request.includeVector ? [VECTOR_COLUMN] : [])];
  const rows = (await state.activity.read(step, signal, () =>
    state.table.query().where(idInPredicate(idRows.map(rowId))).select(columns).toArray(),
  )) as LanceRow[];
  return rows
    .map((row): ListedRecord => ({ id: rowId(row), metadata: rowMetadata(row), ...rowText(row), ...(request.includeVector ? { vector: rowVector(row) } : {}) }))
    .sort((a, b) => compareIds(a.id, b.id));
}

/** Rows matching the filter now; countRows with the compiled predicate, or none at all when it folds to FALSE. */
export async function countRecords(state: CollectionState, filter: FilterNode | null, signal: AbortSignal | undefined): Promise<number> {
  const compiledFilter = compiled(state, filter);
  if (compiledFilter.kind === 'none') return 0;
  const step = { collection: state.entry.name, kind: 'count' } as const;
  return state.activity.read(step, signal, () => state.table.countRows(compiledFilter.kind === 'where' ? compiledFilter.sql : undefined));
}

function compiled(state: CollectionState, filter: FilterNode | null): CompiledFilter {
  return compileFilter(filter, { has: (c) => state.columns.has(c), overflowed: state.entry.filterOverflow }, state.entry.name);
}
