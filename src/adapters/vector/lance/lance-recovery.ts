import type { Connection, Table } from '@lancedb/lancedb';
import { baseSchema } from './lance-arrow-rows';
import type { CatalogEntry, LanceCatalog } from './lance-catalog';
import { LanceCollection, type CollectionDeps, type LanceLogger } from './lance-collection';

/**
 * Opens every cataloged collection and cleans up what a crash can leave behind. The catalog file
 * is the commit point of create (written after the table) and of drop (removed before the table):
 * - a Lance table no catalog file names is an orphan of such a crash and is dropped;
 * - an unreadable catalog file is reported, and its table is kept (never dropped on a guess);
 * - a catalog entry whose table is missing (only by outside tampering) gets an empty table, so the
 *   collection stays usable, with an error in the log;
 * - two entries with one name (impossible through this adapter) keep the older; the other is ignored.
 */
export async function openCatalogedTables(
  db: Connection,
  catalog: LanceCatalog,
  deps: (tableName: string) => CollectionDeps,
  logger: LanceLogger,
): Promise<Map<string, LanceCollection>> {
  const { entries, problems } = await catalog.load();
  for (const p of problems) logger.error({ file: p.file, reason: p.reason }, 'unreadable catalog file: its collection is not served, its table is kept');

  const tables = new Set(await allTableNames(db));
  const referenced = new Set([...entries.map((e) => e.tableName), ...problems.map((p) => p.tableName)]);
  for (const name of tables) {
    if (referenced.has(name)) continue;
    logger.warn({ table: name }, 'dropping a Lance table without a catalog entry (left by an interrupted create or drop)');
    await db.dropTable(name);
  }

  const collections = new Map<string, LanceCollection>();
  for (const entry of [...entries].sort((a, b) => a.createdAt - b.createdAt)) {
    if (collections.has(entry.name)) {
      logger.error({ collection: entry.name, table: entry.tableName }, 'duplicate catalog entry ignored');
      continue;
    }
    const table = await openOrRecreate(db, entry, tables, logger);
    collections.set(entry.name, await LanceCollection.open(entry, table, deps(entry.tableName)));
  }
  return collections;
}

async function openOrRecreate(db: Connection, entry: CatalogEntry, tables: Set<string>, logger: LanceLogger): Promise<Table> {
  if (tables.has(entry.tableName)) return db.openTable(entry.tableName);
  logger.error({ collection: entry.name, table: entry.tableName }, 'the table of a cataloged collection is missing; recreated empty');
  return db.createEmptyTable(entry.tableName, baseSchema(entry.dimension));
}

/** `tableNames` pages; read every page. */
async function allTableNames(db: Connection): Promise<string[]> {
  const names: string[] = [];
  const limit = 1000;
  for (;;) {
    const page = await db.tableNames({ limit, ...(names.length > 0 ? { startAfter: names[names.length - 1] } : {}) });
    names.push(...page);
    if (page.length < limit) return names;
  }
}
