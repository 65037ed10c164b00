import pino from 'pino';
import type { CallOptions, CollectionInfo, SearchHit, VectorStore } from '../../src/domain';
import { DomainError, errors } from '../../src/errors';
import { startRestServer, type RestTestServer } from '../support/rest-test-server';

const info: CollectionInfo = { name: 'c', description: '', dimension: 2, metricType: 'COSINE', index: null, embedding: null, createdAt: 1, updatedAt: 1 };

/**
 * A store double whose failures the test chooses: unexpected throws, engine outages, and a search
 * that only ends when the caller's signal fires. Unit-level only; integration tests use real stores.
 */
class ScriptedStore implements VectorStore {
  readonly engine = 'scripted';
  readonly supportedIndexTypes = ['FLAT'] as const;
  failure: unknown = new Error('engine exploded: password=hunter2');
  searchSignal: AbortSignal | undefined;
  searchStarted!: Promise<void>;
  searchEnded!: Promise<unknown>;

  async health() { return { healthy: true, message: 'ok' }; }
  async close() {}
  async createCollection(): Promise<CollectionInfo> { throw this.failure; }
  async dropCollection() { throw this.failure; }
  async renameCollection() { throw this.failure; }
  async hasCollection(): Promise<boolean> { throw this.failure; }
  async listCollections(): Promise<string[]> { throw this.failure; }
  async getCollection(): Promise<CollectionInfo> { return info; }
  async stats(): Promise<never> { throw this.failure; }
  async createIndex() { throw this.failure; }
  async dropIndex() { throw this.failure; }
  async insert() { throw this.failure; }
  async upsert() { throw this.failure; }
  async delete() { throw this.failure; }
  async get(): Promise<never> { throw this.failure; }
  async compact() { throw this.failure; }
  async scan(): Promise<never> { throw this.failure; }
  async count(): Promise<never> { throw this.failure; }
  async createAlias() { throw this.failure; }
  async alterAlias() { throw this.failure; }
  async dropAlias() { throw this.failure; }
  async listAliases(): Promise<never> { throw this.failure; }
  async searchText(): Promise<never> { throw this.failure; }

  search(_name: string, _query: unknown, options?: CallOptions): Promise<SearchHit[]> {
    this.searchSignal = options?.signal;
    const ended = new Promise<SearchHit[]>((_resolve, reject) => {
      options?.signal?.addEventListener('abort', () => reject(options.signal?.reason));
    });
    this.searchEnded = ended.catch((reason: unknown) => reason);
    this.startedResolve();
    return ended;
  }

  private startedResolve: () => void = () => undefined;
  armSearch(): void {
    this.searchStarted = new Promise((resolve) => (this.startedResolve = resolve));
  }
}

describe('REST door: unexpected errors, outages and cancellation', () => {
  const logLines: string[] = [];
  const store = new ScriptedStore();
  let server: RestTestServer;

  beforeAll(async () => {
    const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
    server = await startRestServer(store, { logger });
  });

  afterAll(() => server.close());

  it('answers an unknown error with a generic 500 and logs the cause with the request id', async () => {
    const answer = await server.call('GET', '/v1/collections', { headers: { 'x-request-id': 'req-500' } });
    expect(answer.status).toBe(500);
    expect(answer.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(answer.body).toEqual({ type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'internal error', code: 'INTERNAL', instance: '/v1/collections' });
    expect(answer.text).not.toContain('hunter2');
    const logged = logLines.map((l) => JSON.parse(l)).find((l) => l.requestId === 'req-500' && l.level === 50);
    expect(logged).toMatchObject({ msg: 'request failed unexpectedly', err: { message: 'engine exploded: password=hunter2' } });
  });

  it('answers an engine outage with 503 and Retry-After', async () => {
    store.failure = errors.unavailable('lance: connection refused');
    const answer = await server.call('GET', '/v1/collections/c/stats');
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(answer.body).toMatchObject({ code: 'UNAVAILABLE', detail: 'lance: connection refused' });
  });

  it('aborts the domain call when the client goes away', async () => {
    store.armSearch();
    const client = new AbortController();
    const pending = fetch(`${server.baseUrl}/v1/collections/c/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query_vector: [1, 0] }),
      signal: client.signal,
    }).catch((e: unknown) => e);
    await store.searchStarted;
    expect(store.searchSignal?.aborted).toBe(false);
    client.abort();
    const reason = await store.searchEnded;
    expect(store.searchSignal?.aborted).toBe(true);
    expect(reason).toBeInstanceOf(DomainError);
    expect((reason as DomainError).code).toBe('CANCELLED');
    expect(await pending).toMatchObject({ name: 'AbortError' });
    // The server keeps serving after the abandoned call.
    expect((await server.call('GET', '/healthz')).status).toBe(200);
  });
});
