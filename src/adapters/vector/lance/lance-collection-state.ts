import type { Table } from '@lancedb/lancedb';
import type { Schema } from 'apache-arrow';
import type { LanceActivity } from './lance-activity';
import type { CatalogEntry } from './lance-catalog';
import type { LanceIdLookup } from './lance-id-lookup';

/** The mutable runtime view of one collection, shared by its writer, reader and maintenance. */
export interface CollectionState {
  entry: CatalogEntry;
  readonly table: Table;
  schema: Schema;
  columns: Set<string>;
  /** A vector index exists in the table (reconciled with listIndices on open). */
  engineIndex: boolean;
  /** A full-text index on the text column exists (bound collections; reconciled on open). */
  textIndex: boolean;
  /**
   * Rows with text were written since the full-text index last covered every row. LanceDB 0.31
   * scores rows outside the index wrongly (lance-text-search.ts), so a text search first brings
   * the index up to date when this is set.
   */
  textStale: boolean;
  /** Data commits since the last optimize, and rows they wrote or deleted; drive background compaction. */
  commitsSinceOptimize: number;
  rowsSinceOptimize: number;
  /** Rows in the table after the last optimize (or at open). */
  rowsAtOptimize: number;
  /** The collection's ids in memory, and where recent rows sit: lookups by id without scans. */
  readonly ids: LanceIdLookup;
  /** The store's engine steps: every engine call of a caller goes through it (cancellation, counting). */
  readonly activity: LanceActivity;
}
