import { Index, type IndexConfig, type Version } from '@lancedb/lancedb';
import type { IndexSpec } from '../../../domain';
import { ID_COLUMN, TEXT_COLUMN, VECTOR_COLUMN } from './lance-arrow-rows';
import { VECTOR_INDEX_NAME, distanceTypeOf, engineIndexPlan, type EngineIndexPlan } from './lance-index-mapping';
import type { CollectionState } from './lance-collection-state';

export interface MaintenanceOptions {
  /** Floor of the rows needed before an ANN index is trained (lance-index-mapping.ts). */
  indexMinRows: number;
  /** Data commits after which a background optimize is queued. */
  compactEveryCommits: number;
  /** A version is pruned only once the version after it is older than this (PRUNE_GRACE_MS). */
  pruneGraceMs: number;
}

/**
 * A version is pruned only once the version after it is older than this. A search reads the
 * version that was current when it started, so the files only that version uses (those a
 * compaction rewrote) stay until every search that could still be reading them has finished.
 */
export const PRUNE_GRACE_MS = 10_000;

/**
 * Lance turns `cleanupOlderThan` into "older than (now − date)" in JavaScript and prunes at
 * Rust's own "now" a little later, so the version at the cutoff itself falls a few milliseconds
 * short and is pruned. The cutoff is set this much earlier; what it spares goes at the next prune.
 */
const PRUNE_MARGIN_MS = 1_000;

/** A `cleanupOlderThan` that prunes nothing: before any version was written. */
const PRUNE_NOTHING = new Date(0);

/** Below this many rows a compaction rewrites little, so it runs every `compactEveryCommits` commits. */
const SMALL_TABLE_ROWS = 65_536;

/**
 * Index builds and compaction for one collection. Every method runs inside the collection's
 * write queue (as an exclusive task), so none races a write. `persist` stores state.entry.
 */
export class LanceMaintenance {
  constructor(
    private readonly state: CollectionState,
    private readonly persist: () => Promise<void>,
    private readonly options: MaintenanceOptions,
  ) {}

  /** The declared index's build plan, or null (none declared, or FLAT). */
  plan(spec: IndexSpec | null = this.state.entry.index): EngineIndexPlan | null {
    return spec === null ? null : engineIndexPlan(spec, this.state.entry.dimension, this.options.indexMinRows);
  }

  /**
   * After open: make the table agree with the catalog (a crash may fall between an index change
   * and its catalog write), and make sure the id lookups of insert/get/upsert/delete have a BTREE.
   */
  async reconcile(): Promise<void> {
    const { table } = this.state;
    this.state.rowsAtOptimize = await table.countRows();
    const indices = await table.listIndices();
    if (!indices.some((i) => i.columns[0] === ID_COLUMN)) {
      await table.createIndex(ID_COLUMN, { config: Index.btree(), replace: true });
    }
    await this.reconcileTextIndex(indices);
    const vectorIndex = indices.find((i) => i.columns[0] === VECTOR_COLUMN);
    if (vectorIndex === undefined) {
      this.state.engineIndex = false;
      if (this.state.entry.engineIndexRows !== null) await this.setIndexRows(null);
      return;
    }
    // listIndices reports the metric as 'L2' | 'COSINE' | 'DOT' (indexStats would too, but logs a deprecation warning).
    const metric: unknown = (vectorIndex.indexDetails as { metric_type?: unknown } | undefined)?.metric_type;
    const fits =
      this.plan() !== null &&
      vectorIndex.name === VECTOR_INDEX_NAME &&
      typeof metric === 'string' &&
      metric.toLowerCase() === distanceTypeOf(this.state.entry.metricType);
    if (!fits) {
      await table.dropIndex(vectorIndex.name);
      this.state.engineIndex = false;
      await this.setIndexRows(null);
      return;
    }
    this.state.engineIndex = true;
    if (this.state.entry.engineIndexRows === null) await this.setIndexRows(await table.countRows());
  }

