import type { MilvusLogger } from './milvus-connection';

interface Entry {
  value: number;
  /** The creation time of the collection the value belongs to, once a describe has shown it. */
  createdAt: number | null;
  timer: NodeJS.Timeout | null;
}

/**
 * updatedAt for data writes. Writing a collection property on every Insert would double its cost,
 * so a write moves the value here at once (this replica reads it back immediately) and reaches
 * Milvus at most once per `flushMs` per collection, and on close. Across replicas the property is
 * last-writer-wins, so another replica may see a value up to `flushMs` old.
 */
export class UpdatedAtTracker {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly persist: (name: string, updatedAt: number) => Promise<void>,
    private readonly logger: MilvusLogger,
    private readonly flushMs = 1000,
  ) {}

  /**
   * A change landed: the new value, strictly later than any this replica reported or read back, and
   * than the creation time (which is Milvus's clock, not ours).
   */
  touch(name: string, persistSoon = true): number {
    const entry = this.entries.get(name) ?? { value: 0, createdAt: null, timer: null };
    entry.value = Math.max(Date.now(), entry.value + 1, (entry.createdAt ?? 0) + 1);
    this.entries.set(name, entry);
    if (persistSoon && entry.timer === null) {
      entry.timer = setTimeout(() => {
        entry.timer = null;
        void this.save(name, entry.value);
      }, this.flushMs);
      entry.timer.unref();
    }
    return entry.value;
  }

  /**
   * The later of the stored and the local value, as a describe reads them. A local value kept for
   * another creation time belongs to a dropped collection of the same name and is discarded.
   */
  merge(name: string, createdAt: number, stored: number): number {
    let entry = this.entries.get(name);
    if (entry !== undefined && entry.createdAt !== null && entry.createdAt !== createdAt) {
      this.forget(name);
      entry = undefined;
    }
    if (entry === undefined) {
      this.entries.set(name, { value: stored, createdAt, timer: null });
      return stored;
    }
    entry.createdAt = createdAt;
    entry.value = Math.max(entry.value, stored);
    return entry.value;
  }

  forget(name: string): void {
    const entry = this.entries.get(name);
    if (entry?.timer) clearTimeout(entry.timer);
    this.entries.delete(name);
  }

  /** Writes every pending value now (on close). */
  async flush(): Promise<void> {
    const pending = [...this.entries].filter(([, e]) => e.timer !== null);
    for (const [, entry] of pending) {
      clearTimeout(entry.timer!);
      entry.timer = null;
    }
    await Promise.all(pending.map(([name, entry]) => this.save(name, entry.value)));
  }

  private async save(name: string, value: number): Promise<void> {
    try {
      await this.persist(name, value);
    } catch (cause) {
      // A collection dropped meanwhile, or Milvus away: only the timestamp is late; the next write retries.
      this.logger.warn({ err: cause, collection: name }, 'updated_at not saved');
    }
  }
}
