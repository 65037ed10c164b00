import { availableParallelism } from 'node:os';
import type { EmbeddingResult } from '../../domain';
import type { EmbedProgress } from './embed-texts';
import { EmbeddingThread } from './embedding-thread';
import type { EmbeddingThreadLoad } from './embedding-thread-messages';

/**
 * How one embedding model is spread over the machine: EMBEDDING_THREADS worker threads (default 2), each with its own
 * onnxruntime session of `cores / THREADS` intra-op threads. Two sessions of one thread each on 2
 * cores embed 390 short texts/s together where one session of two threads embeds 357
 * (all-MiniLM-L6-v2, fp32, batches of 16; BENCHMARKS.md): a single-threaded run has no barriers
 * between its threads to wait at, and does not stall when the service's own work or its callers
 * take a core for a moment. The price is a second copy of the weights (~90 MB for MiniLM) and a
 * second load at start (about 0.5 CPU-s), which EMBEDDING_THREADS=1 saves.
 */
export const DEFAULT_THREADS = 2;

export function intraOpThreadsPerSession(threads = DEFAULT_THREADS, cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / threads));
}

/**
 * The threads of one model: a batch goes to the thread with the fewest batches waiting. A thread
 * that died (its batches failed with the cause) is replaced by a fresh one on the next batch.
 */
export class EmbeddingThreads {
  private restarting: Promise<void> | undefined;

  private constructor(
    private readonly threads: EmbeddingThread[],
    private readonly load: EmbeddingThreadLoad,
  ) {}

  static async start(options: Omit<EmbeddingThreadLoad, 'intraOpThreads'>, count = DEFAULT_THREADS): Promise<EmbeddingThreads> {
    const load = { ...options, intraOpThreads: intraOpThreadsPerSession(count) };
    const started = await Promise.allSettled(Array.from({ length: count }, () => EmbeddingThread.start(load)));
    const threads = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(threads.map((t) => t.dispose()));
      throw failed.reason;
    }
    return new EmbeddingThreads(threads, load);
  }

  get count(): number {
    return this.threads.length;
  }

  /** Tokens per text the model reads. */
  get window(): number {
    return this.threads[0]!.window;
  }

  async embed(texts: string[], window: number, progress: EmbedProgress = {}): Promise<EmbeddingResult> {
    if (this.threads.some((t) => !t.alive)) await this.replaceDead();
    const idlest = this.threads.reduce((best, t) => (t.busy < best.busy ? t : best));
    return idlest.embed(texts, window, progress);
  }

  private replaceDead(): Promise<void> {
    this.restarting ??= (async () => {
      try {
        for (const [i, thread] of this.threads.entries()) {
          if (!thread.alive) this.threads[i] = await EmbeddingThread.start(this.load);
        }
      } finally {
        this.restarting = undefined;
      }
    })();
    return this.restarting;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.dispose()));
  }
}
