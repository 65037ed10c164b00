import type { Table } from '@lancedb/lancedb';
import { AsyncByteQueue, RecordBatchFileWriter, type Table as ArrowTable } from 'apache-arrow';
import { IpcBuffers } from './lance-ipc-buffers';

/** The native table behind LanceDB's `Table` (its `inner`): `add` takes an Arrow IPC file. */
interface NativeAppend {
  add(ipcFile: Buffer, mode: string): Promise<unknown>;
}

/**
 * The IPC writer's pieces as it writes them, instead of its queue: they are views of the rows'
 * own buffers (the vectors, the id and metadata columns) plus the file's small metadata blocks,
 * copied once into a buffer that appends reuse.
 */
class IpcPieces extends AsyncByteQueue {
  readonly pieces: Uint8Array[] = [];
  bytes = 0;

  override write(value: Uint8Array): void {
    if (value.byteLength === 0) return;
    this.pieces.push(value);
    this.bytes += value.byteLength;
  }
}

const buffers = new IpcBuffers();

/**
 * Appends Arrow rows to a Lance table. LanceDB 0.31's `Table.add(arrowTable)` asks the engine for
 * the table's schema, serializes the rows to an Arrow IPC file and then copies that file once
 * more (`Buffer.from`) before handing it to the native table. For a 1,000 × 384 batch the second
 * copy and the schema round trip cost a millisecond of the event loop and 1.5 MB of garbage
 * whose collection cost more (BENCHMARKS.md, "Ingest: the collector"); here the IPC file is
 * written once, into a buffer taken from `IpcBuffers` and given back when the native `add` has
 * resolved (it copies the file into its own memory, `buf.to_vec()`, before it reads a byte, and
 * holds the JavaScript buffer only until then), so a steady stream of appends allocates no new
 * 1.5 MB buffer per batch for the collector to chase. The rows are already in the table's schema
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
  const sink = new IpcPieces();
  const writer = new RecordBatchFileWriter();
  writer.reset(sink);
  writer.writeAll(rows);
  const file = buffers.take(sink.bytes);
  let at = 0;
  for (const piece of sink.pieces) {
    file.set(piece, at);
    at += piece.byteLength;
  }
  try {
    await (native as NativeAppend).add(file.subarray(0, at), 'append');
  } finally {
    buffers.give(file);
  }
}
