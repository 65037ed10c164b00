export * from './vector/vector-types';
export type { VectorStore } from './vector/vector-store';
export { VectorService, type CreateCollectionInput, type SearchInput } from './vector/vector-service';
export type { IndexParamsInput, VectorInput } from './vector/vector-validation';
export type { FilterNode, CompareOp } from './filter/filter-ast';
export { filterPaths } from './filter/filter-ast';
export { parseFilter } from './filter/filter-parser';
export { limits } from './limits';
export { matchesFilter, lookup } from './filter/filter-evaluator';
