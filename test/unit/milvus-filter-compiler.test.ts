import { compileFilter, fieldPath, idInExpr, numberLiteral, stringLiteral } from '../../src/adapters/vector/milvus/milvus-filter-compiler';
import { parseFilter, type FilterNode } from '../../src/domain';

/** The expressions themselves; test/contract/vector-store/filters.test.ts runs them on a real Milvus. */
function expr(filter: Record<string, unknown>): string {
  const out = compileFilter(parseFilter(filter));
  if (out.kind !== 'expr') throw new Error(`expected an expression, got ${out.kind}`);
  return out.expr;
}

describe('Milvus string literals', () => {
  it('double-quote with backslash escapes, so user text never ends the literal', () => {
    expect(stringLiteral('plain')).toBe('"plain"');
    expect(stringLiteral('"') ).toBe('"\\""');
    expect(stringLiteral('\\')).toBe('"\\\\"');
    expect(stringLiteral('") or ("')).toBe('"\\") or (\\""');
    expect(stringLiteral("' OR 1=1 --")).toBe('"\' OR 1=1 --"');
    expect(stringLiteral('tail\\')).toBe('"tail\\\\"');
  });

  it('escape every control character and keep the rest of Unicode as is', () => {
    expect(stringLiteral('a\nb\rc\td')).toBe('"a\\nb\\rc\\td"');
    expect(stringLiteral('\u0000\u001f\u007f')).toBe('"\\u0000\\u001f\\u007f"');
    expect(stringLiteral('☃ 😀 ñ ключ')).toBe('"☃ 😀 ñ ключ"');
  });

  it('never leave an unescaped quote or a raw line break inside', () => {
    for (const text of ['"', '\\"', '\\\\"', '"\n"', 'a"b\\', '\r\n\u2028']) {
      const inner = stringLiteral(text).slice(1, -1);
      expect(inner).not.toMatch(/(^|[^\\])(\\\\)*"/);
      expect(inner).not.toMatch(/[\n\r]/);
    }
  });
});

describe('Milvus number literals', () => {
  it('print safe integers as integers and everything else so the parser reads a double', () => {
    expect(numberLiteral(42)).toBe('42');
    expect(numberLiteral(-7)).toBe('-7');
    expect(numberLiteral(-0)).toBe('0');
    expect(numberLiteral(1.5)).toBe('1.5');
    expect(numberLiteral(1e-7)).toBe('1e-7');
    // 20 digits would overflow the parser's int64.
    expect(numberLiteral(1e19)).toBe('1e+19');
    expect(numberLiteral(2 ** 60)).toBe('1.152921504606847e+18');
    expect(numberLiteral(-Number.MAX_VALUE)).toBe('-1.7976931348623157e+308');
  });

  it('refuse non-finite numbers (the parser never lets them through)', () => {
    expect(() => numberLiteral(Infinity)).toThrow();
    expect(() => numberLiteral(NaN)).toThrow();
  });
});

describe('compileFilter', () => {
  it('reaches nested metadata with one quoted key per segment', () => {
    expect(fieldPath(['author', 'name'])).toBe('metadata["author"]["name"]');
    expect(fieldPath(['we"ird', 'sl/ash', 'br[ack]et'])).toBe('metadata["we\\"ird"]["sl/ash"]["br[ack]et"]');
    expect(expr({ 'author.name': 'Ann' })).toBe('metadata["author"]["name"] == "Ann"');
  });

  it('compiles comparisons, ranges and bare values type by type', () => {
    expect(expr({ year: { $gte: 2000, $lt: 2010 } })).toBe('(metadata["year"] >= 2000 and metadata["year"] < 2010)');
    expect(expr({ draft: true })).toBe('metadata["draft"] == true');
    expect(expr({ year: '2001' })).toBe('metadata["year"] == "2001"');
  });

  it('splits $in by kind (Milvus rejects mixed lists) and drops repeated values', () => {
    expect(expr({ tag: { $in: ['a', 1, 'b', true, 'a', 2] } })).toBe('(metadata["tag"] in ["a", "b"] or metadata["tag"] in [1, 2] or metadata["tag"] in [true])');
    expect(expr({ tag: { $in: ['a'] } })).toBe('metadata["tag"] in ["a"]');
  });

  it('compiles $ne, $nin and $not as a parenthesised two-valued NOT', () => {
    expect(expr({ genre: { $ne: 'x' } })).toBe('(not (metadata["genre"] == "x"))');
    expect(expr({ genre: { $nin: ['x', 'y'] } })).toBe('(not (metadata["genre"] in ["x", "y"]))');
    expect(expr({ $not: { a: 1, b: 2 } })).toBe('(not ((metadata["a"] == 1 and metadata["b"] == 2)))');
  });

  it('reads $exists as "holds a scalar": a string, a number or a boolean, each tested type-strictly', () => {
    const f = 'metadata["k"]';
    expect(expr({ k: { $exists: true } })).toBe(`(${f} >= "" or ${f} >= -1.7976931348623157e+308 or ${f} in [true, false])`);
    expect(expr({ k: { $exists: false } })).toBe(`(not ((${f} >= "" or ${f} >= -1.7976931348623157e+308 or ${f} in [true, false])))`);
  });

  it('nests $and/$or/$not with parentheses', () => {
    expect(expr({ $or: [{ a: 1 }, { $and: [{ b: 'x' }, { $not: { c: false } }] }] })).toBe(
      '(metadata["a"] == 1 or (metadata["b"] == "x" and (not (metadata["c"] == false))))',
    );
  });

  it('folds empty AND/OR to constants, and no filter means every row', () => {
    expect(compileFilter(null)).toEqual({ kind: 'all' });
    expect(compileFilter({ kind: 'and', children: [] })).toEqual({ kind: 'all' });
    expect(compileFilter({ kind: 'or', children: [] })).toEqual({ kind: 'none' });
    const never: FilterNode = { kind: 'not', child: { kind: 'and', children: [] } };
    expect(compileFilter(never)).toEqual({ kind: 'none' });
    expect(compileFilter({ kind: 'or', children: [never, { kind: 'compare', path: ['a'], op: 'eq', value: 1 }] })).toEqual({ kind: 'expr', expr: 'metadata["a"] == 1' });
  });

  it('lists ids as escaped literals and refuses an empty list', () => {
    expect(idInExpr(['a', 'b"c', "d' OR 1=1"])).toBe('id in ["a", "b\\"c", "d\' OR 1=1"]');
    expect(() => idInExpr([])).toThrow();
  });
});
