import type { AliasInfo } from '../../../domain';
import { errors } from '../../../errors';
import type { LanceAliases } from './lance-aliases';
import type { LanceCollection } from './lance-collection';
import { lanceCall } from './lance-errors';

/**
 * The names the embedded store answers to: its open collections and their aliases, one namespace
 * (an alias is never a collection's name). Every call resolves its name here once, so the whole
 * call runs on one collection even when an alias moves meanwhile. Changes are made by the store
 * one at a time (its DDL chain), so each check below holds until its change is saved.
 */
export class LanceNamespace {
  constructor(
    private readonly collections: Map<string, LanceCollection>,
    private readonly aliases: LanceAliases,
  ) {}

  get size(): number {
    return this.collections.size;
  }

  all(): LanceCollection[] {
    return [...this.collections.values()];
  }

  /** Collection names, ascending; aliases are not listed. */
  names(): string[] {
    return [...this.collections.keys()].sort();
  }

  /** The collection a name or an alias names; NOT_FOUND naming what was asked for. */
  resolve(name: string): LanceCollection {
    const collection = this.collections.get(this.aliases.target(name) ?? name);
    if (collection === undefined) throw errors.collectionNotFound(name);
    return collection;
  }

  has(name: string): boolean {
    return this.collections.has(this.aliases.target(name) ?? name);
  }

  /** CreateCollection's check: the name is neither a collection's nor an alias's. */
  checkFree(name: string): void {
    if (this.collections.has(name)) throw errors.collectionExists(name);
    if (this.aliases.has(name)) throw errors.nameTaken(name, 'alias');
  }

  add(collection: LanceCollection): void {
    this.collections.set(collection.name, collection);
  }

  /** DropCollection takes a collection's own name, of a collection no alias names. */
  remove(name: string): LanceCollection {
    if (this.aliases.has(name)) throw errors.dropThroughAlias(name);
    const collection = this.resolve(name);
    const naming = this.aliases.list(name);
    if (naming.length > 0) throw errors.collectionHasAliases(name, naming.map((a) => a.alias));
    this.collections.delete(name);
    return collection;
  }

  /** RenameCollection's check: a collection's own name, of a collection no alias names (as DropCollection). */
  renamable(name: string): LanceCollection {
    if (this.aliases.has(name)) throw errors.dropThroughAlias(name);
    const collection = this.resolve(name);
    const naming = this.aliases.list(name);
    if (naming.length > 0) throw errors.collectionHasAliases(name, naming.map((a) => a.alias));
    return collection;
  }

  /** After a rename saved: the collection answers to its new name only. */
  moved(from: string, collection: LanceCollection): void {
    this.collections.delete(from);
    this.collections.set(collection.name, collection);
  }

  clear(): void {
    this.collections.clear();
  }

  async createAlias(alias: string, collection: string): Promise<void> {
    this.checkTarget(collection);
    if (this.aliases.has(alias)) throw errors.aliasExists(alias);
    if (this.collections.has(alias)) throw errors.nameTaken(alias, 'collection');
    await lanceCall({}, () => this.aliases.set(alias, collection));
  }

  async alterAlias(alias: string, collection: string): Promise<void> {
    this.checkTarget(collection);
    if (!this.aliases.has(alias)) throw errors.aliasNotFound(alias);
    await lanceCall({}, () => this.aliases.set(alias, collection));
  }

  async dropAlias(alias: string): Promise<void> {
    if (!this.aliases.has(alias)) throw errors.aliasNotFound(alias);
    await lanceCall({}, () => this.aliases.delete(alias));
  }

  /** Every alias, or those of the collection `collection` (a name or an alias) names. */
  listAliases(collection: string | null): AliasInfo[] {
    return this.aliases.list(collection === null ? null : this.resolve(collection).name);
  }

  /** An alias must name a collection, not another alias. */
  private checkTarget(collection: string): void {
    if (this.aliases.has(collection)) throw errors.aliasOfAlias(collection);
    this.resolve(collection);
  }
}