  /**
   * A bound collection's texts get LanceDB's full-text (inverted) index, built when the table is
   * created (an empty table takes one) or at open if a crash came between the two; texts written
   * since are folded in by optimize. Unbound collections hold no texts and get none.
   */
  private async reconcileTextIndex(indices: readonly IndexConfig[]): Promise<void> {
    const { table, entry } = this.state;
    const existing = indices.find((i) => i.columns[0] === TEXT_COLUMN && i.indexType === 'FTS');
    if (entry.embedding === null || !this.state.columns.has(TEXT_COLUMN)) {
      this.state.textIndex = existing !== undefined;
      this.state.textStale = false;
      return;
    }
    if (existing === undefined) {
      await table.createIndex(TEXT_COLUMN, { config: textIndexConfig(), name: TEXT_INDEX_NAME, replace: true });
      this.state.textIndex = true;
      this.state.textStale = false;
      return;
    }
    this.state.textIndex = true;
    this.state.textStale = (existing.numUnindexedRows ?? 1) > 0;
  }

  /** Before a text search: folds the rows written since into the full-text index (by an optimize, LanceDB 0.31's only way). */
  async refreshTextIndex(): Promise<void> {
    if (this.state.textStale) await this.optimize(false);
  }

  /** After writes: build a declared index that waited for data, once the table crossed the threshold. */
  async buildIfDue(): Promise<void> {
    const plan = this.plan();
    if (plan === null || this.state.engineIndex) return;
    const rows = await this.state.table.countRows();
    if (rows >= plan.minRows) await this.build(plan, rows);
  }

  /** True when buildIfDue would build; cheap enough to ask after every drain cycle. */
  async indexDue(): Promise<boolean> {
    const plan = this.plan();
    return plan !== null && !this.state.engineIndex && (await this.state.table.countRows()) >= plan.minRows;
  }

  async dropEngineIndex(): Promise<void> {
    if (!this.state.engineIndex) return;
    await this.state.table.dropIndex(VECTOR_INDEX_NAME);
    this.state.engineIndex = false;
    await this.setIndexRows(null);
  }

  /**
   * Lance optimize: compaction of small fragments, pruning of old versions, and folding of new
   * rows into existing indexes. Then (Compact only) the vector index is trained from scratch when
   * it waited for data or the table more than doubled since it was trained, since folding rows in
   * keeps the partitions and quantizer learnt from the smaller table.
   */
  async optimize(retrain: boolean): Promise<void> {
    const { table } = this.state;
    // Pruning waits for a second call: inside this one Lance prunes only after compacting, and
    // measures its cutoff from then, so a cutoff set before it would also prune the version the
    // compaction just superseded while searches still read its files (seconds on a large table).
    await table.optimize({ cleanupOlderThan: PRUNE_NOTHING });
    await this.prune();
    const rowsNow = await table.countRows();
    // Optimize folded every row into every index, the full-text one included.
    this.state.textStale = false;
    this.state.commitsSinceOptimize = 0;
    this.state.rowsSinceOptimize = 0;
    this.state.rowsAtOptimize = rowsNow;
    // Optimize brought the id BTREE up to date: lookups of the rows written so far need no positions.
    this.state.ids.indexed(rowsNow);
    if (!retrain) return;
    const plan = this.plan();
    if (plan === null) return;
    const rows = await table.countRows();
    const stale = this.state.engineIndex && rows > 2 * (this.state.entry.engineIndexRows ?? 0);
    if ((stale || !this.state.engineIndex) && rows >= plan.minRows) await this.build(plan, rows);
  }

  /** Prunes the versions superseded longer ago than the grace period; with nothing to compact or fold, optimize only prunes (2–5 ms). */
  private async prune(): Promise<void> {
    const cutoff = pruneCutoff(await this.state.table.listVersions(), Date.now(), this.options.pruneGraceMs);
    if (cutoff !== null) await this.state.table.optimize({ cleanupOlderThan: cutoff });
  }

