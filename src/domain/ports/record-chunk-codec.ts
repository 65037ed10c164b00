import type { VectorRecord } from '../vector/vector-types';

/**
 * How one chunk of a snapshot's records becomes bytes and back (src/adapters/snapshot: an Arrow IPC
 * stream). The domain frames, checksums and checks the records; the codec only translates, and
 * `decode` throws (any Error) on bytes it cannot read, which the domain reports as INVALID_ARGUMENT
 * naming the chunk. Vectors travel as float32, so a record reads back bit for bit.
 */
export interface RecordChunkCodec {
  /** The name and version written into a snapshot's header (`chunk_format`). */
  readonly format: string;
  encode(records: readonly VectorRecord[], dimension: number): Uint8Array;
  decode(payload: Uint8Array, dimension: number): VectorRecord[];
}
