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
  vectorFromArray,
  type Data,
} from 'apache-arrow';
import type { Metadata, Scalar, VectorRecord } from '../../../domain';
import { typedColumnKind, type ScalarKind } from './lance-metadata-columns';

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
 * Rows in the table's current schema, built column by column (about twice as fast as letting
 * LanceDB infer from objects for 10k × 384-d). Typed columns a row lacks are null.
 */
export function buildRows(schema: Schema, records: readonly VectorRecord[], leaves: readonly Map<string, Scalar>[]): ArrowTable {
  const length = records.length;
  const children = schema.fields.map((field): Data => {
    switch (field.name) {
      case ID_COLUMN:
        return vectorFromArray(records.map((r) => r.id), new Utf8()).data[0]!;
      case METADATA_COLUMN:
        return vectorFromArray(records.map((r) => JSON.stringify(r.metadata)), new Utf8()).data[0]!;
      case VECTOR_COLUMN:
        return vectorData(field.type as FixedSizeList, records);
      case TEXT_COLUMN:
        return vectorFromArray(records.map((r) => r.text ?? null), new Utf8()).data[0]!;
      default: {
        const kind = typedColumnKind(field.name);
        if (kind === null) throw new Error(`unexpected column in table schema: ${field.name}`);
        const values = leaves.map((row) => storedValue(row.get(field.name)));
        return vectorFromArray(values, arrowTypeOf(kind)).data[0]!;
      }
    }
  });
  const data = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children });
  return new ArrowTable(schema, new RecordBatch(schema, data));
}

function storedValue(value: Scalar | undefined): string | number | null {
  if (value === undefined) return null;
  return typeof value === 'boolean' ? Number(value) : value;
}

function vectorData(type: FixedSizeList, records: readonly VectorRecord[]): Data {
  const dimension = type.listSize;
  const flat = new Float32Array(records.length * dimension);
  records.forEach((r, i) => flat.set(r.vector, i * dimension));
  const child = makeData({ type: new Float32(), length: flat.length, nullCount: 0, data: flat });
  return makeData({ type, length: records.length, nullCount: 0, child });
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
