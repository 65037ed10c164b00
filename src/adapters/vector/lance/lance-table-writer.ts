import type { Scalar, VectorRecord } from '../../../domain';
import { errors } from '../../../errors';
import { ID_COLUMN, buildRows, typedField } from './lance-arrow-rows';
import type { CatalogEntry } from './lance-catalog';
import type { CollectionState } from './lance-collection-state';
import { toDomainError } from './lance-errors';
import { idInPredicate } from './lance-filter-compiler';
import { missingTypedColumns, scalarLeaves } from './lance-metadata-columns';
import type { WriteExecutor } from './lance-write-queue';

export interface WriterHooks {
  /** Persists a changed catalog entry (durably, before data relying on it is committed). */
  persist(entry: CatalogEntry): Promise<void>;
  afterCommits(): Promise<void>;
}

/** Ids per `IN (...)` predicate: large enough to be one scan, small enough to keep SQL text modest. */
const ID_CHUNK = 4096;

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
   * and the accepted ones are committed together by one `add`.
   */
  async insertGroup(batches: VectorRecord[][], signal: AbortSignal | undefined): Promise<(Error | undefined)[]> {
    const existing = await this.existingIds([...new Set(batches.flatMap((b) => b.map((r) => r.id)))], signal);
    const accepted: VectorRecord[] = [];
    const outcomes = batches.map((batch): Error | undefined => {
      const taken = batch.filter((r) => existing.has(r.id)).map((r) => r.id);
      if (taken.length > 0) return errors.vectorsExist(this.state.entry.name, taken);
      batch.forEach((r) => existing.add(r.id));
      accepted.push(...batch);
      return undefined;
    });
    if (accepted.length > 0) {
      const leaves = await this.prepare(accepted, signal);
      await this.step(signal, () => this.state.table.add(buildRows(this.state.schema, accepted, leaves)));
      this.committed();
    }
    return outcomes;
  }

  /** One mergeInsert on id; for an id written twice in the group the later write wins. */
  async upsertGroup(batches: VectorRecord[][], signal: AbortSignal | undefined): Promise<void> {
    const latest = new Map<string, VectorRecord>();
    for (const record of batches.flat()) {
      latest.delete(record.id);
      latest.set(record.id, record);
    }
    const records = [...latest.values()];
    const leaves = await this.prepare(records, signal);
    await this.step(signal, () =>
      this.state.table.mergeInsert(ID_COLUMN).whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(buildRows(this.state.schema, records, leaves)),
    );
    this.committed();
  }

  /** One delete per chunk of ids; when every caller has left, the chunks not begun are not deleted. */
  async deleteGroup(idLists: string[][], signal: AbortSignal | undefined): Promise<void> {
    const ids = [...new Set(idLists.flat())];
    let deleted = false;
    try {
      for (let i = 0; i < ids.length; i += ID_CHUNK) {
        const chunk = ids.slice(i, i + ID_CHUNK);
        await this.step(signal, () => this.state.table.delete(idInPredicate(chunk)));
        deleted = true;
      }
    } finally {
      if (deleted) this.committed();
    }
  }

  afterCommits(): Promise<void> {
    return this.hooks.afterCommits();
  }

  toError(cause: unknown): Error {
    return toDomainError(cause, { collection: this.state.entry.name });
  }

  async existingIds(ids: readonly string[], signal?: AbortSignal): Promise<Set<string>> {
    const found = new Set<string>();
    const step = { collection: this.state.entry.name, kind: 'exists' } as const;
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      const chunk = ids.slice(i, i + ID_CHUNK);
      const rows = await this.state.activity.read(step, signal, () => this.state.table.query().where(idInPredicate(chunk)).select([ID_COLUMN]).toArray());
      rows.forEach((row: Record<string, unknown>) => found.add(String(row[ID_COLUMN])));
    }
    return found;
  }

  /**
   * Schema evolution before the data commit: new filterable leaves get their typed columns
   * (null for older rows), and hitting the column bound is recorded first, so a concurrent
   * search never folds a filter on an unrecorded key to "no match".
   */
  private async prepare(records: readonly VectorRecord[], signal: AbortSignal | undefined): Promise<Map<string, Scalar>[]> {
    const leaves = records.map((r) => scalarLeaves(r.metadata));
    const { add, overflow } = missingTypedColumns(leaves, this.state.columns);
    if (overflow && !this.state.entry.filterOverflow) {
      const entry = { ...this.state.entry, filterOverflow: true };
      await this.hooks.persist(entry);
      this.state.entry = entry;
    }
    if (add.length > 0) {
      await this.step(signal, () => this.state.table.addColumns(add.map(typedField)));
      this.state.schema = await this.state.table.schema();
      this.state.columns = new Set(this.state.schema.fields.map((f) => f.name));
    }
    return leaves;
  }

  /** A data or schema change: not begun once every caller has left, finished once begun. */
  private step<T>(signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
    return this.state.activity.write({ collection: this.state.entry.name, kind: 'write' }, signal, run);
  }

  private committed(): void {
    const { entry } = this.state;
    this.state.entry = { ...entry, updatedAt: Math.max(Date.now(), entry.updatedAt + 1) };
    this.state.commitsSinceOptimize += 1;
  }
}
