import { IdFingerprints } from '../../src/adapters/vector/lance/lance-id-fingerprints';

/** Deterministic pseudo-random integers. */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

describe('IdFingerprints', () => {
  it('holds what was added, as often as it was added, and nothing else', () => {
    const set = new IdFingerprints();
    expect(set.has('a')).toBe(false);
    set.add('a');
    set.add('a');
    set.add('');
    expect(set.size).toBe(3);
    expect(set.has('a') && set.has('')).toBe(true);
    expect(set.remove('a')).toBe(true);
    expect(set.has('a')).toBe(true);
    expect(set.remove('a')).toBe(true);
    expect(set.has('a')).toBe(false);
    expect(set.remove('a')).toBe(false);
    expect(set.size).toBe(1);
  });

  it('agrees with a counted reference over 200,000 random adds and removes across growth (backward-shift deletion keeps every entry reachable)', () => {
    const next = rng(20261204);
    const set = new IdFingerprints();
    const reference = new Map<string, number>();
    const wrong: string[] = [];
    // A small id space, so removals, re-adds and long probe runs are frequent.
    for (let step = 0; step < 200_000; step += 1) {
      const id = `id-${next(30_000)}`;
      if (next(3) === 0) {
        const held = reference.get(id) ?? 0;
        if (set.remove(id) !== held > 0) wrong.push(`remove ${id} at step ${step}`);
        if (held > 1) reference.set(id, held - 1);
        else reference.delete(id);
      } else {
        set.add(id);
        reference.set(id, (reference.get(id) ?? 0) + 1);
      }
    }
    for (let i = 0; i < 30_000; i += 1) if (set.has(`id-${i}`) !== reference.has(`id-${i}`)) wrong.push(`has id-${i}`);
    expect(wrong).toEqual([]);
    expect(set.size).toBe([...reference.values()].reduce((a, b) => a + b, 0));
  });

  it('costs 16–32 bytes per id, whatever the ids look like', () => {
    const set = new IdFingerprints();
    for (let i = 0; i < 50_000; i += 1) set.add(`${'x'.repeat(100)}${i}`);
    expect(set.bytes / set.size).toBeGreaterThanOrEqual(16);
    expect(set.bytes / set.size).toBeLessThanOrEqual(32);
    const sized = new IdFingerprints(50_000);
    expect(sized.bytes).toBeLessThanOrEqual(set.bytes);
  });

  it('tells apart ids that differ in one character or only in length', () => {
    const set = new IdFingerprints();
    const ids = Array.from({ length: 50_000 }, (_, i) => `doc-${i}`);
    ids.forEach((id) => set.add(id));
    const stored = new Set(ids);
    const near = ids.flatMap((id) => [`${id}x`, id.toUpperCase(), `${id.slice(0, -1)}`]).filter((id) => !stored.has(id));
    expect(near.filter((id) => set.has(id))).toEqual([]);
  });
});
