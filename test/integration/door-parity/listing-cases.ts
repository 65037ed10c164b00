import type { Call } from './calls';
import { answers, refused, satisfies, type ParityCase, type Step } from './parity-case';
import { INTACT, LITERAL, NASTY, ROWS } from './vector-fixtures';

/**
 * ListVectors, CountVectors and the alias operations through both doors: the successes (pages,
 * tokens, filters, the switch) and the bad input (tokens of other listings, page sizes, the
 * namespace rules), each refusal read back by the runner (vector-fixtures.ts: rows, collections
 * and aliases as they were).
 */

const C = INTACT;
const withoutVectors = ROWS.map(({ id, metadata }) => ({ id, metadata }));
const create = (name: string) => ({ op: 'createCollection', name, vectorDim: 4 }) as const;
const rows = (tag: string) => [0, 1, 2].map((i) => ({ id: `${tag}${i}`, vector: [1, i, 0, 0], metadata: { from: tag } }));
const two: Call[] = [create('blue'), { op: 'insert', collection: 'blue', vectors: rows('b') }, create('green'), { op: 'insert', collection: 'green', vectors: rows('g') }];
const ids = (page: { vectors: { id: string }[] }) => page.vectors.map((v) => v.id);
/** A step reading the page after the first result's, with `extra` fields. */
const nextPage = (call: Extract<Call, { op: 'listVectors' }>, expect: Step['expect']) => (results: any[]): Step => ({
  call: { ...call, pageToken: results[0].nextPageToken },
  expect,
});

export const listingCases: ParityCase[] = [
  {
    name: 'ListVectors pages through a collection in id order; the last page carries no token',
    call: { op: 'listVectors', collection: C, pageSize: 2 },
    expect: satisfies((page) => {
      expect(page.vectors).toEqual(withoutVectors.slice(0, 2));
      expect(page.nextPageToken).toMatch(/^[A-Za-z0-9_-]+$/);
    }),
    then: [nextPage({ op: 'listVectors', collection: C, pageSize: 2 }, answers({ vectors: withoutVectors.slice(2), nextPageToken: '' }))],
  },
  {
    name: 'ListVectors with page_size 0 takes the default and include_vector returns the stored vectors',
    call: { op: 'listVectors', collection: C, pageSize: 0, includeVector: true },
    expect: answers({ vectors: ROWS, nextPageToken: '' }),
  },
  {
    name: 'ListVectors with a filter, a page of 1 at a time, user text matched literally',
    call: { op: 'listVectors', collection: LITERAL, pageSize: 1, filter: { text: { $in: [NASTY[0]!, NASTY[4]!, NASTY[8]!] } } },
    expect: satisfies((page) => expect(ids(page)).toEqual(['n0'])),
    then: [
      nextPage({ op: 'listVectors', collection: LITERAL, pageSize: 5, filter: { text: { $in: [NASTY[0]!, NASTY[4]!, NASTY[8]!] } } }, satisfies((page) => {
        expect(ids(page)).toEqual(['n4', 'n8']);
        expect(page.nextPageToken).toBe('');
      })),
    ],
  },
  {
    name: 'CountVectors counts every vector, or those a filter matches',
    call: { op: 'countVectors', collection: C },
    expect: answers({ count: 3 }),
    then: [
      { call: { op: 'countVectors', collection: C, filter: { genre: 'scifi', year: { $gte: 2000 } } }, expect: answers({ count: 2 }) },
      { call: { op: 'countVectors', collection: LITERAL, filter: { text: NASTY[5]! } }, expect: answers({ count: 1 }) },
    ],
  },
  {
    name: 'an empty collection lists no vectors and counts 0',
    given: [create('hollow')],
    call: { op: 'listVectors', collection: 'hollow', pageSize: 1000 },
    expect: answers({ vectors: [], nextPageToken: '' }),
    then: [{ call: { op: 'countVectors', collection: 'hollow' }, expect: answers({ count: 0 }) }],
  },
  {
    name: 'CreateAlias answers its message; reads and writes through the alias reach the collection, under its own name',
    given: two,
    call: { op: 'createAlias', alias: 'live', collection: 'blue' },
    expect: answers({ message: "alias 'live' created for collection 'blue'" }),
    then: [
      { call: { op: 'listAliases' }, expect: answers({ aliases: [{ alias: 'live', collectionName: 'blue' }] }) },
      { call: { op: 'hasCollection', name: 'live' }, expect: answers({ exists: true }) },
      { call: { op: 'getCollectionInfo', name: 'live' }, expect: satisfies((info) => expect(info).toMatchObject({ name: 'blue', vectorDim: 4 })), same: (r) => ({ ...r, createdAt: 0, updatedAt: 0 }) },
      { call: { op: 'insert', collection: 'live', vectors: [{ id: 'b9', vector: [1, 9, 0, 0] }] }, expect: answers({ ids: ['b9'], message: 'inserted 1 vector' }) },
      { call: { op: 'getById', collection: 'blue', id: 'b9' }, expect: answers({ vector: { id: 'b9', vector: [1, 9, 0, 0], metadata: {} } }) },
      { call: { op: 'search', collection: 'live', queryVector: [1, 9, 0, 0], options: { topK: 1 } }, expect: satisfies((r) => expect(r.results[0].id).toBe('b9')) },
      { call: { op: 'countVectors', collection: 'live' }, expect: answers({ count: 4 }) },
      { call: { op: 'listCollections' }, expect: answers({ names: ['blue', 'green', 'intact', 'literal'] }) },
    ],
  },
  {
    name: 'AlterAlias switches the alias: the next listing through it reads the other collection',
    given: [...two, { op: 'createAlias', alias: 'live', collection: 'blue' }],
    call: { op: 'alterAlias', alias: 'live', collection: 'green' },
    expect: answers({ message: "alias 'live' now names collection 'green'" }),
    then: [
      { call: { op: 'listVectors', collection: 'live' }, expect: satisfies((page) => expect(ids(page)).toEqual(['g0', 'g1', 'g2'])) },
      { call: { op: 'listAliases', collection: 'green' }, expect: answers({ aliases: [{ alias: 'live', collectionName: 'green' }] }) },
      { call: { op: 'listAliases', collection: 'live' }, expect: answers({ aliases: [{ alias: 'live', collectionName: 'green' }] }) },
      { call: { op: 'listAliases', collection: 'blue' }, expect: answers({ aliases: [] }) },
    ],
  },
  {
    name: 'DropAlias answers its message; the name is gone, the collection stays and can then be dropped',
    given: [...two, { op: 'createAlias', alias: 'live', collection: 'blue' }],
    call: { op: 'dropAlias', alias: 'live' },
    expect: answers({ message: "alias 'live' dropped" }),
    then: [
      { call: { op: 'getCollectionInfo', name: 'live' }, expect: refused('NOT_FOUND', undefined, { says: "'live'" }) },
      { call: { op: 'countVectors', collection: 'blue' }, expect: answers({ count: 3 }) },
      { call: { op: 'dropCollection', name: 'blue' }, expect: answers({ message: "collection 'blue' dropped" }) },
    ],
  },
];

