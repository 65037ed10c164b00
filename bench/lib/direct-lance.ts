import { connect, type Connection, type Table, type VectorQuery } from '@lancedb/lancedb';
import { Field, FixedSizeList, Float32, RecordBatch, Schema, Struct, Table as ArrowTable, Utf8, makeData, vectorFromArray } from 'apache-arrow';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DISTANCE_COLUMN, ID_COLUMN, METADATA_COLUMN, VECTOR_COLUMN } from '../../src/adapters/vector/lance/lance-arrow-rows';
import { VECTOR_INDEX_NAME, distanceTypeOf, indexFamily, searchTuning } from '../../src/adapters/vector/lance/lance-index-mapping';
import type { IndexSpec } from '../../src/domain';
import { idOf, metadataOf } from './grpc-door';

/**
 * LanceDB used directly, in the benchmark's own process: the baseline the service is compared
 * with. Searches mirror lance-reader.ts (same column, distance type, limit, selected columns and
 * the adapter's own search tuning), so the ratio measures what the service adds on top.
 */

/** Ingest baseline: the same batches `table.add`ed, one at a time, to a fresh table in `dir`. */
export async function ingestDirect(dir: string, vectors: readonly Float32Array[], batch: number): Promise<number> {
  const schema = directSchema(vectors[0]?.length ?? 0);
  const db = await connect(dir);
  try {
    const table = await db.createEmptyTable('ingest_baseline', schema);
    const started = process.hrtime.bigint();
    for (let from = 0; from < vectors.length; from += batch) {
      await table.add(arrowBatch(schema, vectors.slice(from, from + batch), from));
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if ((await table.countRows()) !== vectors.length) throw new Error('direct ingest lost rows');
    table.close();
    return seconds;
  } finally {
    db.close();
  }
}

/** Rows `offset`… as the service stores them minus its typed metadata column: id, vector, metadata JSON. */
export function arrowBatch(schema: Schema, rows: readonly Float32Array[], offset: number): ArrowTable {
  const type = schema.fields[1]!.type as FixedSizeList;
  const flat = new Float32Array(rows.length * type.listSize);
  rows.forEach((v, i) => flat.set(v, i * type.listSize));
  const child = makeData({ type: new Float32(), length: flat.length, nullCount: 0, data: flat });
  const children = [
    vectorFromArray(rows.map((_, i) => idOf(offset + i)), new Utf8()).data[0]!,
    makeData({ type, length: rows.length, nullCount: 0, child }),
    vectorFromArray(rows.map((_, i) => JSON.stringify(metadataOf(offset + i))), new Utf8()).data[0]!,
  ];
  const data = makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children });
  return new ArrowTable(schema, new RecordBatch(schema, data));
}

/** The direct baseline's table: the service's fixed columns. */
export function directSchema(dim: number): Schema {
  return new Schema([
    new Field(ID_COLUMN, new Utf8(), false),
    new Field(VECTOR_COLUMN, new FixedSizeList(dim, new Field('item', new Float32(), true)), false),
    new Field(METADATA_COLUMN, new Utf8(), false),
  ]);
}

/** The service's own Lance table of `collection`, found through its catalog (DATA_DIR/vectors/catalog/c_<hex>.json). */
export async function openServiceTable(dataDir: string, collection: string): Promise<{ db: Connection; table: Table; tableName: string }> {
  const catalogDir = join(dataDir, 'vectors', 'catalog');
  for (const file of await readdir(catalogDir)) {
    if (!file.endsWith('.json')) continue;
    const entry = JSON.parse(await readFile(join(catalogDir, file), 'utf8')) as { name?: unknown; tableName?: unknown };
    if (entry.name !== collection || typeof entry.tableName !== 'string') continue;
    const db = await connect(join(dataDir, 'vectors', 'lance'));
    return { db, table: await db.openTable(entry.tableName), tableName: entry.tableName };
  }
  throw new Error(`collection '${collection}' is not in the service's catalog at ${catalogDir}`);
}

/**
 * A search on the table exactly as the adapter issues it for `spec` (null: no index, exact
 * search), on a table of `rows` rows (the adapter's search width grows with them). `limit`: rows
 * asked of the engine (the adapter asks topK + 1 to see a tie at the cut), cut to topK.
 */
export function directSearcher(table: Table, spec: IndexSpec, rows: number, topK: number, limit = topK): (query: number[]) => Promise<string[]> {
  const family = indexFamily(spec);
  const tuning = family === null ? null : searchTuning(spec, family, limit, rows);
  return async (query) => {
    let q: VectorQuery = table
      .vectorSearch(query)
      .column(VECTOR_COLUMN)
      .distanceType(distanceTypeOf(spec.metricType))
      .limit(limit)
      .select([ID_COLUMN, METADATA_COLUMN, DISTANCE_COLUMN]);
    if (tuning === null) q = q.bypassVectorIndex();
    else {
      if (tuning.ef !== undefined) q = q.ef(tuning.ef);
      if (tuning.nprobes !== undefined) q = q.nprobes(tuning.nprobes);
      if (tuning.refineFactor !== undefined) q = q.refineFactor(tuning.refineFactor);
    }
    const rows = (await q.toArray()) as Record<string, unknown>[];
    return rows.slice(0, topK).map((r) => String(r[ID_COLUMN]));
  };
}

/** What the engine reports about the vector index: proof that HNSW searches really go through one. */
export interface VectorIndexStatus {
  built: boolean;
  indexType: string | null;
  distanceType: string | null;
  indexedRows: number;
  unindexedRows: number;
}

export async function vectorIndexStatus(table: Table): Promise<VectorIndexStatus> {
  const index = (await table.listIndices()).find((i) => i.columns[0] === VECTOR_COLUMN);
  if (index === undefined) return { built: false, indexType: null, distanceType: null, indexedRows: 0, unindexedRows: await table.countRows() };
  const stats = await table.indexStats(index.name);
  return {
    built: index.name === VECTOR_INDEX_NAME && stats !== undefined,
    indexType: stats?.indexType ?? index.indexType,
    distanceType: stats?.distanceType ?? null,
    indexedRows: stats?.numIndexedRows ?? 0,
    unindexedRows: stats?.numUnindexedRows ?? 0,
  };
}
