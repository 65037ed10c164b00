import { compareHits, compareIds, rankThroughTies, whenAllAborted, type SearchHit } from '../../src/domain';

/** Deterministic pseudo-random ids mixing ASCII, Latin-1, BMP above the surrogates, and astral code points. */
function randomIds(count: number): string[] {
  const pool = ['a', 'b', 'Z', '0', '_', 'é', 'ÿ', '中', 'ｚ', '\uE000', '\uFFFD', '😀', '𝔸', '\u{10FFFF}'];
  let s = 7;
  const next = (n: number): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % n;
  };
  return Array.from({ length: count }, () => Array.from({ length: 1 + next(4) }, () => pool[next(pool.length)]).join(''));
}

describe('hit order', () => {
  it('compares ids in UTF-8 byte order, which differs from JavaScript string order', () => {
    const ids = randomIds(400);
    const byBytes = [...ids].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
    expect([...ids].sort(compareIds)).toEqual(byBytes);
    expect(compareIds('ｚ', '𝔸')).toBeLessThan(0);
    expect('ｚ' < '𝔸').toBe(false);
    expect(compareIds('a', 'ab')).toBeLessThan(0);
    expect(compareIds('same', 'same')).toBe(0);
  });

  it('puts the closest first per metric, equal scores by id', () => {
    const hits: SearchHit[] = [
      { id: 'b', score: 0.5, metadata: {} },
      { id: 'a', score: 0.5, metadata: {} },
      { id: 'c', score: 0.9, metadata: {} },
    ];
    expect([...hits].sort(compareHits('COSINE')).map((h) => h.id)).toEqual(['c', 'a', 'b']);
    expect([...hits].sort(compareHits('L2')).map((h) => h.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('rankThroughTies', () => {
  /** An engine over `scores` (by id) that returns its closest `limit` rows with ties in reverse id order. */
  function engine(scores: Record<string, number>) {
    const limits: number[] = [];
    const all = Object.entries(scores).map(([id, score]) => ({ id, score, metadata: {} }));
    const fetch = async (limit: number): Promise<SearchHit[]> => {
      limits.push(limit);
      return [...all].sort((a, b) => b.score - a.score || compareIds(b.id, a.id)).slice(0, limit);
    };
    return { limits, fetch };
  }

  it('asks for k+1 rows once when no tie crosses the cut', async () => {
    const e = engine({ a: 0.9, b: 0.8, c: 0.7, d: 0.6 });
    expect((await rankThroughTies(2, 'COSINE', e.fetch)).map((h) => h.id)).toEqual(['a', 'b']);
    expect(e.limits).toEqual([3]);
  });

  it('reads past k until the tie group at the cut ends, and keeps its smallest ids', async () => {
    const scores: Record<string, number> = { top: 0.99, tail: 0.1 };
    for (let i = 0; i < 30; i += 1) scores[`t${String(i).padStart(2, '0')}`] = 0.5;
    const e = engine(scores);
    expect((await rankThroughTies(3, 'COSINE', e.fetch)).map((h) => h.id)).toEqual(['top', 't00', 't01']);
    expect(e.limits).toEqual([4, 16, 64]);
  });

  it('stops when the engine has no more rows, and at the fetch cap', async () => {
    const scores: Record<string, number> = {};
    for (let i = 0; i < 10; i += 1) scores[`s${i}`] = 1;
    const e = engine(scores);
    expect((await rankThroughTies(2, 'IP', e.fetch)).map((h) => h.id)).toEqual(['s0', 's1']);
    expect(e.limits).toEqual([3, 12]);
    const capped = engine(scores);
    await rankThroughTies(2, 'IP', capped.fetch, 5);
    expect(capped.limits).toEqual([3, 5]);
  });
});

describe('whenAllAborted', () => {
  it('fires once every signal has fired, never when one caller has none', () => {
    const a = new AbortController();
    const b = new AbortController();
    const both = whenAllAborted([a.signal, b.signal]).signal!;
    a.abort();
    expect(both.aborted).toBe(false);
    b.abort();
    expect(both.aborted).toBe(true);
    expect(whenAllAborted([new AbortController().signal, undefined]).signal).toBeUndefined();
    expect(whenAllAborted([AbortSignal.abort()]).signal!.aborted).toBe(true);
  });

  it('once released, leaves no listener on signals that outlive the shared work', () => {
    const caller = new AbortController();
    const added: string[] = [];
    const removed: string[] = [];
    const add = caller.signal.addEventListener.bind(caller.signal);
    const remove = caller.signal.removeEventListener.bind(caller.signal);
    caller.signal.addEventListener = ((type: string, ...rest: [never, never]) => (added.push(type), add(type, ...rest))) as never;
    caller.signal.removeEventListener = ((type: string, ...rest: [never, never]) => (removed.push(type), remove(type, ...rest))) as never;
    for (let i = 0; i < 20; i++) {
      const shared = whenAllAborted([caller.signal]);
      shared.release();
      expect(shared.signal!.aborted).toBe(false);
    }
    expect({ added: added.length, removed: removed.length }).toEqual({ added: 20, removed: 20 });
  });
});
