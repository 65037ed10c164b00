import { BinaryReader } from '@bufbuild/protobuf/wire';
import { endianness } from 'node:os';
import { Struct } from '../gen/google/protobuf/struct';
import type { Vector } from '../gen/taishang/ai/v1/vector_service';

/**
 * Insert and Upsert requests decoded by hand, each vector into a Float32Array in one copy.
 *
 * `repeated float vector = 2` arrives packed: the little-endian float32s a Float32Array holds. The
 * generated decoder reads them one by one into a `number[]`, which for a batch of 1,000 × 384
 * was 10 ms of a call's CPU and most of its garbage; copying the bytes is a memcpy. Everything
 * else follows the generated decoder (vector_service.ts) step for step, so that both accept and
 * refuse the same bytes (grpc-malformed-input.test.ts predicts answers with the generated one):
 * the same tags, unknown fields skipped, a message ended by a zero or end-group tag, metadata
 * through the generated Struct decoder under the same nesting limit, and the unpacked form of
 * the floats (one field per float), which proto3 parsers must accept too. A unit test holds
 * this decoder to the generated one on the same bytes.
 */

/** A Vector as this decoder hands it on: its values in a Float32Array. */
export type DecodedVector = Omit<Vector, 'vector'> & { vector: Float32Array };

/** InsertRequest and UpsertRequest have the same fields. */
export interface DecodedWriteRequest {
  collectionName: string;
  vectors: DecodedVector[];
}

const LITTLE_ENDIAN = endianness() === 'LE';
/** Vector (field 2 of the request) is at depth 2 of ts-proto's recursion count when its Struct is read. */
const STRUCT_DEPTH = 2;

export function decodeWriteRequest(bytes: Uint8Array): DecodedWriteRequest {
  const reader = new BinaryReader(bytes);
  // Every float of the message fits here (each takes at least 4 of its bytes): the vectors are
  // views of one buffer instead of a thousand small ones, which cost the collector more than
  // their copying cost.
  const slab = new Slab(bytes.length >>> 2);
  const request: DecodedWriteRequest = { collectionName: '', vectors: [] };
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag === 10) request.collectionName = reader.string();
    else if (tag === 18) request.vectors.push(decodeVector(reader, reader.uint32(), slab));
    else if (stopsMessage(tag)) break;
    else reader.skip(tag & 7);
  }
  return request;
}

/** The generated decoder ends a message at an end-group tag or a zero tag, and skips any other. */
function stopsMessage(tag: number): boolean {
  return (tag & 7) === 4 || tag === 0;
}

function decodeVector(reader: BinaryReader, length: number, slab: Slab): DecodedVector {
  const end = reader.pos + length;
  const vector: DecodedVector = { id: '', vector: EMPTY, metadata: undefined, text: '' };
  let parts: Float32Array[] | undefined;
  const add = (part: Float32Array): void => {
    if (vector.vector.length === 0) vector.vector = part;
    else (parts ??= [vector.vector]).push(part);
  };
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === 10) vector.id = reader.string();
    else if (tag === 18) add(packedFloats(reader, slab));
    else if (tag === 21) add(Float32Array.of(reader.float()));
    else if (tag === 26) vector.metadata = structAt(reader);
    else if (tag === 34) vector.text = reader.string();
    else if (stopsMessage(tag)) break;
    else reader.skip(tag & 7);
  }
  if (parts !== undefined) vector.vector = concat(parts);
  return vector;
}

const EMPTY = new Float32Array(0);

/** Float32 room handed out in order, as views. */
class Slab {
  private readonly floats: Float32Array;
  private readonly bytes: Uint8Array;
  private used = 0;

  constructor(size: number) {
    this.floats = new Float32Array(size);
    this.bytes = new Uint8Array(this.floats.buffer);
  }

  /** The next `count` floats, filled from little-endian `source`. */
  take(source: Uint8Array, count: number): Float32Array {
    const view = this.floats.subarray(this.used, this.used + count);
    if (view.length !== count) throw new Error('packed floats overrun the message');
    if (LITTLE_ENDIAN) this.bytes.set(source, this.used * 4);
    else {
      const data = new DataView(source.buffer, source.byteOffset, source.length);
      for (let i = 0; i < count; i += 1) view[i] = data.getFloat32(i * 4, true);
    }
    this.used += count;
    return view;
  }
}

/**
 * A packed run: its bytes copied at once. A length that is not a multiple of 4 is malformed; the
 * generated decoder then reads floats until it passes the run's end, so this does the same.
 */
function packedFloats(reader: BinaryReader, slab: Slab): Float32Array {
  const start = reader.pos;
  const length = reader.uint32();
  if (length % 4 !== 0) {
    const end = reader.pos + length;
    const values: number[] = [];
    while (reader.pos < end) values.push(reader.float());
    return Float32Array.from(values);
  }
  reader.pos = start;
  const bytes = reader.bytes();
  return slab.take(bytes, length / 4);
}

function structAt(reader: BinaryReader): Record<string, unknown> | undefined {
  const depth = reader as unknown as { __tsProtoDecodeDepth?: number };
  const previous = depth.__tsProtoDecodeDepth;
  depth.__tsProtoDecodeDepth = STRUCT_DEPTH;
  try {
    return Struct.unwrap(Struct.decode(reader, reader.uint32()));
  } finally {
    depth.__tsProtoDecodeDepth = previous;
  }
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
