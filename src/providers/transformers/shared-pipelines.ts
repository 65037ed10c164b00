/** Anything loaded that holds native memory (an ONNX session) until disposed. */
export interface Disposable {
  dispose(): Promise<void>;
}

interface Entry<P extends Disposable> {
  loading: Promise<P>;
  /** Registry names using this pipeline; the pipeline is disposed when the last one is released. */
  users: Set<string>;
  /** Calls running on it: disposal waits for them, since freeing a session mid-run crashes onnxruntime. */
  inflight: number;
  retired: boolean;
}

/**
 * Loaded pipelines keyed by what was loaded (model id and dtype), so registry names that point at
 * the same weights share one copy, and concurrent first calls share one load.
 */
export class SharedPipelines<P extends Disposable> {
  private readonly entries = new Map<string, Entry<P>>();

  /** Runs `work` on the pipeline for `key`, loading it first if nobody has. */
  async use<T>(key: string, user: string, load: () => Promise<P>, work: (pipeline: P) => Promise<T>): Promise<T> {
    const entry = this.entryFor(key, load);
    entry.users.add(user);
    entry.inflight += 1;
    try {
      return await work(await entry.loading);
    } finally {
      entry.inflight -= 1;
      if (entry.retired && entry.inflight === 0) await disposeQuietly(entry);
    }
  }

  /** Forgets `user`; pipelines nobody uses any more are disposed once their calls finish. */
  async release(user: string): Promise<void> {
    const idle: Entry<P>[] = [];
    for (const [key, entry] of this.entries) {
      if (!entry.users.delete(user) || entry.users.size > 0) continue;
      this.retire(key, entry, idle);
    }
    await Promise.all(idle.map(disposeQuietly));
  }

  async close(): Promise<void> {
    const idle: Entry<P>[] = [];
    for (const [key, entry] of this.entries) this.retire(key, entry, idle);
    await Promise.all(idle.map(disposeQuietly));
  }

  private entryFor(key: string, load: () => Promise<P>): Entry<P> {
    const existing = this.entries.get(key);
    if (existing) return existing;
    const entry: Entry<P> = { loading: load(), users: new Set(), inflight: 0, retired: false };
    this.entries.set(key, entry);
    // A failed load is not cached: the files may appear later (fetch-models, a download).
    entry.loading.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry;
  }

  private retire(key: string, entry: Entry<P>, idle: Entry<P>[]): void {
    this.entries.delete(key);
    entry.retired = true;
    if (entry.inflight === 0) idle.push(entry);
  }
}

async function disposeQuietly<P extends Disposable>(entry: Entry<P>): Promise<void> {
  try {
    await (await entry.loading).dispose();
  } catch {
    // A pipeline that failed to load has nothing to free.
  }
}
