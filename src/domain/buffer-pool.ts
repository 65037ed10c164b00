export interface BufferPoolLimits {
  /** Buffers kept for reuse, at most. */
  keep: number;
  /** Larger buffers are dropped after use: a rare 60 MB write must not keep 60 MB resident. */
  keepMaxBytes: number;
  /** Smallest buffer made, so a run of small uses shares a few buffers instead of making one each. */
  minBytes: number;
}

/**
 * Large buffers reused instead of allocated per call. V8 counts every ArrayBuffer's bytes as
 * external memory and runs a young-generation collection each time 32 MB of it has been
 * allocated, whatever the heap's own use; at 1.5 MB per 1,000 × 384 batch, the buffers made per
 * Insert set that pace (BENCHMARKS.md, "Ingest: the collector"). A buffer is taken for one use
 * and given back once nothing reads it any more; uses at the same time each take their own.
 * Sizes are powers of two, so a buffer given back fits the next call of about the same size.
 */
export class BufferPool<B extends { readonly byteLength: number }> {
  private readonly free: B[] = [];

  constructor(
    private readonly make: (bytes: number) => B,
    private readonly limits: BufferPoolLimits,
  ) {}

  /** A buffer of at least `bytes` bytes, to be given back with `give`. */
  take(bytes: number): B {
    const at = this.free.findIndex((b) => b.byteLength >= bytes);
    if (at >= 0) return this.free.splice(at, 1)[0]!;
    return this.make(Math.max(this.limits.minBytes, 2 ** Math.ceil(Math.log2(Math.max(1, bytes)))));
  }

  /** Back for reuse (its contents are garbage from now on), unless too large or enough are kept. */
  give(buffer: B): void {
    if (buffer.byteLength > this.limits.keepMaxBytes) return;
    if (this.free.length < this.limits.keep) {
      this.free.push(buffer);
      return;
    }
    // Keep the largest ones: a small buffer is cheap to make again.
    const smallest = this.free.reduce((min, b, i) => (b.byteLength < this.free[min]!.byteLength ? i : min), 0);
    if (this.free[smallest]!.byteLength < buffer.byteLength) this.free[smallest] = buffer;
  }

  /** Buffers kept, for tests. */
  get kept(): number {
    return this.free.length;
  }
}
