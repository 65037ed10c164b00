/**
 * BM25 (k1 = 1.2, b = 0.75, Lucene's idf) over lower-cased alphanumeric tokens: the reference
 * store's full-text ranking, for unit tests of the modes built on it. Its scores are not the
 * engines' (each tokenizes its own way); the contract holds engines to the order of clear-cut
 * matches, not to these numbers.
 */
export function bm25Scores(query: string, documents: ReadonlyMap<string, string>): Map<string, number> {
  const terms = [...new Set(tokens(query))];
  const docs = [...documents].map(([id, text]) => ({ id, words: tokens(text) }));
  const averageLength = docs.reduce((n, d) => n + d.words.length, 0) / Math.max(docs.length, 1);
  const scores = new Map<string, number>();
  for (const term of terms) {
    const holding = docs.filter((d) => d.words.includes(term));
    if (holding.length === 0) continue;
    const idf = Math.log(1 + (docs.length - holding.length + 0.5) / (holding.length + 0.5));
    for (const d of holding) {
      const tf = d.words.filter((w) => w === term).length;
      const part = (idf * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * d.words.length) / averageLength));
      scores.set(d.id, (scores.get(d.id) ?? 0) + part);
    }
  }
  return scores;
}

function tokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}
