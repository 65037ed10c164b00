import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from './dataset';
import { docSentences, type SentenceSource } from './doc-sentences';
import { loadDirectEmbedder } from './models-direct-embed';

/** Where the real-text set comes from (recorded in the report). */
export interface RealTextInfo extends SentenceSource {
  distinct: number;
  /** sha256 of the ordered sentences used (queries first), to tell runs on different machines apart. */
  digest: string;
  model: string;
  cacheFile: string;
  embedSeconds: number;
}

const DOC_ROOTS = ['node_modules', '/usr/share/doc'];
const MODEL_ID = 'Xenova/all-MiniLM-L6-v2';
/** Sentences per cache append: an interrupted embedding resumes from the last whole chunk. */
const CHUNK = 512;
const EMBED_BATCH = 64;

/**
 * `count` stored sentences and `queries` held-out ones (distinct from every stored one), embedded
 * with the service's default model (all-MiniLM-L6-v2, the provider's dtype, mean pooling,
 * normalized) in the bench process. Embedding is the slow part (tens of sentences a second on
 * 2 cores), so vectors are cached in `cacheDir`, keyed by the sentence list and the model, and
 * a longer run extends a shorter one's cache.
 */
export async function realTextDataset(opts: {
  repoRoot: string;
  count: number;
  queries: number;
  seed: number;
  cacheDir: string;
  log: (line: string) => void;
}): Promise<{ data: Dataset; info: RealTextInfo; occurrences: number[] }> {
  const { sentences, occurrences, source } = docSentences(
    DOC_ROOTS.map((r) => (r.startsWith('/') ? r : join(opts.repoRoot, r))),
    opts.seed,
  );
  const needed = opts.queries + opts.count;
  if (sentences.length < needed) {
    throw new Error(`the real-text set needs ${needed} distinct sentences; the installed documentation has ${sentences.length} (lower BENCH_REAL_COUNT)`);
  }
  const used = sentences.slice(0, needed);
  const listDigest = createHash('sha256').update(sentences.join('\n')).update(MODEL_ID).digest('hex');
  mkdirSync(opts.cacheDir, { recursive: true });
  const cacheFile = join(opts.cacheDir, `real-text-${listDigest.slice(0, 16)}.f32`);
  const dim = 384;
  const rowBytes = dim * 4;
  const cached = existsSync(cacheFile) ? Math.floor(statSync(cacheFile).size / rowBytes) : 0;
  const started = process.hrtime.bigint();
  if (cached < needed) {
    opts.log(`real-text: embedding sentences ${cached}..${needed} with ${MODEL_ID} (cache ${cacheFile})`);
    const embedder = await loadDirectEmbedder(join(opts.repoRoot, 'models'), MODEL_ID);
    try {
      for (let from = cached; from < needed; from += CHUNK) {
        const chunk = sentences.slice(from, Math.min(needed, from + CHUNK));
        // Similar lengths per batch: less padding, same vectors.
        const order = chunk.map((_, i) => i).sort((a, b) => chunk[a]!.length - chunk[b]!.length);
        const out = new Float32Array(chunk.length * dim);
        for (let b = 0; b < order.length; b += EMBED_BATCH) {
          const idx = order.slice(b, b + EMBED_BATCH);
          const vectors = await embedder.embed(idx.map((i) => chunk[i]!));
          vectors.forEach((v, j) => out.set(v, idx[j]! * dim));
        }
        appendFileSync(cacheFile, Buffer.from(out.buffer));
        if ((from / CHUNK) % 10 === 0) opts.log(`real-text: ${from + chunk.length}/${needed} embedded`);
      }
    } finally {
      await embedder.dispose();
    }
  }
  const embedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const bytes = readFileSync(cacheFile);
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4));
  const row = (i: number): Float32Array => all.slice(i * dim, (i + 1) * dim);
  const data: Dataset = {
    dim,
    queries: Array.from({ length: opts.queries }, (_, i) => row(i)),
    vectors: Array.from({ length: opts.count }, (_, i) => row(opts.queries + i)),
  };
  const digest = createHash('sha256').update(used.join('\n')).digest('hex');
  const counts = Array.from({ length: opts.count }, (_, i) => occurrences.get(sentences[opts.queries + i]!) ?? 1);
  return { data, info: { ...source, distinct: sentences.length, digest, model: MODEL_ID, cacheFile, embedSeconds }, occurrences: counts };
}
