import { errors } from '../../errors';
import type { RecordChunkCodec } from '../ports/record-chunk-codec';
import type { VectorStore } from '../ports/vector-store';
import { DEFAULT_SNAPSHOT_SETTINGS, SnapshotService, STAGING_PREFIX, type SnapshotSettings } from '../snapshot/snapshot-service';
import type { AliasInfo, CallOptions } from '../vector/vector-types';
import { compareCollections, type Comparison } from './collection-comparison';

export interface MigrationSettings {
  /** Records compared one by one after the counts (seeded sample of the source's ids); 0 = counts only. */
  sample: number;
  /** Seed of the sample, so a run can be repeated exactly. */
  seed: number;
  /** Overwrite a destination collection that differs from the source (otherwise it is reported and left alone). */
  replace: boolean;
}

/**
 * What became of one collection:
 * - `migrated` / `replaced`: imported (over a differing one for `replaced`) and verified equal;
 * - `already-migrated`: the destination already held an equal copy, nothing was written (a rerun);
 * - `differs`: the destination holds a different collection of that name, left alone (no `replace`);
 * - `mismatch`: imported, but the verification found differences (the source changed meanwhile?).
 */
export type MigrationOutcome =
  | { collection: string; status: 'migrated' | 'replaced' | 'mismatch'; records: number; comparison: Comparison; ms: number }
  | { collection: string; status: 'already-migrated' | 'differs'; comparison: Comparison; ms: number };

/**
 * What became of one alias of a moved collection: `created` at the destination, `already` there
 * naming the same collection, `moved` from another collection there (with `replace`), or `differs`:
 * there it names another collection, left alone.
 */
export interface AliasOutcome {
  alias: string;
  collection: string;
  status: 'created' | 'already' | 'moved' | 'differs';
  /** For `differs` and `moved`: the collection it named at the destination. */
  before?: string;
}

/**
 * Moves collections from one store to another through the snapshot export and import (the same
 * bytes a download and an upload carry, streamed from one to the other in this process, so memory
 * stays bounded at a chunk or two whatever the size). An import fills a staging collection and
 * makes it visible by one rename, so at the destination a collection is wholly there or absent:
 * a run killed at any point leaves at most a staging collection, which the next run drops, and
 * collections that already arrived, which it recognises by comparing (counts, a seeded sample of
 * records bit for bit) and skips. That is what makes a rerun finish with nothing lost or doubled.
 */
export class CollectionMigrator {
  private readonly exporter: SnapshotService;
  private readonly importer: SnapshotService;

  constructor(
    private readonly source: VectorStore,
    private readonly destination: VectorStore,
    codec: RecordChunkCodec,
    private readonly settings: MigrationSettings,
    snapshotSettings: SnapshotSettings = DEFAULT_SNAPSHOT_SETTINGS,
  ) {
    this.exporter = new SnapshotService(source, codec, snapshotSettings);
    this.importer = new SnapshotService(destination, codec, snapshotSettings);
  }

  /**
   * The source's collections to move, in name order: `requested` (checked to exist there) or all of
   * them. Staging collections of unfinished imports are never data to move.
   */
  async collections(requested: readonly string[] | null, options: CallOptions = {}): Promise<string[]> {
    const present = (await this.source.listCollections(options)).filter((name) => !name.startsWith(STAGING_PREFIX));
    if (requested === null) return present;
    const unknown = requested.filter((name) => !present.includes(name));
    if (unknown.length > 0) {
      const known = present.length === 0 ? 'it has none' : `it has ${present.map((n) => `'${n}'`).join(', ')}`;
      throw errors.invalidArgument('collections', `${unknown.map((n) => `'${n}'`).join(', ')}: not a collection of the source (${known})`);
    }
    return [...new Set(requested)].sort();
  }

  /**
   * Drops the staging collections an interrupted import left at the destination (a killed run's);
   * returns their names. A staging collection only ever serves the import that created it, so this
   * must not run while another import into the destination is in progress.
   */
  async dropLeftovers(options: CallOptions = {}): Promise<string[]> {
    const leftovers = (await this.destination.listCollections(options)).filter((name) => name.startsWith(STAGING_PREFIX));
    for (const name of leftovers) await this.destination.dropCollection(name, options);
    return leftovers;
  }

  /** Moves one collection unless an equal copy is already there; verifies what it moved. */
  async migrate(name: string, options: CallOptions = {}): Promise<MigrationOutcome> {
    const started = Date.now();
    const ms = (): number => Date.now() - started;
    let replace = false;
    if (await this.destination.hasCollection(name, options)) {
      const before = await this.compare(name, options);
      if (before.equal) return { collection: name, status: 'already-migrated', comparison: before, ms: ms() };
      if (!this.settings.replace) return { collection: name, status: 'differs', comparison: before, ms: ms() };
      replace = true;
    }
    const bytes = await this.exporter.exportCollection(name, options);
    const done = await this.importer.importSnapshot({ collectionName: name, replace }, bytes, options);
    const after = await this.compare(name, options);
    const status = !after.equal ? 'mismatch' : replace ? 'replaced' : 'migrated';
    return { collection: name, status, records: done.records, comparison: after, ms: ms() };
  }

  /** The source's aliases that name one of `collections` (the ones now at the destination), by alias. */
  async aliasesOf(collections: readonly string[], options: CallOptions = {}): Promise<AliasInfo[]> {
    const moved = new Set(collections);
    return (await this.source.listAliases(null, options)).filter((a) => moved.has(a.collection));
  }

  /**
   * Makes `alias` name `collection` at the destination too, so readers going through the alias
   * find it after the switch; a rerun finds it done. An alias there naming another collection is
   * left alone unless `replace` (then AlterAlias, one atomic switch).
   */
  async migrateAlias({ alias, collection }: AliasInfo, options: CallOptions = {}): Promise<AliasOutcome> {
    const before = (await this.destination.listAliases(null, options)).find((a) => a.alias === alias)?.collection;
    if (before === collection) return { alias, collection, status: 'already' };
    if (before === undefined) {
      await this.destination.createAlias(alias, collection, options);
      return { alias, collection, status: 'created' };
    }
    if (!this.settings.replace) return { alias, collection, status: 'differs', before };
    await this.destination.alterAlias(alias, collection, options);
    return { alias, collection, status: 'moved', before };
  }

  /** The source's and the destination's collection of that name compared (declaration, count, sample). */
  compare(name: string, options: CallOptions = {}): Promise<Comparison> {
    return compareCollections(this.source, this.destination, name, { sample: this.settings.sample, seed: this.settings.seed }, options);
  }
}
