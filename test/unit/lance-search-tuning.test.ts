import { defaultEf, searchTuning } from '../../src/adapters/vector/lance/lance-index-mapping';
import type { IndexSpec } from '../../src/domain';

const hnsw = (params: Record<string, unknown> = {}): IndexSpec => ({ indexType: 'HNSW', metricType: 'COSINE', params });

describe('HNSW search width', () => {
  it('is 100 up to 100,000 rows, then 100 more per tenfold growth, at most 1,000', () => {
    expect([0, 1, 50_000, 100_000].map(defaultEf)).toEqual([100, 100, 100, 100]);
    expect(defaultEf(1_000_000)).toBe(200);
    expect(defaultEf(10_000_000)).toBe(300);
    expect(defaultEf(316_228)).toBe(150);
    expect(defaultEf(1e30)).toBe(1_000);
  });

  it('never shrinks as a table grows', () => {
    let last = 0;
    for (let rows = 0; rows <= 20_000_000; rows += 97_331) {
      expect(defaultEf(rows)).toBeGreaterThanOrEqual(last);
      last = defaultEf(rows);
    }
  });

  it("follows the table's rows unless the index declares ef, and stays at least twice the rows asked", () => {
    expect(searchTuning(hnsw(), 'hnsw', 11, 1_000_000)).toEqual({ ef: 200, nprobes: undefined, refineFactor: 2 });
    expect(searchTuning(hnsw({ ef: 64 }), 'hnsw', 11, 1_000_000).ef).toBe(64);
    expect(searchTuning(hnsw(), 'hnsw', 300, 1_000)).toMatchObject({ ef: 600 });
  });
});
