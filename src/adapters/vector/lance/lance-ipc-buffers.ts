/** Buffers kept for reuse, at most; one per append that can run at once in practice (a few collections writing). */
const KEEP = 4;
/** Larger files get a buffer of their own, dropped after use: a rare 60 MB write must not stay resident. */
const KEEP_MAX_BYTES = 8 * 1024 * 1024;
/** Smallest buffer made, so a collection's first small appends do not each make a slightly larger one. */
const MIN_BYTES = 64 * 1024;

/**
 * Buffers for the Arrow IPC files of appends (lance-append.ts), reused instead of allocated per
 * append. V8 counts every ArrayBuffer's bytes as external memory and runs a young-generation
 * collection each time 32 MB of it has been allocated, whatever the heap's own use; at 1.5 MB
 * per 1,000 × 384 batch the IPC file was one of the three buffers per Insert that set that pace
 * (BENCHMARKS.md, "Ingest: the collector"). A buffer is taken for one append and given back once
 * the engine is done with it; several appends at once each take their own.
 */
export class IpcBuffers {
  private readonly free: Buffer[] = [];

  /** A buffer of at least `bytes` bytes, to be given back with `give`. */
  take(bytes: number): Buffer {
    const at = this.free.findIndex((b) => b.byteLength >= bytes);
    if (at >= 0) return this.free.splice(at, 1)[0]!;
    return Buffer.allocUnsafeSlow(Math.max(MIN_BYTES, 2 ** Math.ceil(Math.log2(Math.max(1, bytes)))));
  }

  /** Back for reuse (its contents are garbage from now on), unless too large or enough are kept. */
  give(buffer: Buffer): void {
    if (buffer.byteLength > KEEP_MAX_BYTES) return;
    if (this.free.length < KEEP) {
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
