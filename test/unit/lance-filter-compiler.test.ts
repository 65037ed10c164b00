import { compileFilter, idInPredicate, sqlLiteral, type FilterColumns } from '../../src/adapters/vector/lance/lance-filter-compiler';
import { scalarLeaves, typedColumnName } from '../../src/adapters/vector/lance/lance-metadata-columns';
import { parseFilter } from '../../src/domain';

const S = (key: string): string => typedColumnName(key.split('.'), 'string');
const N = (key: string): string => typedColumnName(key.split('.'), 'number');
const B = (key: string): string => typedColumnName(key.split('.'), 'boolean');

/** Columns as a collection holding these metadata objects would have them. */
function columnsOf(...rows: Record<string, unknown>[]): FilterColumns {
  const set = new Set(rows.flatMap((r) => [...scalarLeaves(r).keys()]));
  return { has: (c) => set.has(c), overflowed: false };
}

const cols = columnsOf({ genre: 'scifi', year: 2001, draft: true, author: { name: 'Ann' }, 'dotted.key': 'x', $dollar: 1 });

function compile(filter: Record<string, unknown>, columns = cols): ReturnType<typeof compileFilter> {
  return compileFilter(parseFilter(filter), columns, 'books');
}

function sql(filter: Record<string, unknown>, columns = cols): string {
  const out = compile(filter, columns);
  if (out.kind !== 'where') throw new Error(`expected a predicate, got ${out.kind}`);
  return out.sql;
}

describe('typed column names', () => {
  it('hex-encode the dotted path per kind, so no user key reaches SQL', () => {
    expect(S('genre')).toBe('m_s_67656e7265');
    expect(N('author.name')).toBe(`m_n_${Buffer.from('author.name').toString('hex')}`);
    expect(typedColumnName(["x') OR 1=1 --"], 'boolean')).toMatch(/^m_b_[0-9a-f]+$/);
  });

  it('come only from leaves the filter language can address', () => {
    const leaves = scalarLeaves({ a: { b: 'x', c: [1, 2], d: null }, 'with.dot': 1, $op: 2, '': 3, n: -0, f: false, big: 1e300 });
    expect([...leaves.keys()].sort()).toEqual([S('a.b'), N('big'), B('f'), N('n')].sort());
    expect(leaves.get(N('n'))).toBe(0);
    expect(Object.is(leaves.get(N('n')), -0)).toBe(false);
  });
});

