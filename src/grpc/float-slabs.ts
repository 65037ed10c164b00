import { BufferPool } from '../domain';

/**
 * Float32 slabs that decoded Insert and Upsert requests hold their vectors in
 * (vector-request-decoding.ts): one kept per request in flight for a client sending a few at a
 * time, none over 8 MiB (2 M floats). A 1,000 × 384 batch's vectors are 1.5 MB, one of the large
 * buffers per Insert that set the collector's pace (buffer-pool.ts). A slab goes back only when no
 * store can still read it (`writingFrom`).
 */
export class FloatSlabs extends BufferPool<Float32Array> {
  constructor() {
    super((bytes) => new Float32Array(bytes / 4), { keep: 4, keepMaxBytes: 8 * 1024 * 1024, minBytes: 64 * 1024 });
  }

  /** A slab of at least `floats` floats. */
  takeFloats(floats: number): Float32Array {
    return this.take(floats * 4);
  }
}
