/**
 * A small seeded PRNG (Mulberry32): uniform floats in [0, 1), the same sequence for a seed on every
 * machine. Used where a choice must be repeatable (migrate's sampled comparison, benchmark data,
 * test bytes), never for anything secret.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
