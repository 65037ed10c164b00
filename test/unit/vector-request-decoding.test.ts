import { InsertRequest, UpsertRequest } from '../../src/gen/taishang/ai/v1/vector_service';
import { decodeWriteRequest, type DecodedWriteRequest } from '../../src/grpc/vector-request-decoding';
import { deepStruct, lenField, numberValue, seededBytes, stringField, struct, tag, varint, WIRE } from '../support/proto-bytes';

/**
 * The hand decoder of Insert and Upsert must read every byte string as the generated decoder does:
 * the same message (vectors as numbers), or a throw where it throws. The malformed-input
 * integration test predicts the service's answers with the generated decoder.
 */

type Outcome = { threw: true } | { threw: false; message: unknown };

function generated(bytes: Uint8Array): Outcome {
  try {
    return { threw: false, message: InsertRequest.decode(bytes) };
  } catch {
    return { threw: true };
  }
}

function byHand(bytes: Uint8Array): Outcome {
  let decoded: DecodedWriteRequest;
  try {
    decoded = decodeWriteRequest(bytes);
  } catch {
    return { threw: true };
  }
  // toEqual compares own properties only; the generated unwrap always yields plain prototypes.
  expect(plainPrototypes(decoded.vectors.map((v) => v.metadata))).toBe(true);
  return { threw: false, message: asNumbers(decoded) };
}

function plainPrototypes(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== Array.prototype) return false;
  return Object.values(value).every(plainPrototypes);
}

function asNumbers(request: DecodedWriteRequest): unknown {
  return { ...request, vectors: request.vectors.map((v) => ({ ...v, vector: Array.from(v.vector) })) };
}

/** grpc-js hands the decoder a Buffer; other callers may pass a plain Uint8Array: both must read alike. */
function expectSame(bytes: Uint8Array): Outcome {
  const expected = generated(bytes);
  expect(byHand(Buffer.from(bytes))).toEqual(expected);
  expect(byHand(new Uint8Array(bytes))).toEqual(expected);
  return expected;
}

function float32(x: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeFloatLE(x);
  return b;
}

function packed(values: number[]): Buffer {
  return lenField(2, Buffer.concat(values.map(float32)));
}

function vectorMessage(...fields: Buffer[]): Buffer {
  return lenField(2, Buffer.concat(fields));
}

