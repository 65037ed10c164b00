import type { Call } from './calls';
import { refused, type ParityCase } from './parity-case';
import { INTACT } from './vector-fixtures';
import { nested } from './vector-cases';

/**
 * Bad input to VectorService (issue 2's list): the documented code on both doors, the field named
 * in google.rpc.BadRequest and problem+json alike, the same message, and the fixtures read back
 * intact afterwards (vector-fixtures.ts). NaN, which JSON cannot carry, is door-specific
 * (grpc-door-only.test.ts, http-door-only.test.ts).
 */

const C = INTACT;
const q = [1, 0, 0, 0];
const notStored = (id: string) => ({ call: { op: 'getById', collection: C, id } as Call, expect: refused('NOT_FOUND') });

const LONG_IDS: [string, string][] = [
  ['513 ASCII bytes', 'x'.repeat(513)],
  ['513 bytes of three-byte characters (171 of them)', '€'.repeat(171)],
  ['514 bytes in 257 two-byte characters', 'é'.repeat(257)],
];

const BAD_NAMES: [string, string][] = [
  ['starting with a digit', '1abc'],
  ['with a dash', 'has-dash'],
  ['of 256 characters', 'a'.repeat(256)],
  ['carrying SQL', "x'; DROP TABLE bad; --"],
  ['shaped like a path', '../bad'],
  ['with non-ASCII letters', 'ünï'],
];

const MISSING = 'no_such_collection';
const onMissing: [string, Call][] = [
  ['Insert', { op: 'insert', collection: MISSING, vectors: [{ id: 'x', vector: q }] }],
  ['Upsert', { op: 'upsert', collection: MISSING, vectors: [{ id: 'x', vector: q }] }],
  ['Delete', { op: 'delete', collection: MISSING, ids: ['a'] }],
  ['Search', { op: 'search', collection: MISSING, queryVector: q }],
  ['GetByID', { op: 'getById', collection: MISSING, id: 'a' }],
  ['GetCollectionInfo', { op: 'getCollectionInfo', name: MISSING }],
  ['GetCollectionStats', { op: 'getCollectionStats', name: MISSING }],
  ['DropCollection', { op: 'dropCollection', name: MISSING }],
  ['CreateIndex', { op: 'createIndex', collection: MISSING, indexParams: { indexType: 'FLAT' } }],
  ['HasIndex', { op: 'hasIndex', collection: MISSING }],
  ['DropIndex', { op: 'dropIndex', collection: MISSING }],
  ['Compact', { op: 'compact', collection: MISSING }],
];

const big = Array.from({ length: 10_001 }, (_, i) => ({ id: `big${i}`, vector: [1, 0, 0, i] }));

