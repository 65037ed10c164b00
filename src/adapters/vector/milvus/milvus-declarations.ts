import type { CollectionInfo } from '../../../domain';

interface Entry {
  info: Promise<CollectionInfo>;
  /** Infinity while the describe is in flight (concurrent callers share it). */
  expiresAt: number;
}

/**
 * Collection declarations (dimension, metric, index, binding; through an alias, the target's) as
 * this process last described them, kept `ttlMs` so that a steady stream of searches costs one
 * Milvus RPC each instead of a DescribeCollection and the search. Correctness does not rest on
 * the cache: this process's own DDL clears it, another replica's changes are seen within `ttlMs`,
 * and a call that fails on a cached declaration is run once more on a fresh one
 * (MilvusVectorStore.withDeclaration), so a stale dimension, metric or a dropped collection never
 * shows as a wrong answer or a wrong code. `ttlMs` 0 turns the cache off.
 */
export class DeclarationCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The declaration of `name`: a live entry's, or `describe`'s (one describe however many callers
   * miss at once). `cached` says whether it came from an earlier describe, so the caller knows a
   * failure may be staleness. A failed describe is not kept.
   */
  get(name: string, describe: () => Promise<CollectionInfo>): { info: Promise<CollectionInfo>; cached: boolean } {
    const entry = this.entries.get(name);
    if (entry !== undefined && entry.expiresAt > this.now()) return { info: entry.info, cached: true };
    if (this.ttlMs <= 0) return { info: describe(), cached: false };
    const fresh: Entry = { info: describe(), expiresAt: Infinity };
    this.entries.set(name, fresh);
    fresh.info.then(
      () => {
        if (this.entries.get(name) === fresh) fresh.expiresAt = this.now() + this.ttlMs;
      },
      () => {
        if (this.entries.get(name) === fresh) this.entries.delete(name);
      },
    );
    return { info: fresh.info, cached: false };
  }

  /** Drops `name`'s entry: what it said proved stale. */
  forget(name: string): void {
    this.entries.delete(name);
  }

  /**
   * Drops every entry: after this process's own DDL (create, drop, index change, alias change),
   * which can change any name's declaration or target. A describe in flight is dropped too, so what
   * it read before the change is never kept.
   */
  clear(): void {
    this.entries.clear();
  }
}
