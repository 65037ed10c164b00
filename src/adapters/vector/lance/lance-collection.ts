import type { Table } from '@lancedb/lancedb';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CollectionInfo, CollectionStats, IndexSpec, Plan, SearchHit, SearchQuery, TextQuery, VectorRecord } from '../../../domain';
import { errors } from '../../../errors';
import { toCollectionInfo, type CatalogEntry, type LanceCatalog } from './lance-catalog';
import type { LanceActivity } from './lance-activity';
import { checkNotAborted, lanceCall, type LanceErrorContext } from './lance-errors';
import { checkIndexParams } from './lance-index-mapping';
import { LanceMaintenance, type MaintenanceOptions } from './lance-maintenance';
import { getRecords, searchCollection } from './lance-reader';
import type { CollectionState } from './lance-collection-state';
import { LanceIdLookup, type ReadStep } from './lance-id-lookup';
import { LanceTableWriter } from './lance-table-writer';
import { searchTexts } from './lance-text-search';
import { LanceWriteQueue, type WriteQueueLimits, type WriteRequest } from './lance-write-queue';

/** Pino-compatible: what the adapter logs through. */
export interface LanceLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface CollectionDeps {
  catalog: LanceCatalog;
  /** The store's engine steps (shared by its collections). */
  activity: LanceActivity;
  logger: LanceLogger;
  maintenance: MaintenanceOptions;
  queue: WriteQueueLimits;
  /** The table's directory, measured for size_in_bytes. */
  tableDir: string;
}

/** How a collection's table looks inside Lance (diagnostics and tests, not part of the port). */
export interface EngineStats {
  versions: number;
  fragments: number;
  smallFragments: number;
  /** An ANN index is built (a declared index may still be waiting for enough rows). */
  vectorIndex: boolean;
}

/** updatedAt moves on every data commit but reaches the catalog at most this often (and on close). */
const UPDATED_AT_FLUSH_MS = 1000;

/** How long the writes must pause before a compaction that may wait runs (lance-maintenance.ts optimizeMayWait). */
const COMPACT_QUIET_MS = 2000;

/**
 * One open collection: its catalog entry, Lance table, write queue and maintenance. Writes and
 * table changes go through the queue; reads go straight to the table (Lance is MVCC, and the
 * shared table handle sees every commit the queue made, which gives read-your-writes).
 */
export class LanceCollection {
  private readonly queue: LanceWriteQueue;
  private readonly maintenance: LanceMaintenance;
  private saveChain: Promise<void> = Promise.resolve();
  private saveTimer: NodeJS.Timeout | null = null;
  /** A due compaction waiting for the writes to pause; restarted by every commit meanwhile. */
  private quietTimer: NodeJS.Timeout | null = null;
  private closing = false;
  /** Dropped or closed: the catalog file must not be written again. */
  private finished = false;
  private buildQueued = false;
  private optimizeQueued = false;
  private idsQueued = false;

  private constructor(
    readonly state: CollectionState,
    private readonly deps: CollectionDeps,
  ) {
    const writer = new LanceTableWriter(state, {
      persist: (entry) => {
        this.state.entry = entry;
        return this.save();
      },
      afterCommits: () => this.afterCommits(),
    });
    this.queue = new LanceWriteQueue(writer, deps.queue, () => errors.collectionNotFound(state.entry.name));
    this.maintenance = new LanceMaintenance(state, () => this.save(), deps.maintenance);
  }

  static async open(entry: CatalogEntry, table: Table, deps: CollectionDeps): Promise<LanceCollection> {
    const schema = await table.schema();
    const state: CollectionState = {
      entry,
      table,
      schema,
      columns: new Set(schema.fields.map((f) => f.name)),
      engineIndex: false,
      textIndex: false,
      textStale: false,
      commitsSinceOptimize: 0,
      rowsSinceOptimize: 0,
      rowsAtOptimize: 0,
      activity: deps.activity,
      ids: new LanceIdLookup(),
    };
    const collection = new LanceCollection(state, deps);
    await lanceCall({ collection: entry.name }, () => collection.maintenance.reconcile());
    return collection;
  }

