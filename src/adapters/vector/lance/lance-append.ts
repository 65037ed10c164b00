import type { Table } from '@lancedb/lancedb';
import { RecordBatchFileWriter, type Table as ArrowTable } from 'apache-arrow';

/** The native table behind LanceDB's `Table` (its `inner`): `add` takes an Arrow IPC file. */
interface NativeAppend {
  add(ipcFile: Buffer, mode: string): Promise<unknown>;
}

/**
 * Appends Arrow rows to a Lance table. LanceDB 0.31's `Table.add(arrowTable)` asks the engine for
 * the table's schema, serializes the rows to an Arrow IPC file and then copies that file once
 * more (`Buffer.from`) before handing it to the native table. For a 1,000 × 384 batch the second
 * copy and the schema round trip cost a millisecond of the event loop and 1.5 MB of garbage
 * whose collection cost more (BENCHMARKS.md, "Ingest: the collector"); here the IPC file is
 * written once and handed over as it is. The rows are already in the table's schema
 * (lance-arrow-rows.ts), which is all the schema round trip was for.
 *
 * `inner` is LanceDB's own field, not its API: lance-append.test.ts fails if a LanceDB upgrade
 * removes it, and the public `add` is used when the field is not there.
 */
export async function appendRows(table: Table, rows: ArrowTable): Promise<void> {
  const native = (table as unknown as { inner?: Partial<NativeAppend> }).inner;
  if (typeof native?.add !== 'function') {
    await table.add(rows);
    return;
  }
  const ipc = RecordBatchFileWriter.writeAll(rows).toUint8Array(true);
  await (native as NativeAppend).add(Buffer.from(ipc.buffer, ipc.byteOffset, ipc.byteLength), 'append');
}
