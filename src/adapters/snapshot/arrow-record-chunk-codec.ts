import {
  Field,
  FixedSizeList,
  Float32,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Utf8,
  makeData,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
  type Data,
} from 'apache-arrow';
import type { Metadata, RecordChunkCodec, VectorRecord } from '../../domain';

/**
 * A snapshot chunk as an Arrow IPC stream (schema + one record batch), readable by any Arrow
 * library (`pyarrow.ipc.open_stream(payload).read_all()`): `id` utf8, `vector`
 * fixed_size_list<float32>[dim], `metadata` utf8 (the JSON text), `text` utf8 (null: none).
 */
export const ARROW_CHUNK_FORMAT = 'arrow-ipc-stream/1 id:utf8 vector:fixed_size_list<float32> metadata:utf8(json) text:utf8?';

export class ArrowRecordChunkCodec implements RecordChunkCodec {
  readonly format = ARROW_CHUNK_FORMAT;

  encode(records: readonly VectorRecord[], dimension: number): Uint8Array {
    const schema = chunkSchema(dimension);
    const flat = new Float32Array(records.length * dimension);
    records.forEach((r, i) => flat.set(r.vector, i * dimension));
    const vector = makeData({
      type: schema.fields[1]!.type as FixedSizeList,
      length: records.length,
      nullCount: 0,
      child: makeData({ type: new Float32(), length: flat.length, nullCount: 0, data: flat }),
    });
    const children: Data[] = [
      vectorFromArray(records.map((r) => r.id), new Utf8()).data[0]!,
      vector,
      vectorFromArray(records.map((r) => JSON.stringify(r.metadata)), new Utf8()).data[0]!,
      vectorFromArray(records.map((r) => r.text ?? null), new Utf8()).data[0]!,
    ];
    const data = makeData({ type: new Struct(schema.fields), length: records.length, nullCount: 0, children });
    return tableToIPC(new Table(schema, new RecordBatch(schema, data)), 'stream');
  }

  /** Throws on anything but exactly this layout: another schema is another format, not a near miss. */
  decode(payload: Uint8Array, dimension: number): VectorRecord[] {
    const table = tableFromIPC(payload);
    const expected = chunkSchema(dimension);
    const fields = table.schema.fields;
    if (fields.length !== expected.fields.length || fields.some((f, i) => f.name !== expected.fields[i]!.name || String(f.type) !== String(expected.fields[i]!.type))) {
      throw new Error(`chunk schema ${String(table.schema)} is not ${String(expected)}`);
    }
    const records: VectorRecord[] = [];
    for (const batch of table.batches) {
      const ids = batch.getChildAt(0)!;
      const list = batch.getChildAt(1)!.data[0]!;
      const floats = list.children[0]!;
      const flat = floats.values as Float32Array;
      const metadata = batch.getChildAt(2)!;
      const texts = batch.getChildAt(3)!;
      for (let i = 0; i < batch.numRows; i++) {
        const id = ids.get(i) as string | null;
        const json = metadata.get(i) as string | null;
        if (id === null || json === null) throw new Error(`row ${i}: id and metadata must not be null`);
        const parsed = JSON.parse(json) as unknown;
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`row ${i}: metadata is not a JSON object`);
        const start = floats.offset + (list.offset + i) * dimension;
        if (start + dimension > flat.length) throw new Error(`row ${i}: vector data ends early`);
        const text = texts.get(i) as string | null;
        records.push({ id, vector: Array.from(flat.subarray(start, start + dimension)), metadata: parsed as Metadata, ...(text === null ? {} : { text }) });
      }
    }
    return records;
  }
}

function chunkSchema(dimension: number): Schema {
  return new Schema([
    new Field('id', new Utf8(), false),
    new Field('vector', new FixedSizeList(dimension, new Field('item', new Float32(), true)), false),
    new Field('metadata', new Utf8(), false),
    new Field('text', new Utf8(), true),
  ]);
}
