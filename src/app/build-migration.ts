import type { Logger } from 'pino';
import { resolve } from 'node:path';
import { ArrowRecordChunkCodec } from '../adapters/snapshot';
import type { Config } from '../config/config';
import { CollectionMigrator, type MigrationSettings, type VectorStore } from '../domain';
import { lanceDir, openVectorStore } from './build-app';

/** One side of a migration: an engine, and for LanceDB the DATA_DIR to use instead of the config's. */
export interface MigrationSide {
  engine: 'lance' | 'milvus';
  dataDir?: string;
}

/** The two stores of a migration, opened in this process, and the migrator over them. */
export interface Migration {
  readonly migrator: CollectionMigrator;
  /** Each side as the report names it: `lance (DIR)` or `milvus (HOST:PORT, database DB)`. */
  readonly endpoints: { from: string; to: string };
  close(): Promise<void>;
}

/**
 * Opens the source and the destination the way the service opens its one store (openVectorStore,
 * from the one config), except that each side names its engine, and a LanceDB side may name its
 * own DATA_DIR.
 */
export async function buildMigration(config: Config, logger: Logger, from: MigrationSide, to: MigrationSide, settings: MigrationSettings): Promise<Migration> {
  const configOf = (side: MigrationSide): Config => ({ ...config, vectorBackend: side.engine, dataDir: side.dataDir ?? config.dataDir });
  const source = await openVectorStore(configOf(from), logger.child({ side: 'source' }));
  let destination: VectorStore;
  try {
    destination = await openVectorStore(configOf(to), logger.child({ side: 'destination' }));
  } catch (cause) {
    await source.close();
    throw cause;
  }
  const describe = (side: MigrationSide): string =>
    side.engine === 'lance'
      ? `lance (${resolve(lanceDir({ dataDir: side.dataDir ?? config.dataDir }))})`
      : `milvus (${config.milvusHost}:${config.milvusPort}, database ${config.milvusDatabase})`;
  return {
    migrator: new CollectionMigrator(source, destination, new ArrowRecordChunkCodec(), settings),
    endpoints: { from: describe(from), to: describe(to) },
    async close() {
      await Promise.allSettled([source.close(), destination.close()]);
    },
  };
}
