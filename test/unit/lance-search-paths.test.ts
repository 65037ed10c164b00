import type { Table } from '@lancedb/lancedb';
import { LanceActivity } from '../../src/adapters/vector/lance/lance-activity';
import { baseSchema } from '../../src/adapters/vector/lance/lance-arrow-rows';
import type { CatalogEntry } from '../../src/adapters/vector/lance/lance-catalog';
import type { CollectionState } from '../../src/adapters/vector/lance/lance-collection-state';
import { EXACT_MATCH_LIMIT } from '../../src/adapters/vector/lance/lance-few-matches';
import { LanceIdLookup } from '../../src/adapters/vector/lance/lance-id-lookup';
import { typedColumnName } from '../../src/adapters/vector/lance/lance-metadata-columns';
import { searchCollection } from '../../src/adapters/vector/lance/lance-reader';
import { parseFilter, type SearchQuery } from '../../src/domain';

/**
 * Which engine calls a search makes (issue 12): a scripted stand-in for the Lance table records
 * them. Real LanceDB answers are covered by test/integration/lance-store.test.ts; what these
 * cases pin down is the decision, which a real engine only shows by timing.
 */
interface Call {
  kind: 'vectorSearch' | 'query' | 'countRows';
  where?: string;
  exact?: boolean;
  limit?: number;
}

interface Script {
  /** Rows a vector search returns (whatever the limit: an index that answers short). */
  annRows: Record<string, unknown>[];
  /** What countRows answers for any filter. */
  matches: number;
  /** Rows a filtered read returns. */
  readRows: Record<string, unknown>[];
}

function fakeTable(script: Script, calls: Call[]): Table {
  const vectorQuery = (call: Call) => {
    const q = {
      column: () => q,
      distanceType: () => q,
      limit: (n: number) => ((call.limit = n), q),
      select: () => q,
      where: (w: string) => ((call.where = w), q),
      bypassVectorIndex: () => ((call.exact = true), q),
      ef: () => q,
      nprobes: () => q,
      refineFactor: () => q,
      toArray: async () => script.annRows.slice(0, call.limit),
    };
    return q;
  };
  const plainQuery = (call: Call) => {
    const q = { where: (w: string) => ((call.where = w), q), select: () => q, toArray: async () => script.readRows };
    return q;
  };
  return {
    vectorSearch: () => {
      const call: Call = { kind: 'vectorSearch', exact: false };
      calls.push(call);
      return vectorQuery(call);
    },
    query: () => {
      const call: Call = { kind: 'query' };
      calls.push(call);
      return plainQuery(call);
    },
    countRows: async (where?: string) => {
      calls.push({ kind: 'countRows', where });
      return script.matches;
    },
  } as unknown as Table;
}

const TAG = typedColumnName(['tag'], 'string');

function state(table: Table, indexed: boolean): CollectionState {
  const entry: CatalogEntry = {
    format: 1,
    name: 'c',
    tableName: 'c_x',
    description: '',
    dimension: 2,
    metricType: 'COSINE',
    index: indexed ? { indexType: 'HNSW', metricType: 'COSINE', params: {} } : null,
    embedding: null,
    createdAt: 0,
    updatedAt: 0,
    filterOverflow: false,
    engineIndexRows: indexed ? 10_000 : null,
  };
  const schema = baseSchema(2);
  return { entry, table, schema, columns: new Set(['id', 'vector', 'metadata', TAG]), engineIndex: indexed, textIndex: false, textStale: false, commitsSinceOptimize: 0, rowsSinceOptimize: 0, rowsAtOptimize: 0, activity: new LanceActivity(), ids: new LanceIdLookup() };
}

const annRow = (id: string, distance: number) => ({ id, metadata: '{}', _distance: distance });
const readRow = (id: string, vector: number[]) => ({ id, metadata: '{"tag":"rare"}', vector });
const query = (filter: SearchQuery['filter'], topK = 10): SearchQuery => ({ vector: [1, 0], topK, includeVector: false, filter });