  get name(): string {
    return this.state.entry.name;
  }

  /** What a read's engine errors are about; a file gone from a collection still open is not a missing collection. */
  get readContext(): LanceErrorContext {
    return { collection: this.name, open: () => !this.closing };
  }

  info(): CollectionInfo {
    return toCollectionInfo(this.state.entry);
  }

  /** Writes and table changes waiting in this collection's queue. */
  get pendingWrites(): number {
    return this.queue.depth;
  }

  write(request: WriteRequest, signal?: AbortSignal): Promise<void> {
    return this.queue.write(request, signal);
  }

  get(ids: readonly string[], signal?: AbortSignal): Promise<VectorRecord[]> {
    this.loadIdsSoon();
    return lanceCall(this.readContext, () => getRecords(this.state, ids, signal));
  }

  search(query: SearchQuery, signal?: AbortSignal): Promise<SearchHit[]> {
    return lanceCall(this.readContext, () => searchCollection(this.state, query, signal));
  }

  /**
   * BM25 over the texts through the full-text index, which must cover every row first
   * (lance-text-search.ts): texts written since it last did are folded in, in the queue (so no
   * write races it), by one optimize that concurrent text searches share.
   */
  searchText(query: TextQuery, signal?: AbortSignal): Promise<SearchHit[]> {
    return lanceCall(this.readContext, async () => {
      if (this.state.textIndex && this.state.textStale) await this.queue.exclusive(() => this.maintenance.refreshTextIndex(), signal, true);
      return searchTexts(this.state, query, signal);
    });
  }

  /** The row count is one engine step; the size is a walk of the table's files, skipped if the caller left meanwhile. */
  async stats(signal?: AbortSignal): Promise<CollectionStats> {
    return lanceCall(this.readContext, async () => {
      const vectorCount = await this.state.activity.read({ collection: this.name, kind: 'count' }, signal, () => this.state.table.countRows());
      checkNotAborted(signal);
      return { name: this.name, vectorCount, sizeInBytes: await directorySize(this.deps.tableDir) };
    });
  }

  /**
   * Replaces the declaration (and the collection's metric); the old engine index goes first, so no
   * search ever pairs it with the new metric. The plan runs in the queue, against the declaration
   * no other index change can alter until this one is done.
   */
  createIndex(plan: Plan<IndexSpec>, signal?: AbortSignal): Promise<void> {
    return this.queue.exclusive(async () => {
      const spec = plan(this.state.entry);
      checkIndexParams(spec, this.state.entry.dimension);
      await this.maintenance.dropEngineIndex();
      this.touch({ index: spec, metricType: spec.metricType });
      await this.save();
      await this.maintenance.buildIfDue();
    }, signal);
  }

  dropIndex(signal?: AbortSignal): Promise<void> {
    return this.queue.exclusive(async () => {
      await this.maintenance.dropEngineIndex();
      if (this.state.entry.index === null) return;
      this.touch({ index: null });
      await this.save();
    }, signal);
  }

  compact(signal?: AbortSignal): Promise<void> {
    return this.queue.exclusive(() => this.maintenance.optimize(true), signal);
  }

  /**
   * Lance versions and fragments: how well writes were coalesced (diagnostics and tests). In the
   * queue, since listing the versions reads every manifest and a prune meanwhile deletes some.
   */
  engineStats(): Promise<EngineStats> {
    return this.queue.exclusive(async () => {
      const [versions, stats] = await Promise.all([this.state.table.listVersions(), this.state.table.stats()]);
      return {
        versions: versions.length,
        fragments: stats.fragmentStats.numFragments,
        smallFragments: stats.fragmentStats.numSmallFragments,
        vectorIndex: this.state.engineIndex,
      };
    }, undefined, true);
  }

  /** Drains queued writes, then flushes the catalog (unless the collection is being dropped) and closes the table. */
  async close(dropping: boolean): Promise<void> {
    this.closing = true;
    this.stopQuietTimer();
    await this.queue.close();
    if (this.saveTimer !== null) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    if (!dropping) await this.save().catch((cause) => this.deps.logger.error({ err: cause, collection: this.name }, 'catalog flush failed'));
    this.finished = true;
    await this.saveChain;
    this.state.table.close();
  }

