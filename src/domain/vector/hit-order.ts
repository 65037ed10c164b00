import type { MetricType, SearchHit } from './vector-types';

/**
 * The one order of search hits, for every engine: closest first (highest similarity for COSINE and
 * IP, smallest squared distance for L2), and hits with equal scores by id in byte order (UTF-8,
 * which is also code point order). Engines order ties their own way (LanceDB by row position,
 * Milvus by segment), so without this rule FLAT answers over duplicate vectors differed by engine.
 */
export function compareHits(metric: MetricType): (a: SearchHit, b: SearchHit) => number {
  const byScore = metric === 'L2' ? (a: SearchHit, b: SearchHit) => a.score - b.score : (a: SearchHit, b: SearchHit) => b.score - a.score;
  return (a, b) => byScore(a, b) || compareIds(a.id, b.id);
}

/**
 * Byte order of the ids' UTF-8 encodings, without encoding them: UTF-16 code units compare like
 * code points except that surrogates (U+D800–DFFF, the halves of code points above U+FFFF) must
 * rank above U+E000–FFFF, so those two ranges are swapped before comparing.
 */
export function compareIds(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}

/** The most rows a store asks its engine for while following a tie group (Milvus caps a search's limit here). */
export const MAX_TIE_FETCH = 16_384;

/**
 * The top `topK` hits in the domain's order, from an engine that returns the `limit` closest rows
 * in its own order. When the k-th score is shared by rows the engine ranked past k, the ones with
 * the smallest ids must win, so the store asks for one row more than k: if that row (the last one
 * fetched) still carries the k-th score, the tie group may go on past it, and the search is
 * repeated with four times the limit until the group ends or the engine has no more rows. A
 * search without a tie at the cut costs one engine call for k+1 rows. Tie groups longer than
 * MAX_TIE_FETCH rows are ordered among the rows fetched. `fetch` checks cancellation, so a
 * cancelled caller stops between rounds.
 */
export async function rankThroughTies(
  topK: number,
  metric: MetricType,
  fetch: (limit: number) => Promise<SearchHit[]>,
  maxFetch = MAX_TIE_FETCH,
): Promise<SearchHit[]> {
  const order = compareHits(metric);
  for (let limit = Math.min(topK + 1, maxFetch); ; limit = Math.min(limit * 4, maxFetch)) {
    const hits = (await fetch(limit)).sort(order);
    const exhausted = hits.length < limit || limit >= maxFetch;
    if (exhausted || hits.length <= topK || hits[hits.length - 1]!.score !== hits[topK - 1]!.score) return hits.slice(0, topK);
  }
}
