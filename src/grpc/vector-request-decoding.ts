import { BinaryReader } from '@bufbuild/protobuf/wire';
import { endianness } from 'node:os';
import type { Vector } from '../gen/taishang/ai/v1/vector_service';
import { callCancelled, type CallOptions } from '../domain';
import { FloatSlabs } from './float-slabs';

/**
 * Insert and Upsert requests decoded by hand, each vector into a Float32Array in one copy.
 *
 * `repeated float vector = 2` arrives packed: the little-endian float32s a Float32Array holds. The
 * generated decoder reads them one by one into a `number[]`, which for a batch of 1,000 × 384
 * was 10 ms of a call's CPU and most of its garbage; copying the bytes is a memcpy. Everything
 * else follows the generated decoder (vector_service.ts) step for step, so that both accept and
 * refuse the same bytes (grpc-malformed-input.test.ts predicts answers with the generated one):
 * the same tags, unknown fields skipped, a message ended by a zero or end-group tag, metadata
 * read as the generated Struct decoder and unwrap read it (same nesting limit; structAt), and
 * the unpacked form of the floats (one field per float), which proto3 parsers must accept too.
 * A unit test holds this decoder to the generated one on the same bytes.
 */

/** A Vector as this decoder hands it on: its values in a Float32Array. */
export type DecodedVector = Omit<Vector, 'vector'> & { vector: Float32Array };

/**
 * InsertRequest and UpsertRequest have the same fields. The vectors are views of one slab from
 * `slabs`, given back by `writingFrom` once no store can still read them; `#slab` is private and
 * `release` on the prototype, so the request still compares equal to the generated decoder's.
 */
export class DecodedWriteRequest {
  collectionName = '';
  readonly vectors: DecodedVector[] = [];
  #slab: Float32Array | null;
  readonly #slabs: FloatSlabs;

  constructor(slabs: FloatSlabs, slab: Float32Array) {
    this.#slabs = slabs;
    this.#slab = slab;
  }

  /** Hands the slab back for the next request; the vectors must not be read afterwards. */
  release(): void {
    if (this.#slab !== null) this.#slabs.give(this.#slab);
    this.#slab = null;
  }
}

const SLABS = new FloatSlabs();

/**
 * Runs a write of a decoded request's vectors, then gives its slab back when the store is done
 * with them: the call settled while its caller was still there. A store keeps no reference to a
 * record's vector once the write has settled (the VectorStore port's rule), but a caller who left
 * is answered at once while the group its write joined may still be reading from the slab, so
 * that slab is left to the collector.
 */
export async function writingFrom<T>(request: unknown, call: CallOptions, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } finally {
    if (request instanceof DecodedWriteRequest && !callCancelled(call)) request.release();
  }
}

const LITTLE_ENDIAN = endianness() === 'LE';
/** Vector (field 2 of the request) is at depth 2 of ts-proto's recursion count when its Struct is read. */
const STRUCT_DEPTH = 2;

export function decodeWriteRequest(bytes: Uint8Array, slabs: FloatSlabs = SLABS): DecodedWriteRequest {
  const reader = new BinaryReader(bytes);
  // Every float of the message fits here (each takes at least 4 of its bytes): the vectors are
  // views of one buffer instead of a thousand small ones, which cost the collector more than
  // their copying cost.
  const room = slabs.takeFloats(bytes.length >>> 2);
  const slab = new Slab(room);
  const request = new DecodedWriteRequest(slabs, room);
  try {
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      if (tag === 10) request.collectionName = reader.string();
      else if (tag === 18) request.vectors.push(decodeVector(reader, bytes, reader.uint32(), slab));
      else if (stopsMessage(tag)) break;
      else reader.skip(tag & 7);
    }
  } catch (error) {
    // Malformed bytes: grpc-js answers INTERNAL and the request is never seen again.
    request.release();
    throw error;
  }
  return request;
}

/** The generated decoder ends a message at an end-group tag or a zero tag, and skips any other. */
function stopsMessage(tag: number): boolean {
  return (tag & 7) === 4 || tag === 0;
}

function decodeVector(reader: BinaryReader, bytes: Uint8Array, length: number, slab: Slab): DecodedVector {
  const end = reader.pos + length;
  const vector: DecodedVector = { id: '', vector: EMPTY, metadata: undefined, text: '' };
  // Several runs of floats (legal, rare) are joined at the end; one run is the common case.
  let parts: Float32Array[] | undefined;
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === 10) vector.id = stringAt(reader, bytes);
    else if (tag === 18 || tag === 21) {
      const part = tag === 18 ? packedFloats(reader, slab) : Float32Array.of(reader.float());
      if (vector.vector.length === 0) vector.vector = part;
      else (parts ??= [vector.vector]).push(part);
    } else if (tag === 26) vector.metadata = structAt(reader, bytes);
    else if (tag === 34) vector.text = stringAt(reader, bytes);
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

  constructor(floats: Float32Array) {
    this.floats = floats;
    this.bytes = new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength);
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

