import type { WriteRecord } from '../../../domain';
import { errors } from '../../../errors';
import { ID_COLUMN, TEXT_COLUMN, buildRowBatches, buildRows, rowId, textField, typedField } from './lance-arrow-rows';
import { appendRows } from './lance-append';
import type { CatalogEntry } from './lance-catalog';
import type { CollectionState } from './lance-collection-state';
import { toDomainError } from './lance-errors';
import { idInPredicate } from './lance-filter-compiler';
import { ID_CHUNK, type LanceIdLookup, type ReadStep } from './lance-id-lookup';
import { leafColumns, missingTypedColumns, type LeafColumns } from './lance-metadata-columns';
import type { WriteExecutor } from './lance-write-queue';

export interface WriterHooks {
  /** Persists a changed catalog entry (durably, before data relying on it is committed). */
  persist(entry: CatalogEntry): Promise<void>;
  afterCommits(): Promise<void>;
}

/**
 * Runs the write queue's coalesced groups against one Lance table. Only the queue calls it, so
 * nothing else writes the table concurrently and an existence check stays true until the `add`.
 */
export class LanceTableWriter implements WriteExecutor {
  constructor(
    private readonly state: CollectionState,
    private readonly hooks: WriterHooks,
  ) {}

  /**
   * Each batch is checked against the table AND the batches accepted before it in this group; a
   * batch with a taken id is rejected alone (ALREADY_EXISTS naming the ids, nothing of it written),
   * and the accepted ones are committed together by one `add`. The check asks the engine only
   * about ids the in-memory id lookup may hold (lance-id-lookup.ts): none, when ids are new.
   */
  async insertGroup(batches: WriteRecord[][], signal: AbortSignal | undefined): Promise<(Error | undefined)[]> {
    const ids = await this.lookup(signal);
    const maybeStored = new Set<string>();
    for (const batch of batches) for (const r of batch) if (ids.mayHold(r.id)) maybeStored.add(r.id);
    const taken = await this.existingIds([...maybeStored], signal);
    const accepted: WriteRecord[][] = [];
    const outcomes = batches.map((batch): Error | undefined => {
      const clash = taken.size === 0 ? [] : batch.filter((r) => taken.has(r.id)).map((r) => r.id);
      if (clash.length > 0) return errors.vectorsExist(this.state.entry.name, clash);
      // A batch's own ids are distinct (the domain checks); later batches of the group must not repeat them.
      if (batches.length > 1) batch.forEach((r) => taken.add(r.id));
      accepted.push(batch);
      return undefined;
    });
    if (accepted.length > 0) {
      const leaves = await this.prepare(accepted, signal);
      const parts = accepted.map((records, i) => ({ records, leaves: leaves[i]! }));
      await this.committing(signal, () => appendRows(this.state.table, buildRowBatches(this.state.schema, parts)));
      const written = accepted.flat().map((r) => r.id);
      ids.appended(written);
      this.committed(written.length);
    }
    return outcomes;
  }

  /**
   * One commit; for an id written twice in the group the later write wins. When no id can be
   * stored yet it is an `add` (no join with the table); otherwise one mergeInsert on id.
   */
  async upsertGroup(batches: WriteRecord[][], signal: AbortSignal | undefined): Promise<void> {
    const latest = new Map<string, WriteRecord>();
    for (const record of batches.flat()) {
      latest.delete(record.id);
      latest.set(record.id, record);
    }
    const records = [...latest.values()];
    const ids = await this.lookup(signal);
    const held = records.filter((r) => ids.mayHold(r.id)).map((r) => r.id);
    const [leaves] = await this.prepare([records], signal);
    const rows = buildRows(this.state.schema, records, leaves!);
    if (held.length === 0) {
      await this.committing(signal, () => appendRows(this.state.table, rows));
      ids.appended(records.map((r) => r.id));
    } else {
      const result = await this.committing(signal, () => this.state.table.mergeInsert(ID_COLUMN).whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(rows));
      const heldSet = new Set(held);
      const added = records.map((r) => r.id).filter((id) => !heldSet.has(id));
      // Every id thought held was updated, every other one inserted; anything else (an id whose
      // fingerprint matched another's) and the lookup is read again.
      if (result.numInsertedRows === added.length && result.numUpdatedRows === held.length) {
        ids.moved(added, [], await this.rowCount());
      } else ids.forget();
    }
    this.committed(records.length);
  }