  /**
   * Background compaction is due after many small commits, at a pace that keeps its cost
   * proportional to the rows written. LanceDB rewrites every fragment below a million rows
   * together with the new small ones, so compacting every 64 commits rewrote the whole table each
   * time: loading a million vectors in batches of 1,000 rewrote 7.7 million rows. Past
   * SMALL_TABLE_ROWS it therefore waits until the commits since wrote as many rows as the table
   * held (a quarter as many when a vector index must fold them in, since a search scans the rows
   * it does not cover), so each row is rewritten at most about twice (five times); 16 × the commit
   * threshold bounds the fragments and versions a trickle of small writes leaves meanwhile.
   */
  optimizeDue(): boolean {
    const { commitsSinceOptimize: commits, rowsSinceOptimize: written, rowsAtOptimize: rows } = this.state;
    const every = this.options.compactEveryCommits;
    if (commits < every) return false;
    if (rows < SMALL_TABLE_ROWS || commits >= this.commitBound()) return true;
    return written >= (this.state.engineIndex ? rows / 4 : rows);
  }

  /**
   * A due compaction may wait for a pause in the writes when it is a large rewrite that no
   * search is waiting for: a table past SMALL_TABLE_ROWS without a vector index (every search
   * reads all its rows anyway) that has not reached 16 × the commit threshold. During a bulk
   * load such rewrites took the CPU the load needed: loading a million vectors, the rewrites at
   * 262,144 and 524,288 rows cost the service about 7 s of CPU (BENCHMARKS.md, "Ingest:
   * compaction waits for a pause"). A compaction with an index to fold rows into, or past the
   * commit bound, never waits.
   */
  optimizeMayWait(): boolean {
    const { commitsSinceOptimize: commits, rowsAtOptimize: rows } = this.state;
    return !this.state.engineIndex && rows >= SMALL_TABLE_ROWS && commits < this.commitBound();
  }

  /** Commits after which a due compaction runs whatever the table: bounds the fragments and versions left meanwhile. */
  private commitBound(): number {
    return this.options.compactEveryCommits * 16;
  }

  private async build(plan: EngineIndexPlan, rows: number): Promise<void> {
    await this.state.table.createIndex(VECTOR_COLUMN, { config: plan.config(), name: VECTOR_INDEX_NAME, replace: true });
    this.state.engineIndex = true;
    await this.setIndexRows(rows);
  }

  private async setIndexRows(rows: number | null): Promise<void> {
    this.state.entry = { ...this.state.entry, engineIndexRows: rows };
    await this.persist();
  }
}

export const TEXT_INDEX_NAME = 'text_idx';

/**
 * Lower-cased words split at whitespace and punctuation, English stop words removed, stemmed and
 * accent-folded. Measured on the labelled set (test/integration/retrieval-quality.test.ts): without
 * stop-word removal, BM25 ranks passages by words like "the" and "my", and hybrid search recalled
 * less than vector search alone (0.875 against 0.958 at 5); with it, hybrid matches vector search
 * and keeps text search's exact codes. No positions: only term (match) queries are asked.
 */
export function textIndexConfig(): Index {
  return Index.fts({ withPosition: false, baseTokenizer: 'simple', lowercase: true, stem: true, removeStopWords: true, asciiFolding: true });
}

/**
 * Lance prunes versions created before `cleanupOlderThan`. Every version before the first one
 * younger than the grace period, except the one just before it (it was superseded within the
 * period), was superseded longer ago than that and may go; null when none may. The cutoff lies
 * PRUNE_MARGIN_MS before the oldest version kept.
 */
export function pruneCutoff(versions: readonly Version[], now: number, graceMs: number): Date | null {
  const sorted = [...versions].sort((a, b) => a.version - b.version);
  const created = (v: Version): number => new Date(v.timestamp).getTime();
  const firstRecent = sorted.findIndex((v) => created(v) >= now - graceMs);
  // With none recent, the latest is kept: Lance never prunes it anyway.
  const keepFrom = sorted[firstRecent === -1 ? sorted.length - 1 : firstRecent - 1];
  if (keepFrom === undefined) return null;
  const cutoff = created(keepFrom) - PRUNE_MARGIN_MS;
  return sorted.some((v) => created(v) < cutoff) ? new Date(cutoff) : null;
}
