import { DomainError } from '../../src/errors';
import { parseFilter } from '../../src/domain/filter/filter-parser';

function violationOf(input: unknown): { field: string; message: string } {
  try {
    parseFilter(input);
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    const err = e as DomainError;
    expect(err.code).toBe('INVALID_ARGUMENT');
    return err.violations[0]!;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

describe('parseFilter', () => {
  it('treats null and {} as no filter', () => {
    expect(parseFilter(null)).toBeNull();
    expect(parseFilter({})).toBeNull();
  });

  it('reads a bare value as $eq and splits dotted keys', () => {
    expect(parseFilter({ 'author.name': 'Le Guin' })).toEqual({
      kind: 'compare', path: ['author', 'name'], op: 'eq', value: 'Le Guin',
    });
  });

  it('ANDs several operators on one field and several fields', () => {
    expect(parseFilter({ genre: 'scifi', year: { $gte: 2000, $lt: 2010 } })).toEqual({
      kind: 'and',
      children: [
        { kind: 'compare', path: ['genre'], op: 'eq', value: 'scifi' },
        { kind: 'and', children: [
          { kind: 'compare', path: ['year'], op: 'gte', value: 2000 },
          { kind: 'compare', path: ['year'], op: 'lt', value: 2010 },
        ] },
      ],
    });
  });

  it('expresses $ne, $nin and $exists:false as negations', () => {
    expect(parseFilter({ a: { $ne: 1 } })).toEqual({ kind: 'not', child: { kind: 'compare', path: ['a'], op: 'eq', value: 1 } });
    expect(parseFilter({ a: { $nin: ['x'] } })).toEqual({ kind: 'not', child: { kind: 'in', path: ['a'], values: ['x'] } });
    expect(parseFilter({ a: { $exists: false } })).toEqual({ kind: 'not', child: { kind: 'exists', path: ['a'] } });
    expect(parseFilter({ a: { $exists: true } })).toEqual({ kind: 'exists', path: ['a'] });
  });

  it('parses $or, $and and both forms of $not', () => {
    expect(parseFilter({ $or: [{ lang: 'en' }, { lang: { $exists: false } }] })).toEqual({
      kind: 'or',
      children: [
        { kind: 'compare', path: ['lang'], op: 'eq', value: 'en' },
        { kind: 'not', child: { kind: 'exists', path: ['lang'] } },
      ],
    });
    expect(parseFilter({ $not: { a: 1 } })).toEqual({ kind: 'not', child: { kind: 'compare', path: ['a'], op: 'eq', value: 1 } });
    expect(parseFilter({ a: { $not: { $gt: 1 } } })).toEqual({ kind: 'not', child: { kind: 'compare', path: ['a'], op: 'gt', value: 1 } });
  });

  it('keeps hostile strings as plain values', () => {
    for (const s of ["' OR 1=1 --", '") or ("', 'back\\slash', 'line\nbreak', "it's"]) {
      expect(parseFilter({ t: s })).toEqual({ kind: 'compare', path: ['t'], op: 'eq', value: s });
    }
  });

  it.each([
    [{ a: { $regex: 'x' } }, 'options.filter.a.$regex', /unknown operator/],
    [{ $nor: [] }, 'options.filter.$nor', /unknown operator/],
    [{ author: { name: 'x' } }, 'options.filter.author.name', /object values are not supported/],
    [{ a: null }, 'options.filter.a', /null/],
    [{ a: [1, 2] }, 'options.filter.a', /arrays/],
    [{ a: { $in: 'x' } }, 'options.filter.a.$in', /array/],
    [{ a: { $in: [{ b: 1 }] } }, 'options.filter.a.$in[0]', /object/],
    [{ a: { $gt: true } }, 'options.filter.a.$gt', /number or a string/],
    [{ a: { $exists: 1 } }, 'options.filter.a.$exists', /true or false/],
    [{ $or: [] }, 'options.filter.$or', /non-empty array/],
    [{ $or: [{ a: 1 }, 5] }, 'options.filter.$or[1]', /object/],
    [{ 'a..b': 1 }, 'options.filter.a..b', /empty segments/],
    [{ '': 1 }, 'options.filter.', /empty/],
    [{ a: {} }, 'options.filter.a', /at least one operator/],
    ['text', 'options.filter', /object/],
  ])('rejects %j at %s', (input, field, message) => {
    const v = violationOf(input);
    expect(v.field).toBe(field);
    expect(v.message).toMatch(message);
  });

  it('bounds nesting depth', () => {
    let f: Record<string, unknown> = { a: 1 };
    for (let i = 0; i < 20; i += 1) f = { $and: [f] };
    expect(violationOf(f).message).toMatch(/nest at most/);
  });

  it('counts bare values and operators against the 1024-term budget', () => {
    const terms = (n: number, value: (i: number) => unknown) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, value(i)]));
    expect(violationOf(terms(100_000, (i) => i)).message).toMatch(/at most 1024 terms/);
    expect(violationOf(terms(600, (i) => ({ $gt: i, $lt: i + 2 }))).message).toMatch(/at most 1024 terms/);
    expect(parseFilter(terms(500, (i) => i))).toMatchObject({ kind: 'and' });
  });
});
