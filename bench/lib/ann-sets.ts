import { clusteredDataset, uniformDataset, type Dataset } from './dataset';
import { realTextDataset, type RealTextInfo } from './real-text';

/**
 * The vector sets the scale benchmarks run on:
 * - clustered: bench/lib/dataset.ts (100 Gaussian clusters, spread 0.15), as bench:vectors;
 * - uniform: every component uniform in [-1, 1), no structure;
 * - real: documentation sentences embedded with the default model (lib/real-text.ts);
 * - realdup: the real sentences as often as the documents repeat them (about 40 % of all
 *   sentences found are repeats: licence text, packages installed in several versions);
 * - dup: the uniform set with every vector stored 4 times under different ids: exact duplicates
 *   are what makes LanceDB's HNSW graph answer short (BENCHMARKS.md "Search accuracy").
 */
export const SET_NAMES = ['clustered', 'uniform', 'real', 'realdup', 'dup'] as const;
export type SetName = (typeof SET_NAMES)[number];

export interface NamedSet {
  name: SetName;
  data: Dataset;
  real?: RealTextInfo;
}

export async function loadSet(
  name: SetName,
  opts: { count: number; dim: number; queries: number; seed: number; repoRoot: string; cacheDir: string; log: (line: string) => void },
): Promise<NamedSet> {
  switch (name) {
    case 'clustered':
      return { name, data: clusteredDataset({ count: opts.count, dim: opts.dim, clusters: 100, queries: opts.queries, seed: opts.seed }) };
    case 'uniform':
      return { name, data: uniformDataset({ count: opts.count, dim: opts.dim, queries: opts.queries, seed: opts.seed }) };
    case 'dup': {
      const data = uniformDataset({ count: opts.count, dim: opts.dim, queries: opts.queries, seed: opts.seed });
      const distinct = Math.ceil(data.vectors.length / 4);
      for (let i = distinct; i < data.vectors.length; i += 1) data.vectors[i] = data.vectors[i % distinct]!;
      return { name, data };
    }
    case 'realdup': {
      // Each distinct sentence as often as the documents hold it, until `count` rows.
      const { data, info, occurrences } = await realTextDataset({ repoRoot: opts.repoRoot, count: opts.count, queries: opts.queries, seed: opts.seed, cacheDir: opts.cacheDir, log: opts.log });
      const vectors: Float32Array[] = [];
      for (let i = 0; vectors.length < opts.count; i += 1) {
        for (let c = 0; c < occurrences[i]! && vectors.length < opts.count; c += 1) vectors.push(data.vectors[i]!);
      }
      return { name, data: { ...data, vectors }, real: info };
    }
    case 'real': {
      const { data, info } = await realTextDataset({ repoRoot: opts.repoRoot, count: opts.count, queries: opts.queries, seed: opts.seed, cacheDir: opts.cacheDir, log: opts.log });
      return { name, data, real: info };
    }
  }
}

export function parseSets(raw: string | undefined, fallback: readonly SetName[]): SetName[] {
  if (raw === undefined || raw.trim() === '') return [...fallback];
  const names = raw.split(',').map((s) => s.trim());
  const bad = names.filter((n) => !(SET_NAMES as readonly string[]).includes(n));
  if (bad.length > 0) throw new Error(`unknown set(s) ${bad.join(', ')}; known: ${SET_NAMES.join(', ')}`);
  return names as SetName[];
}

export function cosineDistance(a: Float32Array, b: Float32Array, na = norm(a), nb = norm(b)): number {
  let dot = 0;
  for (let j = 0; j < a.length; j += 1) dot += a[j]! * b[j]!;
  return 1 - dot / (na * nb);
}

export function norm(v: Float32Array): number {
  let s = 0;
  for (let j = 0; j < v.length; j += 1) s += v[j]! * v[j]!;
  return Math.sqrt(s);
}

/** Recall@k with ties: hits whose true distance is within the exact k-th distance (plus float slack). */
export function tieAwareRecall(data: Dataset, kth: readonly number[], answers: readonly number[][], k: number): number {
  let right = 0;
  answers.forEach((rows, qi) => {
    const q = data.queries[qi]!;
    const limit = kth[qi]! + 1e-5;
    for (const i of rows.slice(0, k)) if (cosineDistance(data.vectors[i]!, q) <= limit) right += 1;
  });
  return right / (answers.length * k);
}