describe('an unfiltered search through an index', () => {
  it('answers with what the index returned, even short, and never repeats it as a full scan', async () => {
    const calls: Call[] = [];
    const script = { annRows: [annRow('a', 0), annRow('b', 0.1), annRow('c', 0.2)], matches: 0, readRows: [] };
    const hits = await searchCollection(state(fakeTable(script, calls), true), query(null), undefined);
    expect(hits.map((h) => h.id)).toEqual(['a', 'b', 'c']);
    expect(calls).toEqual([{ kind: 'vectorSearch', exact: false, limit: 11 }]);
  });

  it('counts nothing: the count is for filters', async () => {
    const calls: Call[] = [];
    const script = { annRows: Array.from({ length: 11 }, (_, i) => annRow(`r${i}`, i / 100)), matches: 0, readRows: [] };
    expect(await searchCollection(state(fakeTable(script, calls), true), query(null), undefined)).toHaveLength(10);
    expect(calls.map((c) => c.kind)).toEqual(['vectorSearch']);
  });
});

describe('a filtered search', () => {
  const rare = parseFilter({ tag: 'rare' });

  it('with few matches reads and scores them exactly: no vector search at all', async () => {
    const calls: Call[] = [];
    const script = { annRows: [], matches: 3, readRows: [readRow('x', [0, 1]), readRow('y', [1, 0]), readRow('z', [1, 1])] };
    const hits = await searchCollection(state(fakeTable(script, calls), true), query(rare), undefined);
    expect(hits.map((h) => h.id)).toEqual(['y', 'z', 'x']);
    expect(hits[1]!.score).toBeCloseTo(Math.SQRT1_2, 12);
    expect(calls.map((c) => c.kind)).toEqual(['countRows', 'query']);
    expect(calls[0]!.where).toBe(calls[1]!.where);
  });

  it('with many matches goes through the index with the filter as a prefilter, and a short answer stays short', async () => {
    const calls: Call[] = [];
    const script = { annRows: [annRow('a', 0), annRow('b', 0.5)], matches: EXACT_MATCH_LIMIT + 1, readRows: [] };
    const hits = await searchCollection(state(fakeTable(script, calls), true), query(rare), undefined);
    expect(hits.map((h) => h.id)).toEqual(['a', 'b']);
    expect(calls.map((c) => [c.kind, c.exact])).toEqual([
      ['countRows', undefined],
      ['vectorSearch', false],
    ]);
    expect(calls[1]!.where).toBe(calls[0]!.where);
  });

  it('matching nothing answers at once, after the count', async () => {
    const calls: Call[] = [];
    expect(await searchCollection(state(fakeTable({ annRows: [annRow('a', 0)], matches: 0, readRows: [] }, calls), true), query(rare), undefined)).toEqual([]);
    expect(calls.map((c) => c.kind)).toEqual(['countRows']);
  });

  it('asking for more than the limit of few rows is answered exactly up to topK matches', async () => {
    const calls: Call[] = [];
    const rows = Array.from({ length: 1024 }, (_, i) => readRow(`r${String(i).padStart(4, '0')}`, [1, i]));
    const hits = await searchCollection(state(fakeTable({ annRows: [], matches: 1024, readRows: rows }, calls), true), query(rare, 1024), undefined);
    expect(hits).toHaveLength(1024);
    expect(hits[0]!.id).toBe('r0000');
    expect(calls.map((c) => c.kind)).toEqual(['countRows', 'query']);
  });

  it('on a collection without an engine index is exact too: LanceDB exact search when many match', async () => {
    const calls: Call[] = [];
    const script = { annRows: [annRow('a', 0)], matches: EXACT_MATCH_LIMIT + 1, readRows: [] };
    await searchCollection(state(fakeTable(script, calls), false), query(rare), undefined);
    expect(calls.map((c) => [c.kind, c.exact])).toEqual([
      ['countRows', undefined],
      ['vectorSearch', true],
    ]);
  });
});
