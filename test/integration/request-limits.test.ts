import { createChannel, createClient, Status } from 'nice-grpc';
import { limits } from '../../src/domain';
import { VectorServiceDefinition } from '../../src/gen/taishang/ai/v1/vector_service';
import { BODY_LIMITS, DEFAULT_BODY_LIMIT } from '../../src/http/body-limits';
import { expectProblem, fieldsOf, startRestServer, type RestTestServer } from '../support/rest-test-server';
import { useLanceStore } from '../support/stores';
import { expectStatus, startGrpc, type GrpcHarness } from './grpc-harness';

const C = '/v1/collections/limits';
const SEARCH_LIMIT = BODY_LIMITS.searchVectors!;

/** `prefix` + padding + `suffix`, exactly `size` characters long (ASCII, so also bytes). */
function padded(prefix: string, suffix: string, size: number): string {
  return prefix + 'x'.repeat(size - prefix.length - suffix.length) + suffix;
}

/** An Insert body of exactly `size` bytes: 200 vectors whose metadata carries the padding. */
function insertBodyOf(size: number): string {
  const vectors = Array.from({ length: 200 }, (_, i) => ({ id: `big-${i}`, vector: [1, 0, 0, i], metadata: { pad: '' } }));
  const empty = JSON.stringify({ vectors }).length;
  const each = Math.floor((size - empty) / vectors.length);
  vectors.forEach((v, i) => {
    v.metadata.pad = 'p'.repeat(i === 0 ? size - empty - each * (vectors.length - 1) : each);
  });
  return JSON.stringify({ vectors });
}

describe('REST per-route body limits over real HTTP', () => {
  const lance = useLanceStore();
  let server: RestTestServer;

  beforeAll(async () => {
    server = await startRestServer(lance.store);
    expect((await server.call('POST', '/v1/collections', { json: { name: 'limits', vector_dim: 4 } })).status).toBe(201);
    expect((await server.call('POST', `${C}/vectors`, { json: { vectors: [{ id: 'seed', vector: [0, 1, 0, 0] }] } })).status).toBe(200);
  });

  afterAll(async () => {
    await server.close();
  });

  const search = () => server.call('POST', `${C}/search`, { json: { query_vector: [0, 1, 0, 0], options: { topk: 1 } } });

  it('a search body one byte over its limit is 413 RESOURCE_EXHAUSTED naming the limit; other calls keep answering', async () => {
    const body = padded('{"query_vector":[0,1,0,0],"options":{"filter":{"note":"', '"}}}', SEARCH_LIMIT + 1);
    const [refused, meanwhile] = await Promise.all([server.call('POST', `${C}/search`, { raw: body }), search()]);
    const problem = expectProblem(refused, 413, 'RESOURCE_EXHAUSTED');
    expect(fieldsOf(refused)).toEqual(['body']);
    expect(problem.detail).toContain(`${SEARCH_LIMIT}-byte limit`);
    expect(meanwhile.status).toBe(200);
    expect((await search()).body.results.map((r: { id: string }) => r.id)).toEqual(['seed']);
  });

  it('a body of exactly the search limit is read and validated, not refused for its size', async () => {
    const body = padded('{"query_vector":[0,1,0,0],"options":{"filter":{"note":"', '"}}}', SEARCH_LIMIT);
    const answer = await server.call('POST', `${C}/search`, { raw: body });
    // The 8 MiB string is over the filter's 4 KiB string bound: the domain, not the size check, refuses it.
    expectProblem(answer, 400, 'INVALID_ARGUMENT');
  });

  it('an insert of the same size as the refused search is accepted and stored', async () => {
    const body = insertBodyOf(SEARCH_LIMIT + 1);
    expect(body.length).toBe(SEARCH_LIMIT + 1);
    const answer = await server.call('POST', `${C}/vectors`, { raw: body });
    expect(answer.status).toBe(200);
    expect(answer.body.ids).toHaveLength(200);
    expect((await server.call('GET', `${C}/stats`)).body.vector_count).toBe(201);
  });

  it('every listed limit belongs to a route of the OpenAPI document', async () => {
    const doc = (await server.call('GET', '/openapi.json')).body as { paths: Record<string, Record<string, { operationId?: string }>> };
    const operations = new Set(Object.values(doc.paths).flatMap((methods) => Object.values(methods).map((op) => op.operationId)));
    expect(Object.keys(BODY_LIMITS).filter((id) => !operations.has(id))).toEqual([]);
  });

  it('admin routes take at most 1 MiB', async () => {
    const body = padded('{"name":"other","vector_dim":4,"description":"', '"}', DEFAULT_BODY_LIMIT + 1);
    const answer = await server.call('POST', '/v1/collections', { raw: body });
    expect(expectProblem(answer, 413, 'RESOURCE_EXHAUSTED').detail).toContain(`${DEFAULT_BODY_LIMIT}-byte limit`);
    expect((await server.call('GET', '/v1/collections')).body.names).toEqual(['limits']);
  });

  it('the OpenAI routes have their native twins\' limits and answer in OpenAI\'s error shape', async () => {
    const limit = BODY_LIMITS.openaiCreateChatCompletion!;
    expect(limit).toBe(BODY_LIMITS.generateText);
    const body = padded('{"model":"m","messages":[{"role":"user","content":"', '"}]}', limit + 1);
    const answer = await server.call('POST', '/openai/v1/chat/completions', { raw: body });
    expect(answer.status).toBe(413);
    expect(answer.body.error).toMatchObject({ code: 'resource_exhausted', param: 'body' });
    expect(answer.body.error.message).toContain(`${limit}-byte limit`);
    expect((await search()).status).toBe(200);
  });
});

describe('gRPC max message size', () => {
  let h: GrpcHarness;

  beforeAll(async () => {
    h = await startGrpc();
    await h.vectors.createCollection({ name: 'kept', vectorDim: 4 });
  });
  afterAll(async () => {
    await h.close();
  });

  it('a message over 64 MiB is RESOURCE_EXHAUSTED and the server keeps serving', async () => {
    // A client that would send anything, so that the server's limit is the one tested.
    const channel = createChannel(h.address, undefined, { 'grpc.max_send_message_length': -1 });
    try {
      const big = createClient(VectorServiceDefinition, channel);
      const description = 'd'.repeat(limits.maxMessageBytes);
      const [refused, meanwhile] = await Promise.all([
        expectStatus(big.createCollection({ name: 'huge', description, vectorDim: 4 }), Status.RESOURCE_EXHAUSTED),
        h.vectors.listCollections({}),
      ]);
      expect(refused.details).toMatch(/larger than max/i);
      expect(meanwhile.names).toEqual(['kept']);
      expect((await big.listCollections({})).names).toEqual(['kept']);
    } finally {
      channel.close();
    }
  });
});