  /** One delete per chunk of ids the lookup may hold (none: no engine call); when every caller has left, the chunks not begun are not deleted. */
  async deleteGroup(idLists: string[][], signal: AbortSignal | undefined): Promise<void> {
    const ids = await this.lookup(signal);
    const held = [...new Set(idLists.flat())].filter((id) => ids.mayHold(id));
    let deleted = 0;
    let done = 0;
    try {
      for (let i = 0; i < held.length; i += ID_CHUNK) {
        const chunk = held.slice(i, i + ID_CHUNK);
        deleted += (await this.committing(signal, () => this.state.table.delete(idInPredicate(chunk)))).numDeletedRows;
        done += chunk.length;
      }
    } finally {
      if (done > 0) {
        if (deleted === done) ids.moved([], held.slice(0, done), await this.rowCount());
        else ids.forget();
        this.committed(deleted);
      }
    }
  }

  afterCommits(): Promise<void> {
    return this.hooks.afterCommits();
  }

  toError(cause: unknown): Error {
    return toDomainError(cause, { collection: this.state.entry.name });
  }

  /** Which of `ids` are stored: read through the id lookup, so rows it knows are found without a scan. */
  async existingIds(ids: readonly string[], signal?: AbortSignal): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.state.ids.find(this.state.table, ids, [ID_COLUMN], this.reader(signal));
    return new Set(rows.map(rowId));
  }

  /** The collection's id lookup, read from the table first when it is not in memory. */
  private async lookup(signal: AbortSignal | undefined): Promise<LanceIdLookup> {
    if (!this.state.ids.ready) await this.state.ids.load(this.state.table, this.reader(signal));
    return this.state.ids;
  }

  private reader(signal: AbortSignal | undefined): ReadStep {
    const step = { collection: this.state.entry.name, kind: 'exists' } as const;
    return (run) => this.state.activity.read(step, signal, run);
  }

  /** Bookkeeping after a commit: runs to its end whoever is still waiting. */
  private rowCount(): Promise<number> {
    return this.reader(undefined)(() => this.state.table.countRows());
  }

  /** A data commit: if it fails once begun, whether it landed is unknown, so the id lookup starts over. */
  private async committing<T>(signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
    let begun = false;
    try {
      return await this.step(signal, () => {
        begun = true;
        return run();
      });
    } catch (cause) {
      if (begun) this.state.ids.forget();
      throw cause;
    }
  }

  /**
   * Schema evolution before the data commit: new filterable leaves get their typed columns
   * (null for older rows), and hitting the column bound is recorded first, so a concurrent
   * search never folds a filter on an unrecorded key to "no match".
   */
  private async prepare(parts: readonly (readonly WriteRecord[])[], signal: AbortSignal | undefined): Promise<LeafColumns[]> {
    const leaves = parts.map((records) => leafColumns(records.map((r) => r.metadata)));
    const records = parts.flat();
    const { add: typed, overflow } = missingTypedColumns(leaves, this.state.columns);
    // Tables created before texts existed lack the column; bound collections (the only ones taking texts) are newer, but a text is never dropped.
    const add = [...typed.map(typedField), ...(records.some((r) => r.text !== undefined) && !this.state.columns.has(TEXT_COLUMN) ? [textField()] : [])];
    if (overflow && !this.state.entry.filterOverflow) {
      const entry = { ...this.state.entry, filterOverflow: true };
      await this.hooks.persist(entry);
      this.state.entry = entry;
    }
    if (add.length > 0) {
      await this.step(signal, () => this.state.table.addColumns(add));
      this.state.schema = await this.state.table.schema();
      this.state.columns = new Set(this.state.schema.fields.map((f) => f.name));
    }
    // Rows outside the full-text index are not searched right (lance-text-search.ts): the next text search folds them in first.
    if (records.some((r) => r.text !== undefined)) this.state.textStale = true;
    return leaves;
  }

  /** A data or schema change: not begun once every caller has left, finished once begun. */
  private step<T>(signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
    return this.state.activity.write({ collection: this.state.entry.name, kind: 'write' }, signal, run);
  }

  /** After a data commit that wrote (or deleted) `rows` rows: updatedAt moves, compaction bookkeeping. */
  private committed(rows: number): void {
    const { entry } = this.state;
    this.state.entry = { ...entry, updatedAt: Math.max(Date.now(), entry.updatedAt + 1) };
    this.state.commitsSinceOptimize += 1;
    this.state.rowsSinceOptimize += rows;
  }
}
