import { exitCode, rest, runMain, startService, LIGHT_START, type ServiceProcess } from '../support/service-process';
import { useTempDir } from '../support/temp-dirs';

/** A deterministic unit vector in 8 dimensions for id number i. */
function vec(i: number): number[] {
  const v = Array.from({ length: 8 }, (_, d) => Math.sin(i * 7.13 + d * 1.7) + (d === i % 8 ? 2 : 0));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/**
 * startService waits up to 60 s for the listening line and 60 s more for /readyz (both models
 * loaded), so a test that starts the service gets room for its starts (two at most here), not
 * jest's 60 s default: a loaded 2-core machine exceeded that, and the timed-out test's second start
 * left a process that kept jest from exiting.
 */
const STARTS_MS = 4 * 60_000;

describe('the service as a process (npm start)', () => {
  const data = useTempDir('proc', { each: true });
  let svc: ServiceProcess | undefined;

  afterEach(async () => {
    if (svc && svc.child.exitCode === null) await svc.stop('SIGKILL');
    svc = undefined;
  });

  it('keeps collections and vectors across a restart, then searches them', async () => {
    svc = await startService(data.path, LIGHT_START);
    expect((await rest(svc.baseUrl, 'POST', '/v1/collections', { name: 'kept', description: 'survives', vector_dim: 8, index_params: { metric_type: 'L2' } })).status).toBe(201);
    await svc.vectors.insert({ collectionName: 'kept', vectors: Array.from({ length: 50 }, (_, i) => ({ id: `v${i}`, vector: vec(i), metadata: { i, even: i % 2 === 0 } })) });
    await svc.vectors.upsert({ collectionName: 'kept', vectors: [{ id: 'v3', vector: vec(103), metadata: { i: 103, even: false } }] });
    await svc.vectors.delete({ collectionName: 'kept', ids: ['v4'] });
    const before = await svc.vectors.getCollectionInfo({ name: 'kept' });
    expect(await svc.stop()).toBe(0);

    svc = await startService(data.path, LIGHT_START);
    const after = await svc.vectors.getCollectionInfo({ name: 'kept' });
    expect(after).toEqual(before);
    expect(after).toMatchObject({ description: 'survives', vectorDim: 8, indexParams: { metricType: 'L2' } });
    expect((await svc.vectors.getCollectionStats({ name: 'kept' })).vectorCount).toBe(49);
    const got = await svc.vectors.getByID({ collectionName: 'kept', id: 'v3' });
    expect(got.vector?.metadata).toEqual({ i: 103, even: false });
    const hits = await rest(svc.baseUrl, 'POST', '/v1/collections/kept/search', { query_vector: vec(10), options: { topk: 3, filter: { even: true } } });
    expect(hits.status).toBe(200);
    expect(hits.body.results[0]).toMatchObject({ id: 'v10', metadata: { i: 10, even: true } });
    expect(hits.body.results[0].score).toBeCloseTo(0, 5);
    expect(hits.body.results.every((r: { metadata: { even: boolean } }) => r.metadata.even)).toBe(true);
  }, STARTS_MS);

  it('loses nothing when many writers use both doors at once', async () => {
    svc = await startService(data.path, LIGHT_START);
    await svc.vectors.createCollection({ name: 'busy', vectorDim: 8 });
    const s = svc;
    const grpcInserts = Array.from({ length: 60 }, (_, b) =>
      s.vectors.insert({ collectionName: 'busy', vectors: Array.from({ length: 5 }, (_, j) => ({ id: `g${b}-${j}`, vector: vec(b * 5 + j), metadata: { door: 'grpc', b } })) }));
    const restInserts = Array.from({ length: 60 }, (_, b) =>
      rest(s.baseUrl, 'POST', '/v1/collections/busy/vectors', { vectors: [{ id: `r${b}`, vector: vec(1000 + b), metadata: { door: 'rest', b } }] }));
    const upserts = Array.from({ length: 30 }, (_, b) =>
      s.vectors.upsert({ collectionName: 'busy', vectors: [{ id: `u${b % 10}`, vector: vec(2000 + b), metadata: { door: 'upsert', b } }] }));
    const results = await Promise.all([...grpcInserts, ...restInserts.map((p) => p.then((r) => expect(r.status).toBe(200))), ...upserts]);
    expect(results).toHaveLength(150);

    expect((await s.vectors.getCollectionStats({ name: 'busy' })).vectorCount).toBe(300 + 60 + 10);
    for (const b of [0, 17, 59]) {
      expect((await s.vectors.getByID({ collectionName: 'busy', id: `g${b}-4` })).vector?.metadata).toEqual({ door: 'grpc', b });
      expect((await rest(s.baseUrl, 'GET', `/v1/collections/busy/vectors/r${b}`)).body.vector.metadata).toEqual({ door: 'rest', b });
    }
    // Upserts of one id may commit in any order, but the stored row is one of those written whole.
    const u3 = await s.vectors.getByID({ collectionName: 'busy', id: 'u3' });
    const b = (u3.vector!.metadata as { b: number }).b;
    expect([3, 13, 23]).toContain(b);
    expect(u3.vector!.vector.map((x) => Number(x.toFixed(5)))).toEqual(vec(2000 + b).map((x) => Number(Math.fround(x).toFixed(5))));
  }, STARTS_MS);

  it('drains an in-flight call on SIGTERM before exiting', async () => {
    svc = await startService(data.path, LIGHT_START);
    await rest(svc.baseUrl, 'POST', '/v1/collections', { name: 'drain', vector_dim: 8 });
    const vectors = Array.from({ length: 5000 }, (_, i) => ({ id: `d${i}`, vector: vec(i) }));
    const pending = rest(svc.baseUrl, 'POST', '/v1/collections/drain/vectors', { vectors }, { 'x-request-id': 'drain-me' });
    await svc.waitForLog((l) => l.requestId === 'drain-me');
    const exited = svc.stop('SIGTERM');
    const answer = await pending;
    expect(answer.status).toBe(200);
    expect(answer.body.ids).toHaveLength(5000);
    expect(await exited).toBe(0);

    svc = await startService(data.path, LIGHT_START);
    expect((await svc.vectors.getCollectionStats({ name: 'drain' })).vectorCount).toBe(5000);
  }, STARTS_MS);

  it('with TEXT_MODEL_ENABLED=false: ready without loading the text model, which is registered disabled until enabled', async () => {
    svc = await startService(data.path, LIGHT_START);
    const text = 'SmolLM2-135M-Instruct';
    const registered = (await rest(svc.baseUrl, 'GET', `/v1/models/${text}`)).body.config;
    expect(registered).toMatchObject({ provider: 'llamacpp', enabled: false });
    const refused = await rest(svc.baseUrl, 'POST', `/v1/models/${text}/generate`, { prompt: 'Say hi.', parameters: { max_tokens: 2 } });
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 400, code: 'FAILED_PRECONDITION' });
    // Nothing of llama.cpp ran: no log line of its provider (a load logs 'model loaded').
    expect(svc.logs.filter((l) => l.component === 'llamacpp')).toEqual([]);
    // Enabled, its first call loads it.
    expect((await rest(svc.baseUrl, 'PUT', `/v1/models/${text}`, { config: { ...registered, enabled: true } })).status).toBe(200);
    const generated = await rest(svc.baseUrl, 'POST', `/v1/models/${text}/generate`, { prompt: 'Say hi.', parameters: { max_tokens: 2, temperature: 0 } });
    expect(generated.status).toBe(200);
    expect(svc.logs.some((l) => l.component === 'llamacpp' && l.msg === 'model loaded')).toBe(true);
  }, STARTS_MS);

  it('refuses bad configuration with every problem in one message and status 2', async () => {
    const child = runMain({ DATA_DIR: data.path, GRPC_PORT: 'abc', HTTP_PORT: '99999', LOG_LEVEL: 'chatty' });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
    expect(await exitCode(child)).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    for (const name of ['GRPC_PORT', 'HTTP_PORT', 'LOG_LEVEL']) expect(stderr).toContain(name);
  });
});
