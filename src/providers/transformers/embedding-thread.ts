import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EmbeddingResult } from '../../domain';
import { errors } from '../../errors';
import type { EmbedProgress } from './embed-texts';
import { EmbeddingThreadLost, fromThreadError, type EmbeddingThreadLoad, type FromThread, type ToThread } from './embedding-thread-messages';

interface Pending {
  progress: EmbedProgress;
  resolve: (result: EmbeddingResult) => void;
  reject: (cause: unknown) => void;
}

/**
 * A feature-extraction model in a worker thread of its own. onnxruntime-node runs a model
 * synchronously on the thread that calls it; in the main thread that froze every request for the
 * whole run (~90 ms for 32 short texts on 2 cores, seconds for long ones): nothing was read,
 * answered or cancelled meanwhile. Here the run (and the tokenizing and pooling around it) happens
 * on the worker, so the main thread answers one batch's callers and gathers the next batch while
 * the model computes. The thread takes the batches posted to it in order; embedding-threads.ts
 * runs several.
 *
 * The thread's code is embedding-thread-main.js next to this file (embedding-thread-main.ts when
 * this file runs as TypeScript: jest, tsx).
 */
export class EmbeddingThread {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead: Error | undefined;
  private disposed: Promise<void> | undefined;

  private constructor(
    private readonly worker: Worker,
    /** Tokens per text the model reads (windowOf on the loaded pipeline). */
    readonly window: number,
  ) {
    worker.on('message', (message: FromThread) => this.onMessage(message));
    worker.on('error', (cause) => this.fail(new EmbeddingThreadLost(`uncaught ${cause.name}: ${cause.message}`, cause)));
    worker.on('exit', (code) => this.fail(new EmbeddingThreadLost(`exited with code ${code}`)));
  }

  /** Starts the thread and waits until its model is loaded; a failed load rejects with the library's error. */
  static start(load: EmbeddingThreadLoad): Promise<EmbeddingThread> {
    const worker = newWorker(load);
    return new Promise((resolve, reject) => {
      const onExit = (code: number): void => reject(new Error(`embedding thread exited while loading (code ${code})`));
      const onError = (cause: Error): void => reject(cause);
      worker.once('exit', onExit);
      worker.once('error', onError);
      worker.once('message', (message: FromThread) => {
        worker.off('exit', onExit);
        worker.off('error', onError);
        if (message.type === 'ready') {
          resolve(new EmbeddingThread(worker, message.window));
        } else {
          void worker.terminate();
          reject(message.type === 'load-failed' ? fromThreadError(message.error) : new Error(`embedding thread answered ${message.type} while loading`));
        }
      });
    });
  }

  /**
   * embedTexts on the thread: the same result, chunk reports through `progress.onChunk`, and an
   * abort of `progress.signal` stops the batch before its next model run (errors.abortedBy the
   * signal's reason, as in-process).
   */
  /** False once the thread has ended (disposed, or crashed): it takes no more batches. */
  get alive(): boolean {
    return this.dead === undefined;
  }

  /** Batches posted and not yet answered. */
  get busy(): number {
    return this.pending.size;
  }

  embed(texts: string[], window: number, progress: EmbedProgress = {}): Promise<EmbeddingResult> {
    const { signal } = progress;
    if (signal?.aborted) return Promise.reject(errors.abortedBy(signal.reason));
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    const onAbort = (): void => this.post({ type: 'cancel', id });
    signal?.addEventListener('abort', onAbort, { once: true });
    const settled = (): void => signal?.removeEventListener('abort', onAbort);
    return new Promise<EmbeddingResult>((resolve, reject) => {
      this.pending.set(id, {
        progress,
        resolve: (r) => (settled(), resolve(r)),
        reject: (e) => (settled(), reject(e)),
      });
      this.post({ type: 'embed', id, texts, window });
    });
  }

  /** Frees the model after the batches already posted, and ends the thread. */
  dispose(): Promise<void> {
    this.disposed ??= new Promise<void>((resolve) => {
      if (this.dead) return resolve();
      this.worker.once('exit', () => resolve());
      this.post({ type: 'dispose' });
    });
    return this.disposed;
  }

  private post(message: ToThread): void {
    this.worker.postMessage(message);
  }

  private onMessage(message: FromThread): void {
    if (message.type === 'disposed') {
      this.dead = new Error('embedding thread disposed');
      return;
    }
    if (!('id' in message)) return;
    const call = this.pending.get(message.id);
    if (call === undefined) return;
    if (message.type === 'chunk') {
      call.progress.onChunk?.(message.chunk, message.chunks, message.start, message.end);
      return;
    }
    this.pending.delete(message.id);
    if (message.type === 'done') {
      const { vectors, rows, dimension } = message;
      const list = Array.from({ length: rows }, (_, r) => Array.from(vectors.subarray(r * dimension, (r + 1) * dimension)));
      const tokens = message.tokenCounts.reduce((a, b) => a + b, 0);
      call.resolve({ vectors: list, dimension, truncated: message.truncated, tokens, tokenCounts: message.tokenCounts });
    } else {
      const { signal } = call.progress;
      call.reject(message.cancelled && signal?.aborted ? errors.abortedBy(signal.reason) : fromThreadError(message.error));
    }
  }

  /** The thread is gone (crashed, or ended): every waiting call fails, and so does every later one. */
  private fail(cause: Error): void {
    this.dead ??= cause;
    for (const call of this.pending.values()) call.reject(cause);
    this.pending.clear();
  }
}

/**
 * The compiled entry next to this file; from TypeScript source (jest, tsx), a one-line bootstrap
 * that registers tsx's require hook first (a worker ignores loaders given with --import).
 */
function newWorker(load: EmbeddingThreadLoad): Worker {
  const js = join(__dirname, 'embedding-thread-main.js');
  if (existsSync(js)) return new Worker(js, { workerData: load });
  const ts = join(__dirname, 'embedding-thread-main.ts');
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(ts)});`, { eval: true, workerData: load });
}
