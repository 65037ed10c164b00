import { errors } from '../../errors';
import type { ModelConfig } from './model-types';
import type { RegistryStore } from '../ports/registry-store';

/**
 * The registry in memory, persisted after every change. Changes run one at a time, and the
 * in-memory list only moves on once the store saved it, so a failed save changes nothing.
 */
export class ModelRegistry {
  private models = new Map<string, ModelConfig>();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: RegistryStore) {}

  /** Loads the saved list; on first start registers `defaults`. */
  async open(defaults: readonly ModelConfig[]): Promise<void> {
    const saved = await this.store.load();
    const list = saved ?? defaults;
    this.models = new Map(list.map((m) => [m.name, m]));
    if (saved === null) await this.store.save(list);
  }

  list(): ModelConfig[] {
    return [...this.models.values()].sort((a, b) => a.name.localeCompare(b.name)).map((m) => structuredClone(m));
  }

  get(name: string): ModelConfig {
    const m = this.models.get(name);
    if (!m) throw errors.modelNotFound(name);
    return structuredClone(m);
  }

  add(config: ModelConfig): Promise<void> {
    return this.change((next) => {
      if (next.has(config.name)) throw errors.modelExists(config.name);
      next.set(config.name, config);
    });
  }

  remove(name: string): Promise<ModelConfig> {
    return this.change((next) => {
      const old = next.get(name);
      if (!old) throw errors.modelNotFound(name);
      next.delete(name);
      return old;
    });
  }

  /** Replaces `name` by `config`; a rename onto a taken name is ALREADY_EXISTS. */
  replace(name: string, config: ModelConfig): Promise<ModelConfig> {
    return this.change((next) => {
      const old = next.get(name);
      if (!old) throw errors.modelNotFound(name);
      if (config.name !== name && next.has(config.name)) throw errors.modelExists(config.name);
      next.delete(name);
      next.set(config.name, config);
      return old;
    });
  }

  private change<T>(mutate: (next: Map<string, ModelConfig>) => T): Promise<T> {
    const run = this.tail.then(async () => {
      const next = new Map(this.models);
      const result = mutate(next);
      await this.store.save([...next.values()]);
      this.models = next;
      return result;
    });
    this.tail = run.catch(() => undefined);
    return run;
  }
}
