import { ClientError, Status } from 'nice-grpc';
import { RichClientError, BadRequest } from 'nice-grpc-error-details';
import { startParityApp, type ParityApp } from './door-parity/parity-app';

/**
 * Snapshots through both doors of one real app on LanceDB: a file downloaded over REST uploads over
 * gRPC and the reverse, every record reads back through either door as it was, and broken input
 * gets the documented code naming the field on each door while storing nothing.
 */
describe('snapshots over gRPC and REST', () => {
  let app: ParityApp;
  const DIM = 4;
  const originals = Array.from({ length: 250 }, (_, i) => ({
    id: `r${String(i).padStart(3, '0')}`,
    vector: [Math.fround(i / 7), Math.fround(-i / 3), Math.fround(Math.sqrt(i + 1)), 0.5],
    metadata: { i, name: `rec ${i}`, tags: ['x', i % 2 === 0 ? 'even' : 'odd'], nested: { ok: true } },
  }));

  beforeAll(async () => {
    app = await startParityApp();
    const created = await app.rest.call('POST', '/v1/collections', { json: { name: 'src', vector_dim: DIM, description: 'the source', index_params: { index_type: 'FLAT', metric_type: 'L2' } } });
    expect(created.status).toBe(201);
    await app.grpc.vectors.insert({ collectionName: 'src', vectors: originals });
  });
  afterAll(async () => app?.close());

  async function download(name: string): Promise<Buffer> {
    const res = await fetch(`${app.rest.baseUrl}/v1/collections/${name}/snapshot`);
    expect({ status: res.status, type: res.headers.get('content-type') }).toEqual({ status: 200, type: 'application/vnd.taishang.snapshot' });
    return Buffer.from(await res.arrayBuffer());
  }

  async function exportOverGrpc(name: string): Promise<Buffer> {
    const pieces: Buffer[] = [];
    for await (const piece of app.grpc.vectors.exportSnapshot({ collectionName: name })) pieces.push(Buffer.from(piece.data));
    return Buffer.concat(pieces);
  }

  function upload(name: string, bytes: Uint8Array, query = '', type = 'application/vnd.taishang.snapshot') {
    return fetch(`${app.rest.baseUrl}/v1/collections/${name}/snapshot${query}`, { method: 'POST', headers: { 'content-type': type }, body: bytes });
  }

  /** The file in 100 kB messages, the options in the first. */
  async function* messages(name: string, file: Uint8Array, replace = false) {
    const bytes = Buffer.from(file);
    yield { collectionName: name, replace, data: bytes.subarray(0, 100_000) };
    for (let at = 100_000; at < bytes.length; at += 100_000) yield { data: bytes.subarray(at, at + 100_000) };
  }

  /** Every record through ListVectors over gRPC, with vectors. */
  async function listed(name: string) {
    const out: { id: string; vector: number[]; metadata: unknown }[] = [];
    let pageToken = '';
    do {
      const page = await app.grpc.vectors.listVectors({ collectionName: name, pageSize: 100, pageToken, includeVector: true });
      out.push(...page.vectors.map((v) => ({ id: v.id, vector: v.vector, metadata: v.metadata })));
      pageToken = page.nextPageToken;
    } while (pageToken !== '');
    return out;
  }

  async function grpcRefusal(call: Promise<unknown>): Promise<{ code: string; field?: string }> {
    const error = await call.then(() => undefined, (e: unknown) => e);
    if (!(error instanceof ClientError)) throw new Error(`expected a gRPC error, got ${String(error)}`);
    const fields = error instanceof RichClientError ? error.extra.flatMap((d) => (d.$type === BadRequest.$type ? d.fieldViolations.map((v) => v.field) : [])) : [];
    return { code: Status[error.code], field: fields[0] };
  }

  async function restRefusal(res: Response): Promise<{ code: string; field?: string; status: number; type: string | null }> {
    const body = (await res.json()) as { code: string; errors?: { field: string }[] };
    return { status: res.status, type: res.headers.get('content-type'), code: body.code, field: body.errors?.[0]?.field };
  }

  it('a REST download uploads over gRPC, a gRPC export uploads over REST; both read back as stored, with the declaration', async () => {
    const overRest = await download('src');
    const overGrpc = await exportOverGrpc('src');
    const done = await app.grpc.vectors.importSnapshot(messages('via_grpc', overRest));
    expect(done).toEqual({ success: true, message: "imported 250 vectors into collection 'via_grpc'", collectionName: 'via_grpc', recordCount: 250 });
    const res = await upload('via_rest', overGrpc);
    expect({ status: res.status, location: res.headers.get('location'), body: await res.json() }).toEqual({
      status: 201,
      location: '/v1/collections/via_rest',
      body: { success: true, message: "imported 250 vectors into collection 'via_rest'", collection_name: 'via_rest', record_count: 250 },
    });
    const source = await listed('src');
    expect(source.map((r) => r.id)).toEqual(originals.map((r) => r.id));
    expect(source.map((r) => r.vector)).toEqual(originals.map((r) => r.vector));
    expect(await listed('via_grpc')).toEqual(source);
    expect(await listed('via_rest')).toEqual(source);
    const info = (await app.rest.call('GET', '/v1/collections/via_rest')).body;
    expect(info).toMatchObject({ name: 'via_rest', description: 'the source', vector_dim: DIM, index_params: { index_type: 'FLAT', metric_type: 'L2' } });
    const query = { query_vector: [1, -1, 2, 0.5], options: { topk: 10 } };
    const hits = async (name: string) => (await app.rest.call('POST', `/v1/collections/${name}/search`, { json: query })).body.results;
    expect(await hits('via_rest')).toEqual(await hits('src'));
  });

  it('broken files: the documented code naming the field on each door, and nothing stored', async () => {
    const file = await download('src');
    const damaged = Buffer.from(file);
    damaged[file.length - 200] = damaged[file.length - 200]! ^ 0x10;
    let trailerAt = 8;
    for (let at = 8; at < file.length; at += 5 + file.readUInt32BE(at + 1) + 32) trailerAt = at;
    const before = (await app.grpc.vectors.listCollections({})).names;
    const cases: [string, Uint8Array, string, string | undefined][] = [
      ['truncated', file.subarray(0, file.length - 10), 'DATA_LOSS', 'snapshot.frames[2]'],
      ['cut before the trailer', file.subarray(0, trailerAt), 'DATA_LOSS', 'snapshot'],
      ['damaged', damaged, 'DATA_LOSS', 'snapshot.frames[1]'],
      ['not a snapshot', Buffer.from('PK\u0003\u0004 a zip, say'), 'INVALID_ARGUMENT', 'snapshot'],
      ['empty', Buffer.alloc(0), 'INVALID_ARGUMENT', 'snapshot'],
    ];
    for (const [what, bytes, code, field] of cases) {
      expect({ what, ...(await grpcRefusal(app.grpc.vectors.importSnapshot(messages('broken', bytes))))}).toEqual({ what, code, field });
      expect({ what, ...(await restRefusal(await upload('broken', bytes))) }).toEqual({ what, status: 400, type: 'application/problem+json; charset=utf-8', code, field });
    }
    expect((await app.grpc.vectors.listCollections({})).names).toEqual(before);
  });

  it('an existing name is ALREADY_EXISTS unless replace; a bad name names collection_name; JSON is 415; unknown is NOT_FOUND', async () => {
    const file = await download('src');
    await app.rest.call('POST', '/v1/collections', { json: { name: 'taken', vector_dim: 2 } });
    expect(await grpcRefusal(app.grpc.vectors.importSnapshot(messages('taken', file)))).toEqual({ code: 'ALREADY_EXISTS', field: undefined });
    expect(await restRefusal(await upload('taken', file))).toMatchObject({ status: 409, code: 'ALREADY_EXISTS' });
    expect((await app.rest.call('GET', '/v1/collections/taken')).body.vector_dim).toBe(2);
    expect((await upload('taken', file, '?replace=true')).status).toBe(201);
    expect((await app.rest.call('GET', '/v1/collections/taken')).body.vector_dim).toBe(DIM);
    expect((await app.grpc.vectors.importSnapshot(messages('taken', file, true))).recordCount).toBe(250);

    expect(await grpcRefusal(app.grpc.vectors.importSnapshot(messages('1bad', file)))).toEqual({ code: 'INVALID_ARGUMENT', field: 'collection_name' });
    expect(await restRefusal(await upload('1bad', file))).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT', field: 'collection_name' });
    expect((await upload('json_body', Buffer.from('{}'), '', 'application/json')).status).toBe(415);
    expect(await grpcRefusal((async () => { for await (const _ of app.grpc.vectors.exportSnapshot({ collectionName: 'nope' })); })())).toEqual({ code: 'NOT_FOUND', field: undefined });
    expect((await fetch(`${app.rest.baseUrl}/v1/collections/nope/snapshot`)).status).toBe(404);
  });

  it('counts the new routes in the REST metrics under their route patterns', async () => {
    const text = await (await fetch(`${app.rest.baseUrl}/metrics`)).text();
    for (const [method, code] of [['GET', '200'], ['POST', '201'], ['POST', '400'], ['POST', '409']]) {
      expect(text).toMatch(new RegExp(`taishang_http_requests_total\\{[^}]*method="${method}"[^}]*route="/v1/collections/:name/snapshot"[^}]*code="${code}"[^}]*\\} [1-9]`));
    }
  });
});
