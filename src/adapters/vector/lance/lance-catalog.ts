import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { INDEX_TYPES, METRIC_TYPES, type CollectionInfo, type EmbeddingBinding, type IndexSpec } from '../../../domain';

/**
 * One collection's definition as persisted next to the Lance database: one JSON file per
 * collection, named after its Lance table. Table names are generated (`c_<hex>`), never the
 * collection name: a 255-character name would exceed file-name limits once `.lance` is added,
 * case-insensitive file systems would merge `Foo` and `foo`, and a re-created collection gets a
 * fresh table even if the old directory was not fully removed.
 */
export interface CatalogEntry {
  format: 1;
  name: string;
  tableName: string;
  description: string;
  dimension: number;
  metricType: CollectionInfo['metricType'];
  index: IndexSpec | null;
  /** The embedding model the collection is bound to; entries written before bindings existed load as null. */
  embedding: EmbeddingBinding | null;
  createdAt: number;
  updatedAt: number;
  /** Set once the collection hit MAX_TYPED_COLUMNS (lance-metadata-columns.ts). */
  filterOverflow: boolean;
  /** Rows in the table when the engine index was last trained; null while none is built. */
  engineIndexRows: number | null;
}

export interface CatalogProblem {
  file: string;
  tableName: string;
  reason: string;
}

const SUFFIX = '.json';
const TEMP_MARKER = '.tmp-';

export function newTableName(): string {
  return `c_${randomBytes(12).toString('hex')}`;
}

export function toCollectionInfo(entry: CatalogEntry): CollectionInfo {
  const { name, description, dimension, metricType, index, embedding, createdAt, updatedAt } = entry;
  return {
    name,
    description,
    dimension,
    metricType,
    index: index === null ? null : structuredClone(index),
    embedding: embedding === null ? null : { ...embedding },
    createdAt,
    updatedAt,
  };
}

/**
 * The catalog directory. Writes are atomic and durable (temp file, fsync, rename, fsync of the
 * directory), so after a crash each file holds either the old or the new definition. The file's
 * presence is the commit point of CreateCollection (written after the table exists) and of
 * DropCollection (removed before the table is dropped); `load` reports what a crash left behind.
 */
export class LanceCatalog {
  constructor(private readonly dir: string) {}

  /**
   * Reads every entry and removes temp files of interrupted writes. Unreadable files come back as
   * problems naming their table, so the caller can keep (not drop) that table's data.
   */
  async load(): Promise<{ entries: CatalogEntry[]; problems: CatalogProblem[] }> {
    await mkdir(this.dir, { recursive: true });
    const entries: CatalogEntry[] = [];
    const problems: CatalogProblem[] = [];
    for (const file of await readdir(this.dir)) {
      const path = join(this.dir, file);
      if (file.includes(TEMP_MARKER)) {
        await rm(path, { force: true });
        continue;
      }
      if (!file.endsWith(SUFFIX)) continue;
      const tableName = file.slice(0, -SUFFIX.length);
      try {
        entries.push(parseEntry(JSON.parse(await readFile(path, 'utf8')), tableName));
      } catch (cause) {
        problems.push({ file: path, tableName, reason: cause instanceof Error ? cause.message : String(cause) });
      }
    }
    return { entries, problems };
  }

  async write(entry: CatalogEntry): Promise<void> {
    const target = join(this.dir, entry.tableName + SUFFIX);
    const temp = `${target}${TEMP_MARKER}${randomBytes(4).toString('hex')}`;
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(JSON.stringify(entry, null, 2));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
    await this.syncDir();
  }

  async remove(entry: CatalogEntry): Promise<void> {
    await rm(join(this.dir, entry.tableName + SUFFIX), { force: true });
    await this.syncDir();
  }

  /** A rename or unlink is durable only once the directory itself is flushed. */
  private async syncDir(): Promise<void> {
    const handle = await open(this.dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

function parseEntry(raw: unknown, tableName: string): CatalogEntry {
  const e = raw as Partial<CatalogEntry> | null;
  const ok =
    e !== null &&
    typeof e === 'object' &&
    e.format === 1 &&
    e.tableName === tableName &&
    typeof e.name === 'string' &&
    typeof e.description === 'string' &&
    Number.isInteger(e.dimension) &&
    (METRIC_TYPES as readonly unknown[]).includes(e.metricType) &&
    (e.index === null || (typeof e.index === 'object' && (INDEX_TYPES as readonly unknown[]).includes(e.index?.indexType))) &&
    (e.embedding === undefined || e.embedding === null || isBinding(e.embedding)) &&
    typeof e.createdAt === 'number' &&
    typeof e.updatedAt === 'number';
  if (!ok) throw new Error('not a valid catalog entry');
  return { ...(e as CatalogEntry), embedding: e.embedding ?? null, filterOverflow: e.filterOverflow === true, engineIndexRows: e.engineIndexRows ?? null };
}

function isBinding(b: unknown): b is EmbeddingBinding {
  const x = b as Partial<EmbeddingBinding> | null;
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof x.model === 'string' &&
    typeof x.provider === 'string' &&
    typeof x.modelId === 'string' &&
    typeof x.weights === 'string' &&
    Number.isInteger(x.dimension)
  );
}