describe('compileFilter', () => {
  it('no filter, or nothing to filter, means every row', () => {
    expect(compileFilter(null, cols, 'books')).toEqual({ kind: 'all' });
  });

  it('compiles each comparison to a never-NULL predicate of the value kind', () => {
    expect(sql({ genre: 'scifi' })).toBe(`(${S('genre')} IS NOT NULL AND ${S('genre')} = 'scifi')`);
    expect(sql({ year: { $gt: 2000 } })).toBe(`(${N('year')} IS NOT NULL AND ${N('year')} > 2000)`);
    expect(sql({ year: { $gte: 1.5 } })).toBe(`(${N('year')} IS NOT NULL AND ${N('year')} >= 1.5)`);
    expect(sql({ year: { $lt: -3 } })).toBe(`(${N('year')} IS NOT NULL AND ${N('year')} < -3)`);
    expect(sql({ genre: { $lte: 'm' } })).toBe(`(${S('genre')} IS NOT NULL AND ${S('genre')} <= 'm')`);
    expect(sql({ draft: true })).toBe(`(${B('draft')} IS NOT NULL AND ${B('draft')} = 1)`);
    expect(sql({ draft: false })).toBe(`(${B('draft')} IS NOT NULL AND ${B('draft')} = 0)`);
    expect(sql({ 'author.name': 'Ann' })).toBe(`(${S('author.name')} IS NOT NULL AND ${S('author.name')} = 'Ann')`);
  });

  it('$ne and $nin negate, so rows lacking the field match', () => {
    expect(sql({ genre: { $ne: 'scifi' } })).toBe(`(NOT (${S('genre')} IS NOT NULL AND ${S('genre')} = 'scifi'))`);
    expect(sql({ genre: { $nin: ['a', 'b'] } })).toBe(`(NOT (${S('genre')} IS NOT NULL AND ${S('genre')} IN ('a', 'b')))`);
  });

  it('$in splits values by kind, one column each', () => {
    expect(sql({ year: { $in: [2001, 'x', 2002, 2001] } })).toBe(
      `(${N('year')} IS NOT NULL AND ${N('year')} IN (2001, 2002))`,
    );
    const both = columnsOf({ v: 1 }, { v: 'a' });
    expect(sql({ v: { $in: [1, 'a'] } }, both)).toBe(`((${N('v')} IS NOT NULL AND ${N('v')} IN (1)) OR (${S('v')} IS NOT NULL AND ${S('v')} IN ('a')))`);
  });

  it('$exists looks at every kind the path was seen with', () => {
    const mixed = columnsOf({ v: 1 }, { v: true });
    expect(sql({ v: { $exists: true } }, mixed)).toBe(`((${N('v')} IS NOT NULL) OR (${B('v')} IS NOT NULL))`);
    expect(sql({ v: { $exists: false } }, mixed)).toBe(`(NOT ((${N('v')} IS NOT NULL) OR (${B('v')} IS NOT NULL)))`);
  });

  it('nests $and, $or and $not', () => {
    expect(sql({ $or: [{ genre: 'scifi' }, { $and: [{ year: { $gte: 2000 } }, { $not: { draft: true } }] }] })).toBe(
      `((${S('genre')} IS NOT NULL AND ${S('genre')} = 'scifi') OR ((${N('year')} IS NOT NULL AND ${N('year')} >= 2000) AND (NOT (${B('draft')} IS NOT NULL AND ${B('draft')} = 1))))`,
    );
    expect(sql({ year: { $not: { $gt: 5 } } })).toBe(`(NOT (${N('year')} IS NOT NULL AND ${N('year')} > 5))`);
  });

  it('folds paths no row has (or kinds never seen) to constants', () => {
    expect(compile({ missing: 'x' })).toEqual({ kind: 'none' });
    expect(compile({ genre: 5 })).toEqual({ kind: 'none' });
    expect(compile({ missing: { $ne: 'x' } })).toEqual({ kind: 'all' });
    expect(compile({ missing: { $exists: false } })).toEqual({ kind: 'all' });
    expect(compile({ $and: [{ missing: 'x' }, { genre: 'scifi' }] })).toEqual({ kind: 'none' });
    expect(sql({ $or: [{ missing: 'x' }, { genre: 'scifi' }] })).toBe(`(${S('genre')} IS NOT NULL AND ${S('genre')} = 'scifi')`);
    expect(sql({ $and: [{ missing: { $exists: false } }, { genre: 'scifi' }] })).toBe(`(${S('genre')} IS NOT NULL AND ${S('genre')} = 'scifi')`);
    expect(compile({ $or: [{ missing: { $exists: false } }, { genre: 'scifi' }] })).toEqual({ kind: 'all' });
  });

  it('fails rather than guess when the collection ran out of typed columns', () => {
    const overflowed: FilterColumns = { has: cols.has, overflowed: true };
    expect(sql({ genre: 'scifi' }, overflowed)).toContain(S('genre'));
    expect(() => compile({ missing: 'x' }, overflowed)).toThrow(expect.objectContaining({ code: 'FAILED_PRECONDITION' }));
  });

  it('escapes every hostile string as one literal', () => {
    const hostile = ["' OR 1=1 --", '") or ("', 'back\\slash\\', 'new\nline', "it''s", '\u0000nul', "'", ''];
    for (const value of hostile) {
      const out = sql({ genre: value });
      const literal = out.slice(out.lastIndexOf('= ') + 2, -1);
      expect(literal).toBe(`'${value.split("'").join("''")}'`);
      // Inside the literal every quote is doubled, so the literal cannot end early.
      expect(literal.slice(1, -1).replaceAll("''", '')).not.toContain("'");
    }
  });
});

describe('literals', () => {
  it('write numbers in a form Lance parses back to the same double', () => {
    expect(sqlLiteral(0.1)).toBe('0.1');
    expect(sqlLiteral(-0)).toBe('0');
    expect(sqlLiteral(1e21)).toBe('1e+21');
    expect(sqlLiteral(5e-324)).toBe('5e-324');
    expect(sqlLiteral(true)).toBe('1');
    expect(() => sqlLiteral(Number.NaN)).toThrow();
  });

  it('build id lists', () => {
    expect(idInPredicate(['a', "b'c"])).toBe("id IN ('a', 'b''c')");
    expect(() => idInPredicate([])).toThrow();
  });
});
