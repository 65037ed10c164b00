import { UpdatedAtTracker } from '../../src/adapters/vector/milvus/milvus-updated-at';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('updated_at for data writes on Milvus', () => {
  it('moves at once on this replica, strictly, and past a creation time from a clock ahead of ours', () => {
    const saved: [string, number][] = [];
    const tracker = new UpdatedAtTracker(async (name, at) => void saved.push([name, at]), quiet, 60_000);
    const milvusCreatedAt = Date.now() + 3_600_000;
    expect(tracker.merge('c', milvusCreatedAt, milvusCreatedAt)).toBe(milvusCreatedAt);
    const first = tracker.touch('c');
    const second = tracker.touch('c');
    expect(first).toBeGreaterThan(milvusCreatedAt);
    expect(second).toBeGreaterThan(first);
    expect(tracker.merge('c', milvusCreatedAt, milvusCreatedAt)).toBe(second);
    expect(saved).toEqual([]);
    tracker.forget('c');
  });

  it('takes a later stored value from another replica, and drops values of a dropped namesake', () => {
    const tracker = new UpdatedAtTracker(async () => undefined, quiet, 60_000);
    tracker.merge('c', 1_000, 1_000);
    const mine = tracker.touch('c', false);
    expect(tracker.merge('c', 1_000, mine + 500)).toBe(mine + 500);
    // Re-created elsewhere: a new creation time, so this replica's value no longer applies.
    expect(tracker.merge('c', 2_000, 2_000)).toBe(2_000);
  });

  it('writes each collection at most once per period, and everything pending on flush', async () => {
    const saved: [string, number][] = [];
    const tracker = new UpdatedAtTracker(async (name, at) => void saved.push([name, at]), quiet, 60_000);
    tracker.touch('a');
    tracker.touch('a');
    const last = tracker.touch('a');
    tracker.touch('b', false);
    await tracker.flush();
    expect(saved).toEqual([['a', last]]);
    await tracker.flush();
    expect(saved).toHaveLength(1);
  });

  it('only logs a failed write: the next change retries', async () => {
    const warnings: object[] = [];
    const tracker = new UpdatedAtTracker(async () => Promise.reject(new Error('milvus away')), { ...quiet, warn: (o) => void warnings.push(o) }, 60_000);
    tracker.touch('a');
    await expect(tracker.flush()).resolves.toBeUndefined();
    expect(warnings).toHaveLength(1);
  });
});
