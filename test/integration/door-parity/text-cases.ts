import type { VectorService } from '../../../src/domain';
import type { Call } from './calls';
import type { Door } from './doors';
import { MINILM, RERANKER } from './model-fixtures';
import { refused, type ParityCase } from './parity-case';

/**
 * Text in, ranked passages out, through both doors (issue 11): a bound collection of passages,
 * and bad input that must answer the documented code, name the field, and leave the passages and
 * the unbound fixture as they were.
 */
export const BOUND = 'passages';
export const UNBOUND = 'plain_vectors';

export const PASSAGES = [
  { id: 'p1', text: 'The gasket with part number XK-42 seals the pump housing.', metadata: { shelf: 1 } },
  { id: 'p2', text: 'Winter on the ice planet lasts for decades.', metadata: { shelf: 2 } },
  { id: 'p3', text: 'A red apple a day keeps the doctor away.', metadata: { shelf: 1 } },
];

export async function seedText(vectors: VectorService): Promise<void> {
  await vectors.createCollection({ name: BOUND, vectorDim: 0, embeddingModel: MINILM.name, description: 'bound' });
  await vectors.insert(BOUND, PASSAGES);
  await vectors.createCollection({ name: UNBOUND, vectorDim: 4 });
  await vectors.insert(UNBOUND, [{ id: 'v1', vector: [1, 0, 0, 0] }]);
}

export async function resetText(vectors: VectorService): Promise<void> {
  for (const name of await vectors.listCollections()) if (name !== BOUND && name !== UNBOUND) await vectors.dropCollection(name);
}

async function answer(door: Door, call: Call): Promise<any> {
  const outcome = await door.run(call);
  if (!outcome.ok) throw new Error(`read-back ${call.op} was refused: ${outcome.code} ${outcome.detail}`);
  return outcome.result;
}

/** Both collections as seeded: every passage with its text, the plain vector, the binding. */
export async function readBackText(door: Door): Promise<void> {
  const listed = await answer(door, { op: 'listVectors', collection: BOUND });
  expect(listed.vectors).toEqual(PASSAGES);
  const info = await answer(door, { op: 'getCollectionInfo', name: BOUND });
  expect(info.embeddingModel).toEqual({ name: MINILM.name, provider: 'transformers', modelId: MINILM.modelId, weights: 'dtype=default', dimension: 384 });
  expect((await answer(door, { op: 'countVectors', collection: UNBOUND })).count).toBe(1);
  expect((await answer(door, { op: 'listCollections' })).names).toEqual([BOUND, UNBOUND]);
}

export async function listedText(door: Door): Promise<unknown> {
  return answer(door, { op: 'listCollections' });
}

const search = (queryText: string, options: Record<string, unknown> = {}): Call => ({ op: 'search', collection: BOUND, queryText, options: { topK: 3, ...options } });

export const textBadInputCases: ParityCase[] = [
  {
    name: 'text in a collection not bound to a model is INVALID_ARGUMENT naming vectors[0].text',
    call: { op: 'insert', collection: UNBOUND, vectors: [{ id: 'x', text: 'no model here' }] },
    expect: refused('INVALID_ARGUMENT', 'vectors[0].text', { says: 'not bound to an embedding model' }),
  },
  {
    name: 'text beside a vector in an unbound collection is INVALID_ARGUMENT naming vectors[0].text',
    call: { op: 'insert', collection: UNBOUND, vectors: [{ id: 'x', vector: [0, 1, 0, 0], text: 'no model here' }] },
    expect: refused('INVALID_ARGUMENT', 'vectors[0].text'),
  },
  {
    name: 'a record with neither vector nor text in a bound collection is INVALID_ARGUMENT naming vectors[1].vector',
    call: { op: 'insert', collection: BOUND, vectors: [{ id: 'ok', text: 'fine' }, { id: 'empty' }] },
    expect: refused('INVALID_ARGUMENT', 'vectors[1].vector', { says: 'a vector or text' }),
  },
  {
    name: 'a text over 32 KiB is RESOURCE_EXHAUSTED (too large) naming vectors[0].text, nothing embedded',
    call: { op: 'insert', collection: BOUND, vectors: [{ id: 'big', text: 'word '.repeat(6600) }] },
    expect: refused('RESOURCE_EXHAUSTED', 'vectors[0].text', { tooLarge: true }),
  },
  {
    name: 'query_text in an unbound collection is INVALID_ARGUMENT naming query_text',
    call: { op: 'search', collection: UNBOUND, queryText: 'anything', options: { topK: 3 } },
    expect: refused('INVALID_ARGUMENT', 'query_text'),
  },
  {
    name: 'an unknown mode is INVALID_ARGUMENT naming options.mode',
    call: search('gasket', { mode: 'fuzzy' }),
    expect: refused('INVALID_ARGUMENT', 'options.mode'),
  },
  {
    name: 'rrf_k below 1 is INVALID_ARGUMENT naming options.rrf_k',
    call: search('gasket', { mode: 'hybrid', rrfK: -1 }),
    expect: refused('INVALID_ARGUMENT', 'options.rrf_k'),
  },
  {
    name: 'both query_text and query_vector is INVALID_ARGUMENT naming query_text',
    call: { op: 'search', collection: BOUND, queryText: 'gasket', queryVector: [1, 0, 0, 0], options: { topK: 3 } },
    expect: refused('INVALID_ARGUMENT', 'query_text'),
  },
  {
    name: 'text mode without query_text is INVALID_ARGUMENT naming query_text',
    call: { op: 'search', collection: BOUND, queryVector: new Array(384).fill(0.1), options: { topK: 3, mode: 'text' } },
    expect: refused('INVALID_ARGUMENT', 'query_text'),
  },
  {
    name: 'reranking with an embedding model is FAILED_PRECONDITION saying what the model is',
    call: search('gasket', { rerank: { model: MINILM.name } }),
    expect: refused('FAILED_PRECONDITION', undefined, { says: 'is an embedding model' }),
  },
  {
    name: 'rerank candidates fewer than topk is INVALID_ARGUMENT naming options.rerank.candidates',
    call: search('gasket', { topK: 3, rerank: { model: RERANKER.name, candidates: 2 } }),
    expect: refused('INVALID_ARGUMENT', 'options.rerank.candidates'),
  },
  {
    name: 'a collection bound to an unknown model is NOT_FOUND and is not created',
    call: { op: 'createCollection', name: 'bound_nowhere', vectorDim: 0, embeddingModel: 'no-such-model' },
    expect: refused('NOT_FOUND'),
  },
  {
    name: "a dimension other than the model's is INVALID_ARGUMENT naming vector_dim",
    call: { op: 'createCollection', name: 'bound_wrong', vectorDim: 128, embeddingModel: MINILM.name },
    expect: refused('INVALID_ARGUMENT', 'vector_dim', { says: 'must be 0 or 384' }),
  },
  {
    name: 'unregistering a bound model is FAILED_PRECONDITION naming the collection',
    call: { op: 'unregisterModel', name: MINILM.name },
    expect: refused('FAILED_PRECONDITION', undefined, { says: `'${BOUND}'` }),
  },
];