/**
 * A string field, as the reader's `string()` reads it: an ASCII one straight from the request's
 * Buffer (the reader builds an array of its char codes first, for every id of a batch), anything
 * else, or bytes that are not a Buffer, through the reader itself.
 */
function stringAt(reader: BinaryReader, bytes: Uint8Array): string {
  if (!Buffer.isBuffer(bytes)) return reader.string();
  const before = reader.pos;
  const length = reader.uint32();
  const start = reader.pos;
  const end = start + length;
  if (end > reader.len) throw new RangeError('premature EOF');
  for (let i = start; i < end; i += 1) {
    if (bytes[i]! > 0x7f) {
      reader.pos = before;
      return reader.string();
    }
  }
  reader.pos = end;
  return bytes.toString('latin1', start, end);
}

/**
 * A Vector's metadata: google.protobuf.Struct read straight into the plain object the generated
 * `Struct.unwrap(Struct.decode(...))` returns, without its Struct, entry and Value objects (for a
 * batch of a thousand records, most of the decoder's garbage). Step for step the generated code:
 * the same tags, the last of a repeated field winning, unknown fields skipped, a message ended by
 * a zero or end-group tag, and the same recursion limit (ts-proto counts Struct, entry, Value and
 * ListValue levels, and throws at 100; the Struct of a Vector is at level 2).
 */
function structAt(reader: BinaryReader, bytes: Uint8Array): Record<string, unknown> {
  return structBody(reader, bytes, reader.uint32(), STRUCT_DEPTH);
}

const RECURSION_LIMIT = 100;

function enter(depth: number): void {
  if (depth >= RECURSION_LIMIT) throw new Error('protobuf decode recursion limit exceeded');
}

function structBody(reader: BinaryReader, bytes: Uint8Array, length: number, depth: number): Record<string, unknown> {
  enter(depth);
  const end = reader.pos + length;
  const object: Record<string, unknown> = {};
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === 10) {
      // Struct.FieldsEntry { key = 1; value = 2 }, one level deeper.
      const entryLength = reader.uint32();
      enter(depth + 1);
      const entryEnd = reader.pos + entryLength;
      let key = '';
      let value: unknown = undefined;
      while (reader.pos < entryEnd) {
        const entryTag = reader.uint32();
        if (entryTag === 10) key = stringAt(reader, bytes);
        else if (entryTag === 18) value = valueBody(reader, bytes, reader.uint32(), depth + 2);
        else if (stopsMessage(entryTag)) break;
        else reader.skip(entryTag & 7);
      }
      // The generated code assigns into a plain object and copies its own keys: an entry without a
      // value is left out, and a "__proto__" key never survives the copy.
      if (value !== undefined && key !== '__proto__') object[key] = value;
    } else if (stopsMessage(tag)) break;
    else reader.skip(tag & 7);
  }
  return object;
}

/** A google.protobuf.Value as `Value.unwrap` gives it: null, a number, string, boolean, object or array; undefined when unset. */
function valueBody(reader: BinaryReader, bytes: Uint8Array, length: number, depth: number): unknown {
  enter(depth);
  const end = reader.pos + length;
  let value: unknown = undefined;
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === 8) {
      reader.int32();
      value = null;
    } else if (tag === 17) value = reader.double();
    else if (tag === 26) value = stringAt(reader, bytes);
    else if (tag === 32) value = reader.bool();
    else if (tag === 42) value = structBody(reader, bytes, reader.uint32(), depth + 1);
    else if (tag === 50) value = listBody(reader, bytes, reader.uint32(), depth + 1);
    else if (stopsMessage(tag)) break;
    else reader.skip(tag & 7);
  }
  return value;
}

/** A google.protobuf.ListValue as `ListValue.unwrap` gives it: its values, unset ones as undefined. */
function listBody(reader: BinaryReader, bytes: Uint8Array, length: number, depth: number): unknown[] {
  enter(depth);
  const end = reader.pos + length;
  const values: unknown[] = [];
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === 10) values.push(valueBody(reader, bytes, reader.uint32(), depth + 1));
    else if (stopsMessage(tag)) break;
    else reader.skip(tag & 7);
  }
  return values;
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
