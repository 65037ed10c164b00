/**
 * InsertRequest bytes written by hand, as a fast client (the Go client, any protobuf library
 * with packed-float encoding) writes them: sizes first, then one buffer, each vector's float32s
 * copied in one piece. ts-proto's encoder writes float by float, 26 ms for 1,000 × 384 on this
 * machine: on 2 shared cores that client cost would be charged to the service. ingest-bench.ts
 * checks, before it measures, that the generated decoder reads these bytes back as the batch.
 */

type Flat = Record<string, number | string>;

const WIRE_I64 = 1;
const WIRE_LEN = 2;

/** `collection_name` 1, `vectors` 2: Vector { id 1, vector 2 (packed), metadata 3 (Struct) }. */
export function encodeInsert(collection: string, ids: readonly string[], vectors: readonly Float32Array[], metadata: readonly Flat[]): Buffer {
  const structs = metadata.map(structBytes);
  const bodies = vectors.map((v, i) => lenSize(Buffer.byteLength(ids[i]!)) + lenSize(v.byteLength) + lenSize(structs[i]!.length));
  const total = lenSize(Buffer.byteLength(collection)) + bodies.reduce((n, b) => n + lenSize(b), 0);
  const out = new Writer(Buffer.allocUnsafe(total));
  out.string(1, collection);
  vectors.forEach((v, i) => {
    out.header(2, bodies[i]!);
    out.string(1, ids[i]!);
    out.header(2, v.byteLength);
    out.bytes(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    out.header(3, structs[i]!.length);
    out.bytes(structs[i]!);
  });
  if (out.at !== total) throw new Error(`insert-encoding: wrote ${out.at} of ${total} bytes`);
  return out.buffer;
}

/** google.protobuf.Struct of flat number and string values (few per record; small buffers are fine). */
function structBytes(values: Flat): Buffer {
  const entries = Object.entries(values).map(([key, value]) => {
    const valueSize = typeof value === 'number' ? 1 + 8 : lenSize(Buffer.byteLength(value));
    const entrySize = lenSize(Buffer.byteLength(key)) + lenSize(valueSize);
    return { key, value, valueSize, entrySize };
  });
  const w = new Writer(Buffer.allocUnsafe(entries.reduce((n, e) => n + lenSize(e.entrySize), 0)));
  for (const { key, value, valueSize, entrySize } of entries) {
    w.header(1, entrySize);
    w.string(1, key);
    w.header(2, valueSize);
    if (typeof value === 'number') {
      w.varint((2 << 3) | WIRE_I64);
      w.at = w.buffer.writeDoubleLE(value, w.at);
    } else w.string(3, value);
  }
  return w.buffer;
}

/** A length-delimited field's size: tag (one byte for fields 1–15), length varint, payload. */
function lenSize(payload: number): number {
  return 1 + varintSize(payload) + payload;
}

function varintSize(value: number): number {
  let size = 1;
  for (let v = value; v > 0x7f; v = Math.floor(v / 128)) size += 1;
  return size;
}

class Writer {
  at = 0;
  constructor(readonly buffer: Buffer) {}

  header(field: number, length: number): void {
    this.varint((field << 3) | WIRE_LEN);
    this.varint(length);
  }

  string(field: number, text: string): void {
    this.header(field, Buffer.byteLength(text));
    this.at += this.buffer.write(text, this.at, 'utf8');
  }

  bytes(bytes: Uint8Array): void {
    this.buffer.set(bytes, this.at);
    this.at += bytes.length;
  }

  varint(value: number): void {
    let v = value;
    while (v > 0x7f) {
      this.buffer[this.at++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buffer[this.at++] = v;
  }
}
