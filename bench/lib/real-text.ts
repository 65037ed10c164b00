import { execFileSync } from 'node:child_process';
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

/**
 * Where the sentences come from: the npm packages and Debian packages installed here, and the Go
 * modules of this repository's Go client (clients/go/go.mod pins them; `go mod download` fetches
 * them into Go's module cache when absent). A fresh machine of this kind has about 100,600
 * distinct sentences in the first two alone, short of the default 101,000 (100,000 stored and
 * 1,000 held out); the Go modules' documentation adds about 1,400.
 */
function docRoots(repoRoot: string): string[] {
  return [join(repoRoot, 'node_modules'), '/usr/share/doc', ...goModuleDirs(join(repoRoot, 'clients', 'go'))];
}

/** The Go client's dependency modules, downloaded if needed; none when Go is not installed. */
function goModuleDirs(module: string): string[] {
  try {
    execFileSync('go', ['mod', 'download'], { cwd: module, stdio: 'ignore' });
    const out = execFileSync('go', ['list', '-m', '-f', '{{if not .Main}}{{.Dir}}{{end}}', 'all'], { cwd: module, encoding: 'utf8' });
    return out.split('\n').filter((dir) => dir.trim() !== '');
  } catch {
    return [];
  }
}

const sources = new Map<string, ReturnType<typeof docSentences>>();

/** The distinct sentences in seeded order, read once per process (reading ~10,000 files takes seconds). */
function sentenceSource(repoRoot: string, seed: number): ReturnType<typeof docSentences> {
  const key = `${repoRoot}\0${seed}`;
  let source = sources.get(key);
  if (source === undefined) {
    source = docSentences(docRoots(repoRoot), seed);
    sources.set(key, source);
  }
  return source;
}

/**
 * Fails at once when the installed documentation holds fewer than `count` + `queries` distinct
 * sentences, so a run does not spend half an hour on other sets before finding out.
 */
export function checkRealTextSupply(opts: { repoRoot: string; count: number; queries: number; seed: number }): void {
  const { sentences } = sentenceSource(opts.repoRoot, opts.seed);
  const needed = opts.queries + opts.count;
  if (sentences.length < needed) {
    throw new Error(`the real-text set needs ${needed} distinct sentences; the installed documentation has ${sentences.length} (lower the set's count: SCALE_SET_COUNT, ANN_COUNT)`);
  }
}
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
  checkRealTextSupply(opts);
  const { sentences, occurrences, source } = sentenceSource(opts.repoRoot, opts.seed);
  const needed = opts.queries + opts.count;
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
