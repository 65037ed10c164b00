import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFileRegistry, fromBinary, type DescField, type DescMessage, type DescMethod } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { seededRandom } from '../../src/domain/seeded-random';

/**
 * Protobuf wire bytes built by hand, so a test can send what no encoder would produce (invalid
 * varints, lengths past the end, nesting 10,000 deep) and the service's RPCs and request fields as
 * the contract's descriptors list them, so a new RPC or field is covered without editing a test.
 */

export const WIRE = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;

const SCALAR_STRING = 9;
const SCALAR_BYTES = 12;
const SCALAR_FLOAT = 2;
const SCALAR_DOUBLE = 1;
const FIXED64_SCALARS = new Set([SCALAR_DOUBLE, 6, 16]); // double, fixed64, sfixed64
const FIXED32_SCALARS = new Set([SCALAR_FLOAT, 7, 15]); // float, fixed32, sfixed32

export function varint(value: number): Buffer {
  const out: number[] = [];
  let n = value;
  while (n > 127) {
    out.push((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

export function tag(field: number, wire: number): Buffer {
  return varint(field * 8 + wire);
}

/** A length-delimited field: tag, length, payload. */
export function lenField(field: number, payload: Buffer): Buffer {
  return Buffer.concat([tag(field, WIRE.LEN), varint(payload.length), payload]);
}

export function stringField(field: number, text: string): Buffer {
  return lenField(field, Buffer.from(text, 'utf8'));
}

/** The 5-byte gRPC prefix (compressed flag, big-endian length) and the message. */
export function grpcFrame(message: Buffer, options: { compressed?: boolean; declaredLength?: number } = {}): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt8(options.compressed ? 1 : 0, 0);
  prefix.writeUInt32BE(options.declaredLength ?? message.length, 1);
  return Buffer.concat([prefix, message]);
}

/** google.protobuf.Value with number_value (field 2, a double). */
export function numberValue(n: number): Buffer {
  const b = Buffer.alloc(9);
  b.writeUInt8(0x11, 0);
  b.writeDoubleLE(n, 1);
  return b;
}

/** google.protobuf.Struct from already-encoded Values. */
export function struct(entries: Iterable<[string, Buffer]>): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of entries) parts.push(lenField(1, Buffer.concat([stringField(1, key), lenField(2, value)])));
  return Buffer.concat(parts);
}

/** A Struct of `keys` number entries k0, k1, ... */
export function wideStruct(keys: number): Buffer {
  return struct((function* () {
    for (let i = 0; i < keys; i += 1) yield [`k${i}`, numberValue(i)] as [string, Buffer];
  })());
}

/**
 * A Struct nested `depth` levels: {"a": {"a": ... {"a": 1}}}, or with `lists`, {"a": [[[...[1]...]]]}.
 * Built outside-in from the lengths alone, so 10,000 levels cost one copy, not 10,000.
 */
export function deepStruct(depth: number, lists = false): Buffer {
  const leaf = numberValue(1);
  // Each level wraps its inner bytes in fixed headers; compute every length first, innermost out.
  const headers: Buffer[] = [];
  let inner = leaf.length;
  for (let level = 0; level < depth; level += 1) {
    if (lists) {
      // Value{list_value(6): ListValue{values(1): <inner Value>}}
      const listValue = Buffer.concat([tag(1, WIRE.LEN), varint(inner)]);
      const value = Buffer.concat([tag(6, WIRE.LEN), varint(listValue.length + inner)]);
      headers.push(Buffer.concat([value, listValue]));
      inner += value.length + listValue.length;
    } else {
      // Value{struct_value(5): Struct{fields(1): Entry{key(1): "a", value(2): <inner Value>}}}
      const entryTail = Buffer.concat([stringField(1, 'a'), tag(2, WIRE.LEN), varint(inner)]);
      const entry = Buffer.concat([tag(1, WIRE.LEN), varint(entryTail.length + inner)]);
      const value = Buffer.concat([tag(5, WIRE.LEN), varint(entry.length + entryTail.length + inner)]);
      headers.push(Buffer.concat([value, entry, entryTail]));
      inner += value.length + entry.length + entryTail.length;
    }
  }
  // The outermost Value becomes the Struct's entry "a".
  const value = Buffer.concat([...headers.reverse(), leaf]);
  return struct([['a', value]]);
}

/** Packed floats (a repeated float field) of `count` values. */
export function packedFloats(field: number, count: number, fill = 0.5): Buffer {
  const floats = new Float32Array(count).fill(fill);
  return lenField(field, Buffer.from(floats.buffer));
}

// ---- the contract's descriptors ----

const registry = createFileRegistry(
  fromBinary(FileDescriptorSetSchema, readFileSync(join(__dirname, '..', '..', 'src', 'gen', 'descriptor-set.binpb'))),
);

export const SERVICES = ['taishang.ai.v1.VectorService', 'taishang.ai.v1.ModelService'] as const;

export interface Rpc {
  /** e.g. VectorService/Insert, for case names. */
  label: string;
  path: string;
  method: DescMethod;
  serverStreaming: boolean;
  /** The request is a stream of messages (ImportSnapshot): zero or several of them are not a frame error. */
  clientStreaming: boolean;
  /** google.protobuf.Empty: nothing to validate, so any well-formed bytes are a valid request. */
  takesEmpty: boolean;
}

/** Every RPC of VectorService and ModelService, as the descriptor set lists them. */
export function allRpcs(): Rpc[] {
  return SERVICES.flatMap((name) => {
    const service = registry.getService(name);
    if (service === undefined) throw new Error(`${name} is not in src/gen/descriptor-set.binpb`);
    return service.methods.map((method) => ({
      label: `${service.name}/${method.name}`,
      path: `/${service.typeName}/${method.name}`,
      method,
      serverStreaming: method.methodKind === 'server_streaming',
      clientStreaming: method.methodKind === 'client_streaming',
      takesEmpty: method.input.typeName === 'google.protobuf.Empty',
    }));
  });
}

function wireOf(field: DescField): number {
  // Messages, maps, strings and repeated fields (packed when numeric) are all length-delimited.
  if (field.fieldKind !== 'scalar') return WIRE.LEN;
  const scalar = field.scalar;
  if (scalar === SCALAR_STRING || scalar === SCALAR_BYTES) return WIRE.LEN;
  if (FIXED64_SCALARS.has(scalar)) return WIRE.I64;
  if (FIXED32_SCALARS.has(scalar)) return WIRE.I32;
  return WIRE.VARINT;
}

/** One well-formed field value of each wire type, for "a known field number with the wrong wire type". */
export function wrongWireTypes(message: DescMessage): { name: string; bytes: Buffer }[] {
  const payloads: Record<number, Buffer> = {
    [WIRE.VARINT]: varint(300),
    [WIRE.I64]: Buffer.alloc(8, 1),
    [WIRE.LEN]: Buffer.concat([varint(3), Buffer.from('abc')]),
    [WIRE.I32]: Buffer.alloc(4, 1),
  };
  const out: { name: string; bytes: Buffer }[] = [];
  for (const field of message.fields) {
    const own = wireOf(field);
    for (const [wire, payload] of Object.entries(payloads)) {
      if (Number(wire) === own) continue;
      out.push({ name: `${field.name} as wire type ${wire}`, bytes: Buffer.concat([tag(field.number, Number(wire)), payload]) });
    }
    // A group start never closed, a lone group end, and the two wire types protobuf never assigned.
    out.push({ name: `${field.name} as an unclosed group`, bytes: tag(field.number, WIRE.SGROUP) });
    out.push({ name: `${field.name} as a lone group end`, bytes: tag(field.number, WIRE.EGROUP) });
    for (const wire of [6, 7]) out.push({ name: `${field.name} as wire type ${wire}`, bytes: Buffer.concat([tag(field.number, wire), varint(1)]) });
  }
  return out;
}

/**
 * A valid encoding of `message` with every field set: strings "wrong type" (never a valid
 * collection or model name), numbers 7, floats 0.5, true, a one-key Struct, sub-messages filled
 * the same way (to `depth` levels), two elements per repeated field.
 */
export function sampleMessage(message: DescMessage, depth = 3): Buffer {
  const parts: Buffer[] = [];
  for (const field of message.fields) {
    const one = (): Buffer | undefined => {
      const scalar = field.fieldKind === 'scalar' || (field.fieldKind === 'list' && field.listKind === 'scalar') ? field.scalar : undefined;
      const sub = field.fieldKind === 'message' || (field.fieldKind === 'list' && field.listKind === 'message') ? field.message : undefined;
      if (sub !== undefined) {
        if (sub.typeName === 'google.protobuf.Struct') return lenField(field.number, struct([['k', stringValue('v')]]));
        if (depth === 0) return undefined;
        return lenField(field.number, sampleMessage(sub, depth - 1));
      }
      if (scalar === SCALAR_STRING || scalar === SCALAR_BYTES) return stringField(field.number, 'wrong type');
      if (scalar !== undefined && FIXED32_SCALARS.has(scalar)) {
        const b = Buffer.alloc(4);
        b.writeFloatLE(0.5);
        return Buffer.concat([tag(field.number, WIRE.I32), b]);
      }
      if (scalar !== undefined && FIXED64_SCALARS.has(scalar)) {
        const b = Buffer.alloc(8);
        b.writeDoubleLE(0.5);
        return Buffer.concat([tag(field.number, WIRE.I64), b]);
      }
      return Buffer.concat([tag(field.number, WIRE.VARINT), varint(field.fieldKind === 'scalar' && field.scalar === 8 ? 1 : 7)]);
    };
    const value = one();
    if (value === undefined) continue;
    parts.push(value);
    if (field.fieldKind === 'list') parts.push(value);
  }
  return Buffer.concat(parts);
}

function stringValue(text: string): Buffer {
  return stringField(3, text);
}

/** Field values by proto field name: strings, integers, booleans, repeated floats (packed). */
export type FieldValues = Record<string, string | number | boolean | number[]>;

/** Encodes the named fields of `message`; a name the message lacks is a test bug. */
export function encodeFields(message: DescMessage, values: FieldValues): Buffer {
  return Buffer.concat(
    Object.entries(values).map(([name, value]) => {
      const field = message.fields.find((f) => f.name === name);
      if (field === undefined) throw new Error(`${message.typeName} has no field ${name}`);
      if (typeof value === 'string') return stringField(field.number, value);
      if (Array.isArray(value)) return lenField(field.number, Buffer.from(new Float32Array(value).buffer));
      return Buffer.concat([tag(field.number, WIRE.VARINT), varint(Number(value))]);
    }),
  );
}

/** A path from a request to one of its google.protobuf.Struct fields. */
export interface StructPath {
  /** In proto field names, e.g. vectors[0].metadata */
  name: string;
  /** The messages on the way, the request first, each with the field taken from it. */
  steps: { message: DescMessage; number: number }[];
}

/** Every Struct field reachable from `message` (sub-messages followed `depth` levels). */
export function structPaths(message: DescMessage, depth = 3): StructPath[] {
  const out: StructPath[] = [];
  for (const field of message.fields) {
    const sub = field.fieldKind === 'message' || (field.fieldKind === 'list' && field.listKind === 'message') ? field.message : undefined;
    if (sub === undefined) continue;
    const name = field.fieldKind === 'list' ? `${field.name}[0]` : field.name;
    const step = { message, number: field.number };
    if (sub.typeName === 'google.protobuf.Struct') out.push({ name, steps: [step] });
    else if (depth > 0) {
      for (const inner of structPaths(sub, depth - 1)) out.push({ name: `${name}.${inner.name}`, steps: [step, ...inner.steps] });
    }
  }
  return out;
}

/**
 * Puts Struct bytes at `path`, each enclosing message also carrying `siblings(message)` (the
 * other fields that make the request valid up to the Struct), innermost first.
 */
export function atPath(path: StructPath, structBytes: Buffer, siblings: (message: DescMessage) => Buffer): Buffer {
  return path.steps.reduceRight((inner, step) => Buffer.concat([siblings(step.message), lenField(step.number, inner)]), structBytes);
}

/** A fixed-seed PRNG (mulberry32), so "random garbage" is the same bytes on every run. */
export function seededBytes(seed: number, length: number): Buffer {
  const next = seededRandom(seed);
  const out = Buffer.alloc(length);
  // next() is a 32-bit integer over 2^32, so this is its low byte.
  for (let i = 0; i < length; i += 1) out[i] = (next() * 4294967296) & 0xff;
  return out;
}