export const vectorBadInputCases: ParityCase[] = [
  { name: 'wrong dimension: Insert', call: { op: 'insert', collection: C, vectors: [{ id: 'x', vector: [1, 2, 3] }] }, expect: refused('INVALID_ARGUMENT', 'vectors[0].vector'), then: [notStored('x')] },
  { name: 'wrong dimension: Upsert', call: { op: 'upsert', collection: C, vectors: [{ id: 'a', vector: [1, 2, 3, 4, 5] }] }, expect: refused('INVALID_ARGUMENT', 'vectors[0].vector') },
  { name: 'wrong dimension: Search', call: { op: 'search', collection: C, queryVector: [1, 0] }, expect: refused('INVALID_ARGUMENT', 'query_vector') },
  { name: 'an all-zero vector under COSINE', call: { op: 'insert', collection: C, vectors: [{ id: 'z', vector: [0, 0, 0, 0] }] }, expect: refused('INVALID_ARGUMENT', 'vectors[0].vector', { says: 'all-zero' }) },
  ...[Infinity, -Infinity].flatMap((bad): ParityCase[] => [
    {
      name: `${bad} in the second vector of an Insert writes nothing of the batch`,
      call: { op: 'insert', collection: C, vectors: [{ id: 'ok', vector: [0, 0, 1, 0] }, { id: 'x', vector: [0, bad, 0, 0] }] },
      expect: refused('INVALID_ARGUMENT', 'vectors[1].vector[1]', { says: 'must be a finite number' }),
      then: [notStored('ok')],
    },
    { name: `${bad} in an Upsert`, call: { op: 'upsert', collection: C, vectors: [{ id: 'a', vector: [bad, 0, 0, 0] }] }, expect: refused('INVALID_ARGUMENT', 'vectors[0].vector[0]') },
    { name: `${bad} in a query vector`, call: { op: 'search', collection: C, queryVector: [1, 0, 0, bad] }, expect: refused('INVALID_ARGUMENT', 'query_vector[3]') },
  ]),
  { name: 'an empty id in an Upsert', call: { op: 'upsert', collection: C, vectors: [{ id: '', vector: q }] }, expect: refused('INVALID_ARGUMENT', 'vectors[0].id') },
  { name: 'no id in an Upsert', call: { op: 'upsert', collection: C, vectors: [{ vector: q }] }, expect: refused('INVALID_ARGUMENT', 'vectors[0].id') },
  { name: 'an empty id in a GetByID', call: { op: 'getById', collection: C, id: '' }, expect: refused('INVALID_ARGUMENT', 'id', { says: 'must not be empty' }) },
  { name: 'an empty id in a Delete', call: { op: 'delete', collection: C, ids: ['a', ''] }, expect: refused('INVALID_ARGUMENT', 'ids[1]') },
  ...LONG_IDS.flatMap(([label, id]): ParityCase[] => [
    { name: `an id of ${label}: Insert`, call: { op: 'insert', collection: C, vectors: [{ id, vector: q }] }, expect: refused('INVALID_ARGUMENT', 'vectors[0].id', { says: '512 bytes' }) },
    { name: `an id of ${label}: Upsert`, call: { op: 'upsert', collection: C, vectors: [{ id, vector: q }] }, expect: refused('INVALID_ARGUMENT', 'vectors[0].id') },
    { name: `an id of ${label}: GetByID`, call: { op: 'getById', collection: C, id }, expect: refused('INVALID_ARGUMENT', 'id') },
    { name: `an id of ${label}: Delete`, call: { op: 'delete', collection: C, ids: [id] }, expect: refused('INVALID_ARGUMENT', 'ids[0]') },
  ]),
  {
    name: 'duplicate ids inside one Insert write nothing',
    call: { op: 'insert', collection: C, vectors: [{ id: 'n1', vector: [0, 0, 1, 0] }, { id: 'n1', vector: [0, 0, 0, 1] }] },
    expect: refused('INVALID_ARGUMENT', 'vectors[1].id', { says: 'duplicate' }),
    then: [notStored('n1')],
  },
  {
    name: 'Insert of a stored id is ALREADY_EXISTS and writes nothing of the batch',
    call: { op: 'insert', collection: C, vectors: [{ id: 'fresh', vector: [0, 0, 1, 0] }, { id: 'a', vector: [0, 0, 0, 1] }] },
    expect: refused('ALREADY_EXISTS', 'vectors', { says: "'a'" }),
    then: [notStored('fresh')],
  },
  ...onMissing.map(([rpc, call]): ParityCase => ({ name: `an unknown collection: ${rpc} is NOT_FOUND`, call, expect: refused('NOT_FOUND', undefined, { says: `'${MISSING}'` }) })),
  { name: 'an invalid collection name: empty, on CreateCollection', call: { op: 'createCollection', name: '', vectorDim: 4 }, expect: refused('INVALID_ARGUMENT', 'name') },
  ...BAD_NAMES.flatMap(([label, name]): ParityCase[] => [
    { name: `an invalid collection name ${label}: CreateCollection`, call: { op: 'createCollection', name, vectorDim: 4 }, expect: refused('INVALID_ARGUMENT', 'name') },
    { name: `an invalid collection name ${label}: GetCollectionInfo`, call: { op: 'getCollectionInfo', name }, expect: refused('INVALID_ARGUMENT', 'name') },
    { name: `an invalid collection name ${label}: DropCollection`, call: { op: 'dropCollection', name }, expect: refused('INVALID_ARGUMENT', 'name') },
    { name: `an invalid collection name ${label}: Insert`, call: { op: 'insert', collection: name, vectors: [{ id: 'x', vector: q }] }, expect: refused('INVALID_ARGUMENT', 'collection_name') },
    { name: `an invalid collection name ${label}: Search`, call: { op: 'search', collection: name, queryVector: q }, expect: refused('INVALID_ARGUMENT', 'collection_name') },
  ]),
  {
    name: 'creating an existing collection is ALREADY_EXISTS and leaves the original alone',
    call: { op: 'createCollection', name: C, description: 'impostor', vectorDim: 8 },
    expect: refused('ALREADY_EXISTS', undefined, { says: `'${C}'` }),
  },
  { name: 'CreateCollection with a dimension of 0', call: { op: 'createCollection', name: 'flat0', vectorDim: 0 }, expect: refused('INVALID_ARGUMENT', 'vector_dim') },
  { name: 'CreateCollection with an unknown metric', call: { op: 'createCollection', name: 'm', vectorDim: 4, indexParams: { metricType: 'HAMMING' } }, expect: refused('INVALID_ARGUMENT', 'index_params.metric_type') },
  { name: 'CreateIndex of an unknown type names the supported ones', call: { op: 'createIndex', collection: C, indexParams: { indexType: 'NOPE' } }, expect: refused('INVALID_ARGUMENT', 'index_params.index_type', { says: 'HNSW' }) },
  ...[0, 1025, 100000, -1].map((topK): ParityCase => ({
    name: `topk ${topK}`,
    call: { op: 'search', collection: C, queryVector: q, options: { topK } },
    expect: refused('INVALID_ARGUMENT', 'options.topk'),
  })),
  ...([
    [{ genre: { $regex: 'sci.*' } }, 'options.filter.genre.$regex'],
    [{ $where: 'true' }, 'options.filter.$where'],
    [{ $or: [{ genre: { $like: '%' } }] }, 'options.filter.$or[0].genre.$like'],
  ] as const).map(([filter, field]): ParityCase => ({
    name: `an unknown filter operator: ${JSON.stringify(filter)}`,
    call: { op: 'search', collection: C, queryVector: q, options: { topK: 3, filter } },
    expect: refused('INVALID_ARGUMENT', field),
  })),
  ...([
    [{ author: { name: 'Le Guin' } }, 'options.filter.author.name'],
    [{ meta: { nested: 'x' } }, 'options.filter.meta.nested'],
    [{ genre: { $eq: { nested: true } } }, 'options.filter.genre.$eq'],
    [{ genre: { $in: [{ a: 1 }] } }, 'options.filter.genre.$in'],
  ] as const).map(([filter, prefix]): ParityCase => ({
    name: `a filter on an object value: ${JSON.stringify(filter)}`,
    call: { op: 'search', collection: C, queryVector: q, options: { topK: 3, filter } },
    expect: refused('INVALID_ARGUMENT', undefined, { fieldPrefix: prefix }),
  })),
  {
    name: 'metadata nested 21 levels deep, one past the bound',
    call: { op: 'insert', collection: C, vectors: [{ id: 'deep', vector: q, metadata: nested(21) }] },
    expect: refused('INVALID_ARGUMENT', 'vectors[0].metadata'),
    then: [notStored('deep')],
  },
  { name: 'an oversized batch: Insert of 10 001 vectors', call: { op: 'insert', collection: C, vectors: big }, expect: refused('RESOURCE_EXHAUSTED', 'vectors', { tooLarge: true }), then: [notStored('big0')] },
  { name: 'an oversized batch: Upsert of 10 001 vectors', call: { op: 'upsert', collection: C, vectors: big }, expect: refused('RESOURCE_EXHAUSTED', 'vectors', { tooLarge: true }), then: [notStored('big0')] },
  { name: 'an oversized batch: Delete of 10 001 ids', call: { op: 'delete', collection: C, ids: big.map((v) => v.id) }, expect: refused('RESOURCE_EXHAUSTED', 'ids', { tooLarge: true }) },
];
