import {
  Field,
  FixedSizeList,
  Float32,
  Float64,
  RecordBatch,
  Schema,
  Struct,
  Table as ArrowTable,
  Uint8,
  Utf8,
  makeData,
  type Data,
} from 'apache-arrow';
import type { Metadata, Scalar, WriteRecord } from '../../../domain';
import { typedColumnKind, type LeafColumns, type ScalarKind } from './lance-metadata-columns';

/** Our fixed columns; typed metadata columns (m_*) follow them. */
export const ID_COLUMN = 'id';
export const VECTOR_COLUMN = 'vector';
export const METADATA_COLUMN = 'metadata';
/** The record's text (null when it has none); tables created before texts existed lack it. */
export const TEXT_COLUMN = 'text';
export const DISTANCE_COLUMN = '_distance';
/** The BM25 score LanceDB's full-text search adds to each row. */
export const SCORE_COLUMN = '_score';

/** The schema of a new collection's table: float32 vectors, as Milvus stores them too. */
export function baseSchema(dimension: number): Schema {
  return new Schema([
    new Field(ID_COLUMN, new Utf8(), false),
    new Field(VECTOR_COLUMN, new FixedSizeList(dimension, new Field('item', new Float32(), true)), false),
    new Field(METADATA_COLUMN, new Utf8(), false),
    textField(),
  ]);
}

export function textField(): Field {
  return new Field(TEXT_COLUMN, new Utf8(), true);
}

export function typedField(column: string): Field {
  const kind = typedColumnKind(column);
  if (kind === null) throw new Error(`not a typed metadata column: ${column}`);
  return new Field(column, arrowTypeOf(kind), true);
}

/**
 * Booleans are stored as UInt8 0/1: on Lance 0.31 a mergeInsert whose source has an all-null Bool
 * column fails ("Spill has sent an error"), which every upsert lacking that key would hit.
 */
function arrowTypeOf(kind: ScalarKind): Utf8 | Float64 | Uint8 {
  return kind === 'string' ? new Utf8() : kind === 'number' ? new Float64() : new Uint8();
}

/**
 * Rows in the table's current schema, built column by column straight into Arrow buffers (letting
 * LanceDB infer from objects was twice as slow for 10k × 384-d, and Arrow's own builders spent
 * 3.5 ms of a 1,000-row batch on its strings; utf8Data: 0.6). Typed columns a row lacks are null.
 */
export function buildRows(schema: Schema, records: readonly WriteRecord[], leaves: LeafColumns): ArrowTable {
  return new ArrowTable(schema, recordBatch(schema, records, leaves));
}

/**
 * One Arrow record batch per part (per write request of a coalesced group): each request's
 * vectors lie end to end in its own buffer, so each batch's vector column is a view of it, where
 * one batch for the group would copy them all into a new buffer.
 */
export function buildRowBatches(schema: Schema, parts: readonly { records: readonly WriteRecord[]; leaves: LeafColumns }[]): ArrowTable {
  return new ArrowTable(schema, parts.map((part) => recordBatch(schema, part.records, part.leaves)));
}

function recordBatch(schema: Schema, records: readonly WriteRecord[], leaves: LeafColumns): RecordBatch {
  const length = records.length;
  const children = schema.fields.map((field): Data => {
    switch (field.name) {
      case ID_COLUMN:
        return utf8Data(records.map((r) => r.id));
      case METADATA_COLUMN:
        return utf8Data(records.map((r) => JSON.stringify(r.metadata)));
      case VECTOR_COLUMN:
        return vectorData(field.type as FixedSizeList, records);
      case TEXT_COLUMN:
        return utf8Data(records.map((r) => r.text ?? null));
      default: {
        const kind = typedColumnKind(field.name);
        if (kind === null) throw new Error(`unexpected column in table schema: ${field.name}`);
        const column = leaves.get(field.name);
        const values = records.map((_, i) => storedValue(column?.[i]));
        return kind === 'string' ? utf8Data(values as (string | null)[]) : numberData(kind === 'number' ? new Float64() : new Uint8(), values as (number | null)[]);
      }
    }
  });
  const data = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children });
  return new RecordBatch(schema, data);
}

function storedValue(value: Scalar | undefined): string | number | null {
  if (value === undefined) return null;
  return typeof value === 'boolean' ? Number(value) : value;
}

