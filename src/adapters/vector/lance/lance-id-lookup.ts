import type { Table } from '@lancedb/lancedb';
import { ID_COLUMN, rowId, type LanceRow } from './lance-arrow-rows';
import { idInPredicate } from './lance-filter-compiler';
import { IdFingerprints } from './lance-id-fingerprints';

/** Ids per engine call: large enough to be one step, small enough to keep SQL text modest. */
export const ID_CHUNK = 4096;

/** Rows followed by position after the last id-index update; past it, lookups of newer rows use the engine's scan. */
const TAIL_MAX = 100_000;

/** Runs one engine read (the caller's cancellation and step counting wrap it). */
export type ReadStep = <T>(run: () => Promise<T>) => Promise<T>;

/**
 * Finding rows by id without scanning the table (issue 12). LanceDB answers `id IN (...)` from
 * the id BTREE for the rows it covers, but scans every row written since the BTREE was last
 * updated (background optimize, every 64 commits), and on Lance 0.31 compares each such row with
 * every id of the list: Insert's existence check was most of ingest time. So the adapter keeps:
 *
 * - the ids in memory (IdFingerprints: 16–32 bytes per id), read once per process, in the write
 *   queue, at the first write (or in the background after the first read); every commit updates
 *   them, an uncertain outcome (an engine error, counts that do not add up) drops them until the
 *   next write reads them again. An id they do not hold is not stored, with no engine call.
 * - the position (logical offset, which LanceDB's takeOffsets reads directly) of every row
 *   appended since the id BTREE was last brought up to date, as long as only appends happened
 *   since: a delete or an update moves later rows up, so the positions start over after one.
 *
 * A lookup then reads rows it knows the position of with takeOffsets, the others with the BTREE
 * alone (fastSearch: no scan of uncovered rows), and only ids neither found, which must be rows
 * written before a restart or a delete and not yet covered by the BTREE, with the ordinary
 * filtered read. Every row read is checked to be the id asked for, so a wrong position costs a
 * slower path, never a wrong answer.
 */
export class LanceIdLookup {
  private prints: IdFingerprints | null = null;
  /** Offset of the first tail row, and each tail row's offset; null while positions are unknown. */
  private tail: { base: number; offsets: Map<string, number> } | null = null;

  /** The ids are in memory: absent ids can be told without the engine. */
  get ready(): boolean {
    return this.prints !== null;
  }

  /** Memory held for the ids (diagnostics, BENCHMARKS.md). */
  get bytes(): number {
    return this.prints?.bytes ?? 0;
  }

  /**
   * Reads every id of the table (the id column only). Must run in the write queue, so no commit
   * lands between the read and the first update.
   */
  async load(table: Table, read: ReadStep): Promise<void> {
    const rows = await read(() => table.countRows());
    const prints = new IdFingerprints(rows);
    await read(async () => {
      for await (const batch of table.query().select([ID_COLUMN])) {
        const ids = batch.getChild(ID_COLUMN);
        if (ids === null) continue;
        for (let i = 0; i < ids.length; i += 1) prints.add(String(ids.get(i)));
      }
    });
    this.prints = prints;
    // Rows not yet in the BTREE from before this load have no known position; they fall back.
    this.tail = { base: prints.size, offsets: new Map() };
  }

  /** False only when the id is certainly not stored (requires `ready`). */
  mayHold(id: string): boolean {
    return this.prints === null || this.prints.has(id);
  }

  /** After an `add` of `ids`, in this order, at the end of the table. */
  appended(ids: readonly string[]): void {
    if (this.prints !== null) for (const id of ids) this.prints.add(id);
    const { tail } = this;
    if (tail === null) return;
    if (tail.offsets.size + ids.length > TAIL_MAX) {
      this.tail = null;
      return;
    }
    let next = tail.base + tail.offsets.size;
    for (const id of ids) tail.offsets.set(id, next++);
  }

  /** After a write that moved rows (delete, update): `added` are new ids, `rows` the table's row count now. */
  moved(added: readonly string[], removed: readonly string[], rows: number): void {
    if (this.prints !== null) {
      for (const id of added) this.prints.add(id);
      for (const id of removed) this.prints.remove(id);
    }
    // Positions of rows since the BTREE update shifted; rows written from now on get new ones.
    this.tail = { base: rows, offsets: new Map() };
  }

  /** The BTREE now covers every row (after an optimize): positions start over. */
  indexed(rows: number): void {
    this.tail = { base: rows, offsets: new Map() };
  }

  /** A write whose outcome is unknown: forget everything until the next load. */
  forget(): void {
    this.prints = null;
    this.tail = null;
  }

  /** The stored rows among `ids` with `columns` (which must include the id), in no particular order. */
  async find(table: Table, ids: readonly string[], columns: readonly string[], read: ReadStep): Promise<LanceRow[]> {
    const wanted = new Set(ids.filter((id) => this.mayHold(id)));
    const found: LanceRow[] = [];
    const keep = (rows: LanceRow[]): void => {
      for (const row of rows) {
        const id = rowId(row);
        if (!wanted.delete(id)) continue;
        found.push(row);
      }
    };

    const tail = this.tail;
    if (tail !== null) {
      const positioned = [...wanted].filter((id) => tail.offsets.has(id));
      for (let i = 0; i < positioned.length; i += ID_CHUNK) {
        const offsets = positioned.slice(i, i + ID_CHUNK).map((id) => tail.offsets.get(id)!);
        const rows = (await read(() => table.takeOffsets(offsets).select([...columns]).toArray())) as LanceRow[];
        const before = wanted.size;
        keep(rows);
        // A row that is not the one expected there: positions are stale, stop trusting them.
        if (before - wanted.size !== offsets.length && this.tail === tail) this.tail = null;
      }
    }
    for (const fast of [true, false]) {
      const rest = [...wanted];
      for (let i = 0; i < rest.length; i += ID_CHUNK) {
        const where = idInPredicate(rest.slice(i, i + ID_CHUNK));
        keep((await read(() => (fast ? table.query().where(where).select([...columns]).fastSearch() : table.query().where(where).select([...columns])).toArray())) as LanceRow[]);
      }
    }
    return found;
  }
}
