/**
 * Exact cosine top-k in plain JS over the whole data set: an engine-independent check that the
 * FLAT results used as ground truth for recall really are the exact neighbours.
 */
export function bruteForceCosine(vectors: readonly Float32Array[], queries: readonly Float32Array[], k: number, idOf: (i: number) => string): string[][] {
  const norms = Float64Array.from(vectors, norm);
  return queries.map((q) => {
    const qn = norm(q);
    // A small sorted buffer of the best k (similarity descending) beats sorting 100k scores.
    const best: { i: number; s: number }[] = [];
    for (let i = 0; i < vectors.length; i += 1) {
      const v = vectors[i]!;
      let dot = 0;
      for (let j = 0; j < v.length; j += 1) dot += v[j]! * q[j]!;
      const s = dot / (norms[i]! * qn);
      if (best.length === k && s <= best[k - 1]!.s) continue;
      if (best.length === k) best.pop();
      let at = best.length;
      while (at > 0 && best[at - 1]!.s < s) at -= 1;
      best.splice(at, 0, { i, s });
    }
    return best.map((b) => idOf(b.i));
  });
}

function norm(v: Float32Array): number {
  let sum = 0;
  for (let j = 0; j < v.length; j += 1) sum += v[j]! * v[j]!;
  return Math.sqrt(sum);
}
