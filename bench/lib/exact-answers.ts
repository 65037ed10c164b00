import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Dataset } from './dataset';

/** Exact top-k of each query by cosine distance: row numbers, and the k-th distance (for ties). */
export interface ExactAnswers {
  ids: number[][];
  kth: number[];
}

/**
 * Moves the vectors into one SharedArrayBuffer (each vector becomes a view of it), so worker
 * threads can read them without copies; at a million 384-d vectors that is 1.5 GB held once.
 */
export function shareVectors(data: Dataset): Float32Array {
  const flat = new Float32Array(new SharedArrayBuffer(data.vectors.length * data.dim * 4));
  data.vectors.forEach((v, i) => flat.set(v, i * data.dim));
  data.vectors = data.vectors.map((_, i) => flat.subarray(i * data.dim, (i + 1) * data.dim));
  return flat;
}

/** Plain JS run in each worker: brute force over every vector for its share of the queries. */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { flat, dim, count, queries, k } = workerData;
const norms = new Float64Array(count);
for (let i = 0; i < count; i++) { let s = 0; const o = i * dim; for (let j = 0; j < dim; j++) s += flat[o + j] * flat[o + j]; norms[i] = Math.sqrt(s); }
const out = [];
for (const q of queries) {
  let qn = 0; for (let j = 0; j < dim; j++) qn += q[j] * q[j]; qn = Math.sqrt(qn);
  const best = [];
  for (let i = 0; i < count; i++) {
    const o = i * dim; let dot = 0;
    for (let j = 0; j < dim; j++) dot += flat[o + j] * q[j];
    const d = 1 - dot / (norms[i] * qn);
    if (best.length === k && d >= best[k - 1][1]) continue;
    if (best.length === k) best.pop();
    let at = best.length; while (at > 0 && best[at - 1][1] > d) at--;
    best.splice(at, 0, [i, d]);
  }
  out.push(best);
}
parentPort.postMessage(out);
`;

/**
 * The ground truth for recall: exact answers for every query, computed on `threads` worker
 * threads and cached in `cacheDir` (a million vectors × 1,000 queries is minutes of CPU), keyed
 * by a digest of the vectors and queries themselves.
 */
export async function exactAnswers(data: Dataset, flat: Float32Array, k: number, opts: { cacheDir: string; threads: number; log: (line: string) => void }): Promise<ExactAnswers> {
  const hash = createHash('sha256');
  hash.update(`${data.vectors.length}x${data.dim} k${k} q${data.queries.length}`);
  hash.update(Buffer.from(flat.buffer, flat.byteOffset, flat.byteLength));
  for (const q of data.queries) hash.update(Buffer.from(q.buffer, q.byteOffset, q.byteLength));
  const file = join(opts.cacheDir, `exact-${hash.digest('hex').slice(0, 24)}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as ExactAnswers;
  const started = process.hrtime.bigint();
  const parts = Math.max(1, opts.threads);
  const share = Math.ceil(data.queries.length / parts);
  const results = await Promise.all(
    Array.from({ length: parts }, (_, p) => {
      const queries = data.queries.slice(p * share, (p + 1) * share).map((q) => Float32Array.from(q));
      return new Promise<[number, number][][]>((resolve, reject) => {
        const worker = new Worker(WORKER, { eval: true, workerData: { flat, dim: data.dim, count: data.vectors.length, queries, k } });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    }),
  );
  const all = results.flat();
  const answers: ExactAnswers = { ids: all.map((best) => best.map((b) => b[0])), kth: all.map((best) => best[best.length - 1]?.[1] ?? Number.POSITIVE_INFINITY) };
  mkdirSync(opts.cacheDir, { recursive: true });
  writeFileSync(file, JSON.stringify(answers));
  opts.log(`exact answers for ${data.queries.length} queries over ${data.vectors.length} vectors in ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s (cached in ${file})`);
  return answers;
}
