import { leafColumns, scalarLeaves, typedColumnName, type ScalarKind } from '../../src/adapters/vector/lance/lance-metadata-columns';
import { limits, type Metadata, type Scalar } from '../../src/domain';
import { seededRandom } from '../../src/domain/seeded-random';

/**
 * leafColumns reads a batch's metadata column by column. It must find exactly the leaves the
 * filter language can address (domain/filter/filter-evaluator.ts `lookup()`): this reference
 * walks one record at a time the plain way, and both must agree on seeded random metadata with
 * every kind of awkward key and value.
 */
function reference(metadata: Metadata): Map<string, Scalar> {
  const out = new Map<string, Scalar>();
  const walk = (node: Record<string, unknown>, path: string[]): void => {
    for (const [key, value] of Object.entries(node)) {
      if (key === '' || key.includes('.') || key.startsWith('$')) continue;
      const here = [...path, key];
      if (Buffer.byteLength(here.join('.'), 'utf8') > limits.filter.maxKeyBytes) continue;
      const kind: ScalarKind | null = typeof value === 'string' ? 'string' : typeof value === 'boolean' ? 'boolean' : typeof value === 'number' && Number.isFinite(value) ? 'number' : null;
      if (kind !== null) out.set(typedColumnName(here, kind), value === 0 ? 0 : (value as Scalar));
      else if (typeof value === 'object' && value !== null && !Array.isArray(value)) walk(value as Record<string, unknown>, here);
    }
  };
  walk(metadata, []);
  return out;
}

const KEYS = ['a', 'b', 'seq', 'tïtle', '日本', '', 'x.y', '$op', 'k'.repeat(limits.filter.maxKeyBytes), 'k'.repeat(limits.filter.maxKeyBytes - 2), '__proto__x'];
const VALUES = (random: () => number, depth: number): unknown[] => [
  'text',
  '',
  0,
  -0,
  1.5,
  NaN,
  Infinity,
  true,
  false,
  null,
  [1, 'a'],
  ...(depth < 3 ? [randomObject(random, depth + 1)] : []),
];

function randomObject(random: () => number, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const count = Math.floor(random() * 4);
  for (let i = 0; i < count; i += 1) {
    const values = VALUES(random, depth);
    out[KEYS[Math.floor(random() * KEYS.length)]!] = values[Math.floor(random() * values.length)];
  }
  return out;
}

describe('leafColumns', () => {
  it('finds per record the leaves a plain per-record walk finds, on 2,000 seeded random metadata objects', () => {
    const random = seededRandom(7);
    const batch = Array.from({ length: 2000 }, () => randomObject(random, 1));
    const columns = leafColumns(batch);
    batch.forEach((metadata, row) => {
      const expected = reference(metadata);
      const found = new Map([...columns].filter(([, values]) => values[row] !== undefined).map(([column, values]) => [column, values[row]!] as const));
      expect(found).toEqual(expected);
      expect(scalarLeaves(metadata)).toEqual(expected);
    });
    // Every column holds one slot per record.
    for (const values of columns.values()) expect(values).toHaveLength(batch.length);
  });

  it('keeps columns in first-seen order and -0 as 0', () => {
    const columns = leafColumns([{ b: 1 }, { a: 'x', b: -0 }, { c: { d: true } }]);
    expect([...columns.keys()]).toEqual([typedColumnName(['b'], 'number'), typedColumnName(['a'], 'string'), typedColumnName(['c', 'd'], 'boolean')]);
    expect(Object.is(columns.get(typedColumnName(['b'], 'number'))![1], 0)).toBe(true);
  });
});