/** A listing's first page, then the page after it asked for in a way that must be refused. */
function tokenMisused(name: string, first: Extract<Call, { op: 'listVectors' }>, misuse: Omit<Extract<Call, { op: 'listVectors' }>, 'op' | 'pageToken'>, given: Call[] = []): ParityCase {
  return {
    name,
    given,
    call: first,
    expect: satisfies((page) => expect(page.nextPageToken).not.toBe('')),
    then: [(results: any[]) => ({ call: { op: 'listVectors', ...misuse, pageToken: results[0].nextPageToken }, expect: refused('INVALID_ARGUMENT', 'page_token') })],
  };
}

export const listingBadInputCases: ParityCase[] = [
  { name: 'a page_token that is no token', call: { op: 'listVectors', collection: C, pageToken: 'garbage' }, expect: refused('INVALID_ARGUMENT', 'page_token', { says: 'not a page token' }) },
  tokenMisused('a page_token of another collection', { op: 'listVectors', collection: C, pageSize: 1 }, { collection: 'other', pageSize: 1 }, [create('other')]),
  tokenMisused('a page_token of another filter', { op: 'listVectors', collection: C, pageSize: 1, filter: { genre: 'scifi' } }, { collection: C, pageSize: 1, filter: { genre: 'fantasy' } }),
  tokenMisused('a page_token of a filtered listing sent without the filter', { op: 'listVectors', collection: C, pageSize: 1, filter: { genre: 'scifi' } }, { collection: C, pageSize: 1 }),
  ...[1001, -1, 100000].map((pageSize): ParityCase => ({
    name: `page_size ${pageSize}`,
    call: { op: 'listVectors', collection: C, pageSize },
    expect: refused('INVALID_ARGUMENT', 'page_size', { says: 'between 1 and 1000' }),
  })),
  { name: 'a filter with an unknown operator: ListVectors', call: { op: 'listVectors', collection: C, filter: { $where: 'true' } }, expect: refused('INVALID_ARGUMENT', 'filter.$where') },
  { name: 'a filter with an unknown operator: CountVectors', call: { op: 'countVectors', collection: C, filter: { genre: { $regex: 'sci' } } }, expect: refused('INVALID_ARGUMENT', 'filter.genre.$regex') },
  { name: 'an unknown collection: ListVectors is NOT_FOUND', call: { op: 'listVectors', collection: 'no_such_collection' }, expect: refused('NOT_FOUND', undefined, { says: "'no_such_collection'" }) },
  { name: 'an unknown collection: CountVectors is NOT_FOUND', call: { op: 'countVectors', collection: 'no_such_collection' }, expect: refused('NOT_FOUND', undefined, { says: "'no_such_collection'" }) },
  { name: 'an invalid collection name: ListVectors', call: { op: 'listVectors', collection: '1abc' }, expect: refused('INVALID_ARGUMENT', 'collection_name') },
  { name: 'an alias of a missing collection is NOT_FOUND', call: { op: 'createAlias', alias: 'live', collection: 'missing' }, expect: refused('NOT_FOUND', undefined, { says: "collection 'missing'" }) },
  { name: 'an alias named like a collection is ALREADY_EXISTS', call: { op: 'createAlias', alias: LITERAL, collection: C }, expect: refused('ALREADY_EXISTS', undefined, { says: 'already the name of a collection' }) },
  {
    name: 'an alias of an alias is INVALID_ARGUMENT naming collection_name',
    given: [{ op: 'createAlias', alias: 'live', collection: C }],
    call: { op: 'createAlias', alias: 'second', collection: 'live' },
    expect: refused('INVALID_ARGUMENT', 'collection_name', { says: "'live' is an alias" }),
  },
  {
    name: 'an alias taken is ALREADY_EXISTS and keeps its target',
    given: [{ op: 'createAlias', alias: 'live', collection: C }],
    call: { op: 'createAlias', alias: 'live', collection: LITERAL },
    expect: refused('ALREADY_EXISTS', undefined, { says: "alias 'live' already exists" }),
    then: [{ call: { op: 'listAliases' }, expect: answers({ aliases: [{ alias: 'live', collectionName: C }] }) }],
  },
  {
    name: 'CreateCollection of an alias\'s name is ALREADY_EXISTS',
    given: [{ op: 'createAlias', alias: 'live', collection: C }],
    call: create('live'),
    expect: refused('ALREADY_EXISTS', undefined, { says: 'already the name of an alias' }),
  },
  {
    name: 'dropping a collection an alias names is FAILED_PRECONDITION naming the alias; nothing is dropped',
    given: [{ op: 'createAlias', alias: 'live', collection: C }],
    call: { op: 'dropCollection', name: C },
    expect: refused('FAILED_PRECONDITION', undefined, { says: "alias 'live'" }),
    then: [{ call: { op: 'countVectors', collection: 'live' }, expect: answers({ count: 3 }) }],
  },
  {
    name: 'DropCollection through an alias is FAILED_PRECONDITION',
    given: [{ op: 'createAlias', alias: 'live', collection: C }],
    call: { op: 'dropCollection', name: 'live' },
    expect: refused('FAILED_PRECONDITION', undefined, { says: "'live' is an alias" }),
  },
  { name: 'AlterAlias of an unknown alias is NOT_FOUND', call: { op: 'alterAlias', alias: 'nope', collection: C }, expect: refused('NOT_FOUND', undefined, { says: "alias 'nope'" }) },
  {
    name: 'AlterAlias to a missing collection is NOT_FOUND and keeps the target',
    given: [{ op: 'createAlias', alias: 'live', collection: C }],
    call: { op: 'alterAlias', alias: 'live', collection: 'missing' },
    expect: refused('NOT_FOUND', undefined, { says: "collection 'missing'" }),
    then: [{ call: { op: 'listAliases' }, expect: answers({ aliases: [{ alias: 'live', collectionName: C }] }) }],
  },
  { name: 'DropAlias of an unknown alias is NOT_FOUND', call: { op: 'dropAlias', alias: 'nope' }, expect: refused('NOT_FOUND', undefined, { says: "alias 'nope'" }) },
  { name: 'DropAlias of a collection\'s name is NOT_FOUND and drops nothing', call: { op: 'dropAlias', alias: C }, expect: refused('NOT_FOUND', undefined, { says: `alias '${C}'` }) },
  { name: 'ListAliases of a missing collection is NOT_FOUND', call: { op: 'listAliases', collection: 'missing' }, expect: refused('NOT_FOUND', undefined, { says: "'missing'" }) },
  { name: 'an invalid alias name: CreateAlias', call: { op: 'createAlias', alias: 'has-dash', collection: C }, expect: refused('INVALID_ARGUMENT', 'alias') },
  { name: 'an invalid alias name: AlterAlias', call: { op: 'alterAlias', alias: '1abc', collection: C }, expect: refused('INVALID_ARGUMENT', 'alias') },
  { name: 'an invalid alias name: DropAlias', call: { op: 'dropAlias', alias: 'ünï' }, expect: refused('INVALID_ARGUMENT', 'alias') },
  { name: 'an invalid collection name: CreateAlias', call: { op: 'createAlias', alias: 'live', collection: 'x y' }, expect: refused('INVALID_ARGUMENT', 'collection_name') },
];