/** A Utf8 column: one pass for the byte length, one for the bytes; null where the value is null. */
function utf8Data(values: readonly (string | null)[]): Data<Utf8> {
  const length = values.length;
  const offsets = new Int32Array(length + 1);
  let bytes = 0;
  let nulls = 0;
  for (let i = 0; i < length; i += 1) {
    const value = values[i];
    if (value === null || value === undefined) nulls += 1;
    else bytes += Buffer.byteLength(value, 'utf8');
    offsets[i + 1] = bytes;
  }
  const data = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < length; i += 1) {
    const value = values[i];
    if (value !== null && value !== undefined) data.write(value, offsets[i]!, 'utf8');
  }
  return makeData({ type: new Utf8(), length, nullCount: nulls, nullBitmap: nulls === 0 ? null : validity(values), valueOffsets: offsets, data: new Uint8Array(data.buffer, data.byteOffset, bytes) });
}

/** A Float64 or Uint8 column, null where the value is null. */
function numberData<T extends Float64 | Uint8>(type: T, values: readonly (number | null)[]): Data<T> {
  const data = type instanceof Float64 ? new Float64Array(values.length) : new Uint8Array(values.length);
  let nulls = 0;
  values.forEach((value, i) => (value === null ? (nulls += 1) : (data[i] = value)));
  return makeData({ type, length: values.length, nullCount: nulls, nullBitmap: nulls === 0 ? null : validity(values), data } as never) as unknown as Data<T>;
}

/** Arrow's validity bitmap: bit i set when value i is not null. */
function validity(values: readonly unknown[]): Uint8Array {
  const bits = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((value, i) => {
    if (value !== null && value !== undefined) bits[i >> 3]! |= 1 << (i & 7);
  });
  return bits;
}

function vectorData(type: FixedSizeList, records: readonly WriteRecord[]): Data {
  const dimension = type.listSize;
  const flat = adjacentVectors(records, dimension) ?? concatenated(records, dimension);
  const child = makeData({ type: new Float32(), length: flat.length, nullCount: 0, data: flat });
  return makeData({ type, length: records.length, nullCount: 0, child });
}

/**
 * The vectors of one gRPC Insert lie end to end in one buffer (vector-request-decoding.ts): then
 * the column is a view of it, not a 1.5 MB copy per 1,000 × 384 batch. Null for anything else.
 */
function adjacentVectors(records: readonly WriteRecord[], dimension: number): Float32Array | null {
  const first = records[0]?.vector;
  if (!(first instanceof Float32Array)) return null;
  for (let i = 0; i < records.length; i += 1) {
    const v = records[i]!.vector;
    if (!(v instanceof Float32Array) || v.buffer !== first.buffer || v.length !== dimension || v.byteOffset !== first.byteOffset + i * dimension * 4) return null;
  }
  return new Float32Array(first.buffer, first.byteOffset, records.length * dimension);
}

function concatenated(records: readonly WriteRecord[], dimension: number): Float32Array {
  const flat = new Float32Array(records.length * dimension);
  records.forEach((r, i) => flat.set(r.vector, i * dimension));
  return flat;
}

/** One row as LanceDB's `toArray()` returns it. */
export interface LanceRow {
  [column: string]: unknown;
}

export function rowId(row: LanceRow): string {
  return String(row[ID_COLUMN]);
}

export function rowMetadata(row: LanceRow): Metadata {
  return JSON.parse(String(row[METADATA_COLUMN])) as Metadata;
}

/** The float32 values as plain numbers (LanceDB hands back an Arrow vector). */
export function rowVector(row: LanceRow): number[] {
  const value = row[VECTOR_COLUMN] as { toArray(): ArrayLike<number> } | ArrayLike<number>;
  return Array.from('toArray' in value ? value.toArray() : value);
}

/** The text column to read, when the table has one (tables created before texts existed do not). */
export function textColumns(columns: ReadonlySet<string>): string[] {
  return columns.has(TEXT_COLUMN) ? [TEXT_COLUMN] : [];
}

/** The text as the record carries it: absent when the row has none (null, or a table without the column). */
export function rowText(row: LanceRow): { text?: string } {
  const value = row[TEXT_COLUMN];
  return typeof value === 'string' ? { text: value } : {};
}

export function rowDistance(row: LanceRow): number {
  return Number(row[DISTANCE_COLUMN]);
}