describe('decodeWriteRequest', () => {
  it('reads what the generated encoder writes: ids, float32 vectors, metadata, text', () => {
    const vectors = Array.from({ length: 50 }, (_, i) => ({
      id: `v${i}`,
      vector: Array.from({ length: 384 }, (_, j) => Math.fround(Math.sin(i * 384 + j) * 3)),
      metadata: i % 3 === 0 ? undefined : { seq: i, tag: `t${i}`, nested: { ok: i % 2 === 0, list: [1, 'a', null] } },
      text: i % 4 === 0 ? `text ${i} ünïcødé` : '',
    }));
    const bytes = InsertRequest.encode({ collectionName: 'docs', vectors }).finish();
    const decoded = decodeWriteRequest(bytes);
    expect(decoded.vectors[7]!.vector).toBeInstanceOf(Float32Array);
    expect(asNumbers(decoded)).toEqual(InsertRequest.decode(bytes));
    expect(asNumbers(decoded)).toEqual({ collectionName: 'docs', vectors });
    // Upsert has the same fields and numbers.
    expect(asNumbers(decodeWriteRequest(UpsertRequest.encode({ collectionName: 'docs', vectors }).finish()))).toEqual(UpsertRequest.decode(bytes));
  });

  it('reads ids and texts in ASCII, in other UTF-8 and in invalid UTF-8 as the generated decoder does', () => {
    for (const id of [Buffer.from('plain-id_7'), Buffer.from('ïd-日本', 'utf8'), Buffer.from([0x76, 0xff, 0x41]), Buffer.from([0x41, 0xc3]), Buffer.alloc(0)]) {
      const outcome = expectSame(Buffer.concat([stringField(1, 'c'), vectorMessage(lenField(1, id), packed([1, 2]), lenField(4, id))]));
      expect(outcome.threw).toBe(false);
    }
  });

  it('reads a vector sent unpacked, in several packed runs, or mixed, as one vector in order', () => {
    const unpacked = [1.5, -2, 3.25].map((x) => Buffer.concat([tag(2, WIRE.I32), float32(x)]));
    const cases = [
      vectorMessage(stringField(1, 'a'), ...unpacked),
      vectorMessage(packed([1, 2]), packed([3]), packed([4, 5])),
      vectorMessage(packed([1]), unpacked[0]!, packed([2, 3]), unpacked[2]!),
      vectorMessage(packed([])),
    ];
    for (const vector of cases) {
      const outcome = expectSame(Buffer.concat([stringField(1, 'c'), vector]));
      expect(outcome.threw).toBe(false);
    }
    const mixed = byHand(Buffer.concat([stringField(1, 'c'), cases[2]!]));
    expect(mixed).toEqual({ threw: false, message: { collectionName: 'c', vectors: [{ id: '', vector: [1, 1.5, 2, 3, 3.25], metadata: undefined, text: '' }] } });
  });

  it('skips unknown fields and mistyped known ones, and stops at a zero or end-group tag, as the generated decoder does', () => {
    const unknown = [
      Buffer.concat([tag(9, WIRE.VARINT), varint(300)]),
      Buffer.concat([tag(10, WIRE.I64), Buffer.alloc(8, 7)]),
      lenField(11, Buffer.from('ignored')),
      Buffer.concat([tag(12, WIRE.I32), Buffer.alloc(4, 1)]),
      Buffer.concat([tag(1, WIRE.VARINT), varint(5)]),
      Buffer.concat([tag(2, WIRE.VARINT), varint(5)]),
      Buffer.concat([tag(13, WIRE.SGROUP), tag(1, WIRE.VARINT), varint(1), tag(13, WIRE.EGROUP)]),
    ];
    for (const field of unknown) {
      expectSame(Buffer.concat([field, stringField(1, 'c'), vectorMessage(field, packed([1, 2]), field)]));
    }
    expectSame(Buffer.concat([stringField(1, 'c'), Buffer.from([0]), stringField(1, 'after')]));
    expectSame(Buffer.concat([stringField(1, 'c'), tag(3, WIRE.EGROUP), stringField(1, 'after')]));
    expectSame(Buffer.concat([vectorMessage(stringField(1, 'x'), tag(3, WIRE.EGROUP), stringField(4, 't')), stringField(1, 'after')]));
  });

  it('throws where the generated decoder throws: cut floats, lengths past the end, bad wire types, Structs past the nesting limit', () => {
    const cases = [
      Buffer.concat([stringField(1, 'c'), tag(1, WIRE.LEN), varint(40), Buffer.from('abc')]),
      Buffer.concat([stringField(1, 'c'), tag(2, WIRE.LEN), varint(40), Buffer.alloc(10, 0x0a)]),
      vectorMessage(tag(2, WIRE.LEN), varint(8), Buffer.alloc(5)),
      vectorMessage(tag(2, WIRE.I32), Buffer.alloc(2)),
      vectorMessage(tag(2, 6)),
      Buffer.concat([tag(1, 7)]),
      vectorMessage(lenField(3, deepStruct(120))),
    ];
    for (const bytes of cases) expect(expectSame(bytes).threw).toBe(true);
    // Within the limit the nesting decodes.
    expect(expectSame(vectorMessage(lenField(3, deepStruct(10)))).threw).toBe(false);
    for (const depth of [25, 30, 31, 32, 33, 34, 40]) expectSame(vectorMessage(lenField(3, deepStruct(depth))));
  });

  it('reads metadata Structs as the generated decoder unwraps them: repeated keys and kinds, unset values, __proto__, unknown fields, lists', () => {
    const value = (...fields: Buffer[]): Buffer => Buffer.concat(fields);
    const str = (text: string): Buffer => stringField(3, text);
    const bool = (on: boolean): Buffer => Buffer.concat([tag(4, WIRE.VARINT), varint(on ? 1 : 0)]);
    const nul = Buffer.concat([tag(1, WIRE.VARINT), varint(0)]);
    const list = (...values: Buffer[]): Buffer => lenField(6, Buffer.concat(values.map((v) => lenField(1, v))));
    const nested = (entries: [string, Buffer][]): Buffer => lenField(5, struct(entries));
    const unknown = Buffer.concat([tag(9, WIRE.VARINT), varint(5), lenField(10, Buffer.from('zz'))]);
    const structs: Buffer[] = [
      struct([['a', numberValue(1)], ['a', str('again')], ['b', value()], ['b', bool(true)], ['c', nul]]),
      struct([['k', value(numberValue(1), str('last kind wins'))], ['e', value(str('x'), value())], ['n', value(bool(false), nul)]]),
      struct([['__proto__', nested([['polluted', bool(true)]])], ['__proto__', numberValue(3)], ['ok', numberValue(1)]]),
      struct([['l', list(numberValue(1), value(), nul, str('s'), list(), nested([['x', bool(true)]]))], ['2', numberValue(2)], ['1', numberValue(1)]]),
      Buffer.concat([unknown, struct([['u', value(unknown, numberValue(4), unknown)]]), lenField(1, Buffer.concat([unknown, stringField(1, 'w'), unknown, lenField(2, str('v'))])), tag(2, WIRE.EGROUP)]),
      lenField(1, stringField(1, 'no-value')),
      lenField(1, lenField(2, numberValue(9))),
      struct([['g', value(numberValue(1), tag(7, WIRE.EGROUP), str('after end'))]]),
    ];
    for (const body of structs) {
      const outcome = expectSame(Buffer.concat([stringField(1, 'c'), vectorMessage(stringField(1, 'id'), packed([1]), lenField(3, body))]));
      expect(outcome.threw).toBe(false);
    }
    for (const depth of [30, 31, 32, 33]) expectSame(vectorMessage(lenField(3, deepStruct(depth, true))));
  });

  it('reads a packed run whose length is not a multiple of 4 as the generated decoder does', () => {
    for (const length of [1, 2, 3, 5, 7]) {
      expectSame(Buffer.concat([vectorMessage(tag(2, WIRE.LEN), varint(length), Buffer.alloc(length + 8, 0x41)), stringField(1, 'c')]));
    }
  });

  it('agrees with the generated decoder on seeded random and mutated bytes', () => {
    const valid = InsertRequest.encode({
      collectionName: 'docs',
      vectors: [
        { id: 'a', vector: [0.5, 1, -1, 2], metadata: { k: 1, s: 'x' }, text: 'hi' },
        { id: 'b', vector: [1, 2, 3, 4], metadata: undefined, text: '' },
      ],
    }).finish();
    let outcomes = 0;
    for (let seed = 1; seed <= 400; seed += 1) {
      expectSame(seededBytes(seed, 1 + (seed % 64)));
      const mutated = Buffer.from(valid);
      const noise = seededBytes(seed * 7919, 3);
      mutated[noise[0]! % mutated.length] = noise[1]!;
      expectSame(mutated);
      expectSame(mutated.subarray(0, noise[2]! % mutated.length));
      outcomes += 3;
    }
    expect(outcomes).toBe(1200);
    expectSame(Buffer.concat([stringField(1, 'c'), vectorMessage(lenField(3, struct([['n', numberValue(2)]])))]));
  });
});
