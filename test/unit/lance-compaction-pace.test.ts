import { LanceMaintenance } from '../../src/adapters/vector/lance/lance-maintenance';
import type { CollectionState } from '../../src/adapters/vector/lance/lance-collection-state';

/** When background compaction runs (lance-maintenance.ts optimizeDue): a pure decision on the collection's counters. */
function due(counters: { commits: number; written: number; rows: number; indexed?: boolean }): boolean {
  const state = { commitsSinceOptimize: counters.commits, rowsSinceOptimize: counters.written, rowsAtOptimize: counters.rows, engineIndex: counters.indexed ?? false } as CollectionState;
  return new LanceMaintenance(state, async () => undefined, { indexMinRows: 5000, compactEveryCommits: 64, pruneGraceMs: 10_000 }).optimizeDue();
}

describe('background compaction pace', () => {
  it('never before compactEveryCommits commits', () => {
    expect(due({ commits: 63, written: 10_000_000, rows: 0 })).toBe(false);
  });

  it('every compactEveryCommits commits while the table is small (a rewrite costs little)', () => {
    expect(due({ commits: 64, written: 64, rows: 60_000 })).toBe(true);
  });

  it('on a large table, once the commits since wrote as many rows as it held (a quarter with a vector index)', () => {
    expect(due({ commits: 64, written: 64_000, rows: 500_000 })).toBe(false);
    expect(due({ commits: 500, written: 499_999, rows: 500_000 })).toBe(false);
    expect(due({ commits: 500, written: 500_000, rows: 500_000 })).toBe(true);
    expect(due({ commits: 125, written: 124_999, rows: 500_000, indexed: true })).toBe(false);
    expect(due({ commits: 125, written: 125_000, rows: 500_000, indexed: true })).toBe(true);
  });

  it('and in any case after 16 × compactEveryCommits commits, so a trickle of small writes leaves a bounded number of fragments', () => {
    expect(due({ commits: 1023, written: 1023, rows: 2_000_000 })).toBe(false);
    expect(due({ commits: 1024, written: 1024, rows: 2_000_000 })).toBe(true);
  });

  it('a due rewrite of a large table without a vector index may wait for the writes to pause; others never wait', () => {
    const mayWait = (counters: { commits: number; rows: number; indexed?: boolean }): boolean => {
      const state = { commitsSinceOptimize: counters.commits, rowsSinceOptimize: 0, rowsAtOptimize: counters.rows, engineIndex: counters.indexed ?? false } as CollectionState;
      return new LanceMaintenance(state, async () => undefined, { indexMinRows: 5000, compactEveryCommits: 64, pruneGraceMs: 10_000 }).optimizeMayWait();
    };
    expect(mayWait({ commits: 500, rows: 500_000 })).toBe(true);
    expect(mayWait({ commits: 500, rows: 60_000 })).toBe(false);
    expect(mayWait({ commits: 125, rows: 500_000, indexed: true })).toBe(false);
    expect(mayWait({ commits: 1024, rows: 500_000 })).toBe(false);
  });

  it('loading a million rows in batches of 1,000 rewrites about a million rows, not 7.7 million', () => {
    let rows = 0;
    let rewritten = 0;
    let counters = { commits: 0, written: 0, rows: 0 };
    for (let batch = 0; batch < 1000; batch += 1) {
      rows += 1000;
      counters = { ...counters, commits: counters.commits + 1, written: counters.written + 1000 };
      if (due(counters)) {
        // LanceDB rewrites every fragment below a million rows with the new ones.
        rewritten += Math.min(rows, 1_048_576);
        counters = { commits: 0, written: 0, rows };
      }
    }
    expect(rewritten).toBeLessThan(1_100_000);
  });
});
