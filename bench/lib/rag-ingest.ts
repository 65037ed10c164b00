import { connect } from '@lancedb/lancedb';
import { Field, FixedSizeList, Float32, RecordBatch, Schema, Struct, Table as ArrowTable, Utf8, makeData, vectorFromArray } from 'apache-arrow';
import { ID_COLUMN, METADATA_COLUMN, VECTOR_COLUMN } from '../../src/adapters/vector/lance/lance-arrow-rows';
import type { VectorServiceClient } from '../../src/gen/taishang/ai/v1/vector_service';
import { cpuBetween, sampleCpu } from './cpu-meter';
import { idOf, metadataOf } from './grpc-door';
import type { DirectEmbedder } from './models-direct-embed';

/** The text column's name on lancetext's tables (lance-arrow-rows.ts TEXT_COLUMN there). */
export const TEXT_COLUMN = 'text';

export interface IngestSettings {
  /** Texts per Insert call and per direct table.add. */
  batch: number;
  /** Insert calls a client keeps in flight. */
  inflight: number;
  /** Texts per direct pipeline call: the service's micro-batch for the model (its max_batch). */
  embedBatch: number;
  /** The model's dimension (the direct table's vector width). */
  dim: number;
}

/** One side's ingest of every document: wall time, and CPU of the bench, the service and the rest of the machine. */
export interface IngestRun {
  side: 'service' | 'direct';
  round: number;
  docs: number;
  seconds: number;
  docsPerSec: number;
  cpu: { bench: number; service: number; other: number };
  /** Service only: the Compact after the ingest (waits for background compactions), not in `seconds`. */
  compactSeconds?: number;
}

const seconds = (from: bigint): number => Number(process.hrtime.bigint() - from) / 1e9;

/**
 * The client side of "Insert with text": records carrying text and no vector, `batch` per call,
 * `inflight` calls at a time (a loader that keeps the model busy across its own round trips),
 * into a collection bound to the embedding model. Then Compact, outside the timed window, so the
 * compactions it queued do not run into the next measurement.
 */
export async function ingestThroughService(client: VectorServiceClient, servicePid: number, collection: string, docs: readonly string[], s: IngestSettings, round: number): Promise<IngestRun> {
  const cpu0 = sampleCpu(servicePid);
  const started = process.hrtime.bigint();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const from = next;
      next += s.batch;
      if (from >= docs.length) return;
      const slice = docs.slice(from, from + s.batch);
      const { ids } = await client.insert({
        collectionName: collection,
        vectors: slice.map((text, i) => ({ id: idOf(from + i), vector: [], metadata: metadataOf(from + i), text })),
      });
      if (ids.length !== slice.length) throw new Error(`insert at ${from} stored ${ids.length} of ${slice.length} texts`);
    }
  };
  await Promise.all(Array.from({ length: s.inflight }, worker));
  const wall = seconds(started);
  const cpu = cpuBetween(cpu0, sampleCpu(servicePid));
  const t = process.hrtime.bigint();
  await client.compact({ collectionName: collection });
  return { side: 'service', round, docs: docs.length, seconds: wall, docsPerSec: docs.length / wall, cpu, compactSeconds: seconds(t) };
}

/**
 * The same work without the service: the same texts embedded by the transformers.js pipeline in
 * the service's micro-batch size, and the same rows (id, vector, metadata JSON, text) added to a
 * fresh LanceDB table in `dir`, `batch` rows per table.add. Each add overlaps the next batch's
 * embedding (one add in flight, so adds stay in order), the best a direct loader does.
 */
export async function ingestDirect(embedder: DirectEmbedder, servicePid: number, dir: string, table: string, docs: readonly string[], s: IngestSettings, round: number): Promise<IngestRun> {
  const db = await connect(dir);
  try {
    const schema = ragSchema(s.dim);
    const target = await db.createEmptyTable(table, schema);
    const cpu0 = sampleCpu(servicePid);
    const started = process.hrtime.bigint();
    let adding: Promise<unknown> = Promise.resolve();
    for (let from = 0; from < docs.length; from += s.batch) {
      const slice = docs.slice(from, from + s.batch);
      const vectors: number[][] = [];
      for (let e = 0; e < slice.length; e += s.embedBatch) vectors.push(...(await embedder.embed(slice.slice(e, e + s.embedBatch))));
      await adding;
      adding = target.add(ragRows(schema, from, vectors, slice));
    }
    await adding;
    const wall = seconds(started);
    const cpu = cpuBetween(cpu0, sampleCpu(servicePid));
    if ((await target.countRows()) !== docs.length) throw new Error('direct ingest lost rows');
    target.close();
    return { side: 'direct', round, docs: docs.length, seconds: wall, docsPerSec: docs.length / wall, cpu };
  } finally {
    db.close();
  }
}

/** The service's fixed columns with text (typed metadata columns aside). */
export function ragSchema(dim: number): Schema {
  return new Schema([
    new Field(ID_COLUMN, new Utf8(), false),
    new Field(VECTOR_COLUMN, new FixedSizeList(dim, new Field('item', new Float32(), true)), false),
    new Field(METADATA_COLUMN, new Utf8(), false),
    new Field(TEXT_COLUMN, new Utf8(), true),
  ]);
}

function ragRows(schema: Schema, offset: number, vectors: readonly number[][], texts: readonly string[]): ArrowTable {
  const type = schema.fields[1]!.type as FixedSizeList;
  const flat = new Float32Array(vectors.length * type.listSize);
  vectors.forEach((v, i) => flat.set(v, i * type.listSize));
  const children = [
    vectorFromArray(texts.map((_, i) => idOf(offset + i)), new Utf8()).data[0]!,
    makeData({ type, length: vectors.length, nullCount: 0, child: makeData({ type: new Float32(), length: flat.length, nullCount: 0, data: flat }) }),
    vectorFromArray(texts.map((_, i) => JSON.stringify(metadataOf(offset + i))), new Utf8()).data[0]!,
    vectorFromArray([...texts], new Utf8()).data[0]!,
  ];
  const data = makeData({ type: new Struct(schema.fields), length: vectors.length, nullCount: 0, children });
  return new ArrowTable(schema, new RecordBatch(schema, data));
}
