import { IpcBuffers } from '../../src/adapters/vector/lance/lance-ipc-buffers';

describe('IpcBuffers: the IPC files of appends reuse their buffers', () => {
  it('gives back a buffer given to it, when large enough, instead of making one', () => {
    const pool = new IpcBuffers();
    const first = pool.take(1_500_000);
    expect(first.byteLength).toBeGreaterThanOrEqual(1_500_000);
    pool.give(first);
    expect(pool.take(1_400_000)).toBe(first);
    expect(pool.kept).toBe(0);
  });

  it('makes a new buffer while the kept ones are too small or taken', () => {
    const pool = new IpcBuffers();
    const small = pool.take(10);
    pool.give(small);
    const large = pool.take(small.byteLength + 1);
    expect(large).not.toBe(small);
    expect(pool.kept).toBe(1);
    const a = pool.take(100);
    const b = pool.take(100);
    expect(a).toBe(small);
    expect(b).not.toBe(a);
  });

  it('keeps at most four, the largest, and never one over 8 MiB', () => {
    const pool = new IpcBuffers();
    const sizes = [64 * 1024, 128 * 1024, 256 * 1024, 512 * 1024, 1024 * 1024];
    const taken = sizes.map((s) => pool.take(s));
    taken.forEach((b) => pool.give(b));
    expect(pool.kept).toBe(4);
    // The 64 KiB one made room for the 1 MiB one.
    expect(pool.take(900 * 1024)).toBe(taken[4]);
    const huge = pool.take(9 * 1024 * 1024);
    pool.give(huge);
    expect(pool.kept).toBe(3);
  });
});
