import type { Version } from '@lancedb/lancedb';
import { pruneCutoff } from '../../src/adapters/vector/lance/lance-maintenance';

/** Which versions a prune may remove (lance-maintenance.ts pruneCutoff): created at `ages` ms before now. */
function cutoffAge(ages: number[], graceMs = 10_000): number | null {
  const now = 1_000_000_000;
  const versions = ages.map((age, i) => ({ version: i + 1, timestamp: new Date(now - age), metadata: {} }) as Version);
  const cutoff = pruneCutoff(versions, now, graceMs);
  return cutoff === null ? null : now - cutoff.getTime();
}

describe('version pruning cutoff', () => {
  it('keeps the version a recent one superseded, and one second before it, for the searches still reading them', () => {
    // Superseded 12 s and 11 s ago (may go); v3 was superseded 5 s ago by v4 (stays).
    expect(cutoffAge([30_000, 12_000, 11_000, 5_000, 1_000])).toBe(12_000);
  });

  it('with no version younger than the grace, keeps the latest (and what is within a second of it)', () => {
    expect(cutoffAge([60_000, 40_000, 20_000])).toBe(21_000);
  });

  it('prunes nothing when nothing lies before the cutoff', () => {
    expect(cutoffAge([8_000, 5_000, 1_000])).toBeNull();
    expect(cutoffAge([20_000, 19_500, 5_000])).toBeNull();
    expect(cutoffAge([20_000])).toBeNull();
    expect(cutoffAge([])).toBeNull();
  });

  it('follows the grace it is given', () => {
    expect(cutoffAge([30_000, 12_000, 11_000, 5_000, 1_000], 2_000)).toBe(6_000);
  });
});