  /** A new name, saved before it is used: on a failed write the collection keeps the old one. */
  async rename(name: string): Promise<void> {
    const before = this.state.entry;
    this.touch({ name });
    try {
      await this.save();
    } catch (cause) {
      this.state.entry = before;
      throw cause;
    }
  }

  private touch(change: Partial<CatalogEntry>): void {
    const { entry } = this.state;
    this.state.entry = { ...entry, ...change, updatedAt: Math.max(Date.now(), entry.updatedAt + 1) };
  }

  /** Writes the entry as it is when the write runs; writes are chained so the newest always lands last. */
  private save(): Promise<void> {
    const next = this.saveChain.then(() => (this.finished ? undefined : this.deps.catalog.write(this.state.entry)));
    this.saveChain = next.catch(() => undefined);
    return next;
  }

  private async afterCommits(): Promise<void> {
    if (this.saveTimer === null && !this.finished) {
      this.saveTimer = setTimeout(() => {
        this.saveTimer = null;
        this.save().catch((cause) => this.deps.logger.error({ err: cause, collection: this.name }, 'catalog write failed'));
      }, UPDATED_AT_FLUSH_MS);
      this.saveTimer.unref();
    }
    if (this.closing) return;
    try {
      if (!this.buildQueued && (await this.maintenance.indexDue())) {
        this.buildQueued = true;
        this.background('index build', () => this.maintenance.buildIfDue(), () => (this.buildQueued = false));
      }
      if (!this.optimizeQueued && this.maintenance.optimizeDue()) {
        if (this.maintenance.optimizeMayWait()) this.compactWhenQuiet();
        else this.compactInBackground();
      }
    } catch (cause) {
      this.deps.logger.warn({ err: cause, collection: this.name }, 'maintenance check failed');
    }
  }

  private compactInBackground(): void {
    this.stopQuietTimer();
    this.optimizeQueued = true;
    this.background('background compaction', () => this.maintenance.optimize(false), () => (this.optimizeQueued = false));
  }

  /** Queues the due compaction once no commit came for COMPACT_QUIET_MS; each commit meanwhile starts the wait again. */
  private compactWhenQuiet(): void {
    this.stopQuietTimer();
    this.quietTimer = setTimeout(() => {
      this.quietTimer = null;
      if (!this.closing && !this.optimizeQueued && this.maintenance.optimizeDue()) this.compactInBackground();
    }, COMPACT_QUIET_MS);
    this.quietTimer.unref();
  }

  private stopQuietTimer(): void {
    if (this.quietTimer !== null) clearTimeout(this.quietTimer);
    this.quietTimer = null;
  }

  /**
   * A read before any write: the ids are read into memory in the queue (where no commit can race
   * the read), without making this read wait for it; the reads meanwhile take the engine's path.
   */
  private loadIdsSoon(): void {
    if (this.state.ids.ready || this.idsQueued || this.closing) return;
    this.idsQueued = true;
    const read: ReadStep = (run) => this.state.activity.read({ collection: this.name, kind: 'exists' }, undefined, run);
    this.background('id lookup load', () => (this.state.ids.ready ? Promise.resolve() : this.state.ids.load(this.state.table, read)), () => (this.idsQueued = false));
  }

  /** Maintenance nobody waits for: queued like a write, failures only logged (the next trigger retries). */
  private background(what: string, run: () => Promise<void>, done: () => void): void {
    this.queue
      .exclusive(run, undefined, true)
      .catch((cause: unknown) => this.deps.logger.warn({ err: cause, collection: this.name }, `${what} failed`))
      .finally(done);
  }
}

/** Bytes of all files under `dir` (Lance data, deletion files, indexes and manifests). */
async function directorySize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    try {
      total += (await stat(join(entry.parentPath ?? entry.path, entry.name))).size;
    } catch {
      // Compaction may remove a file between listing and stat; it no longer counts.
    }
  }
  return total;
}
