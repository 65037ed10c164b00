import { Client, credentials, Metadata as GrpcMetadata, status as grpcStatus, type ServiceError } from '@grpc/grpc-js';
import { Metadata, Status, type CallContext } from 'nice-grpc';
import { DomainError } from '../../src/errors';
import { ModelServiceDefinition } from '../../src/gen/taishang/ai/v1/model_service';
import { InsertRequest, SearchRequest, SearchResponse, VectorServiceDefinition } from '../../src/gen/taishang/ai/v1/vector_service';
import { vectorServiceHandlers } from '../../src/grpc/vector-service-handlers';
import { expectStatus, logLine, startGrpc, vectorOf, violatedFields, type GrpcHarness } from './grpc-harness';
import { fileContainingSymbol, listServices } from './grpc-reflection-client';

const VECTOR_SERVICE = VectorServiceDefinition.fullName;
const MODEL_SERVICE = ModelServiceDefinition.fullName;

/** grpc.health.v1.HealthCheckResponse.ServingStatus values (health.proto). */
const Serving = { SERVING: 1, NOT_SERVING: 2 } as const;
type Serving = (typeof Serving)[keyof typeof Serving];

/** A unary Search the way a Go client makes it: with a deadline sent as grpc-timeout. */
function searchWithDeadline(address: string, request: SearchRequest, deadline: Date): Promise<ServiceError | SearchResponse> {
  const client = new Client(address, credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      `/${VECTOR_SERVICE}/Search`,
      (r: SearchRequest) => Buffer.from(SearchRequest.encode(r).finish()),
      (b: Buffer) => SearchResponse.decode(b),
      request,
      new GrpcMetadata(),
      { deadline },
      (error, response) => {
        client.close();
        resolve(error ?? response!);
      },
    );
  });
}

/** A health Watch with a deadline; resolves with the status the stream ended with. */
function watchWithDeadline(address: string, deadline: Date): Promise<number> {
  const client = new Client(address, credentials.createInsecure());
  return new Promise((resolve) => {
    const call = client.makeServerStreamRequest(
      '/grpc.health.v1.Health/Watch',
      () => Buffer.alloc(0),
      (b: Buffer) => b,
      {},
      new GrpcMetadata(),
      { deadline },
    );
    call.on('data', () => undefined);
    call.on('error', (e: ServiceError) => {
      client.close();
      resolve(e.code);
    });
  });
}

describe('gRPC server: health, reflection, deadlines, cancellation, request ids, error details', () => {
  let h: GrpcHarness;
  beforeAll(async () => {
    h = await startGrpc();
    await h.vectors.createCollection({ name: 'docs', vectorDim: 4 });
    await h.vectors.insert({ collectionName: 'docs', vectors: [{ id: 'a', vector: [1, 0, 0, 0] }] });
  });
  afterAll(async () => {
    await h.close();
  });

  async function checkUntil(service: string, want: Serving): Promise<void> {
    for (let i = 0; i < 100; i += 1) {
      if ((await h.health.check({ service })).status === want) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`health of '${service}' never became ${want}`);
  }

  it('health Check says SERVING for the server, VectorService and ModelService, NOT_FOUND for others', async () => {
    await checkUntil('', Serving.SERVING);
    expect(await h.health.check({ service: VECTOR_SERVICE })).toEqual({ status: Serving.SERVING });
    expect(await h.health.check({ service: MODEL_SERVICE })).toEqual({ status: Serving.SERVING });
    await expectStatus(h.health.check({ service: 'no.such.Service' }), Status.NOT_FOUND);
  });

  it('health follows readiness, and Watch streams the changes until the client leaves', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const watching = (async () => {
      for await (const update of h.health.watch({ service: VECTOR_SERVICE }, { signal: controller.signal })) {
        seen.push(update.status);
        if (seen.length === 1) h.setReady(false);
        if (seen.length === 2) h.setReady(true);
        if (seen.length === 3) controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(((await watching) as Error).name).toBe('AbortError');
    expect(seen).toEqual([Serving.SERVING, Serving.NOT_SERVING, Serving.SERVING]);
    // The client's cancel reached the server: the call's signal fired and the log says so.
    const line = await logLine(h.logs, (l) => l.method === '/grpc.health.v1.Health/Watch');
    expect(line.code).toBe('CANCELLED');
  });

  it('reflection lists, and describes, VectorService, ModelService and Health', async () => {
    expect(await listServices(h.address)).toEqual(['grpc.health.v1.Health', MODEL_SERVICE, VECTOR_SERVICE]);
    const models = await fileContainingSymbol(h.address, MODEL_SERVICE);
    expect(models).toMatchObject({ name: 'taishang/ai/v1/model_service.proto', package: 'taishang.ai.v1' });
    expect(models.services[0]!.methods).toHaveLength(10);
    expect(models.services[0]!.methods).toContain('GenerateEmbeddings');
    expect(models.services[0]!.methods).toContain('Rerank');
    const vectors = await fileContainingSymbol(h.address, VECTOR_SERVICE);
    expect(vectors).toMatchObject({ name: 'taishang/ai/v1/vector_service.proto', package: 'taishang.ai.v1' });
    expect(vectors.services[0]!.methods).toHaveLength(24);
    expect(vectors.services[0]!.methods).toContain('GetByID');
    expect(vectors.services[0]!.methods).toEqual(expect.arrayContaining(['ListVectors', 'CountVectors', 'CreateAlias', 'AlterAlias', 'DropAlias', 'ListAliases', 'ExportSnapshot', 'ImportSnapshot']));
    const health = await fileContainingSymbol(h.address, 'grpc.health.v1.Health');
    expect(health.services).toEqual([{ name: 'Health', methods: ['Check', 'Watch'] }]);
    await fileContainingSymbol(h.address, 'taishang.ai.v1.SearchRequest');
  });

  it('a call whose deadline is already (nearly) over gets DEADLINE_EXCEEDED', async () => {
    const request = SearchRequest.fromPartial({ collectionName: 'docs', queryVector: [1, 0, 0, 0] });
    const late = await searchWithDeadline(h.address, request, new Date(Date.now() + 1));
    expect((late as ServiceError).code).toBe(grpcStatus.DEADLINE_EXCEEDED);
    const inTime = await searchWithDeadline(h.address, request, new Date(Date.now() + 10_000));
    expect((inTime as SearchResponse).results.map((r) => r.id)).toEqual(['a']);
  });

  it('a deadline passing on the server aborts the call as DEADLINE_EXCEEDED, not CANCELLED', async () => {
    const before = h.logs.length;
    expect(await watchWithDeadline(h.address, new Date(Date.now() + 300))).toBe(grpcStatus.DEADLINE_EXCEEDED);
    const line = await logLine(h.logs, (l) => l.method === '/grpc.health.v1.Health/Watch', before);
    expect(line.code).toBe('DEADLINE_EXCEEDED');
  });

  it('the caller’s signal reaches the domain: an aborted call writes nothing and is CANCELLED', async () => {
    const handlers = vectorServiceHandlers(h.service, h.snapshots);
    const controller = new AbortController();
    controller.abort();
    const context = { signal: controller.signal, metadata: Metadata() } as CallContext;
    const request = { collectionName: 'docs', vectors: [{ id: 'late', vector: [0, 1, 0, 0], metadata: undefined, text: '' }] };
    const error = await handlers.insert(request, context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('CANCELLED');
    await expectStatus(h.vectors.getByID({ collectionName: 'docs', id: 'late' }), Status.NOT_FOUND);
  });

  it('a client cancelling a unary call gets CANCELLED and the batch is all or nothing', async () => {
    const dim = 256;
    await h.vectors.createCollection({ name: 'cancelled', vectorDim: dim });
    const request = InsertRequest.fromPartial({
      collectionName: 'cancelled',
      vectors: Array.from({ length: 5000 }, (_, i) => ({ id: `c${i}`, vector: vectorOf(i, dim) })),
    });
    const client = new Client(h.address, credentials.createInsecure());
    const code = await new Promise<number>((resolve) => {
      const call = client.makeUnaryRequest(
        `/${VECTOR_SERVICE}/Insert`,
        (r: InsertRequest) => Buffer.from(InsertRequest.encode(r).finish()),
        (b: Buffer) => b,
        request,
        (error) => resolve(error?.code ?? grpcStatus.OK),
      );
      setImmediate(() => call.cancel());
    });
    client.close();
    expect(code).toBe(grpcStatus.CANCELLED);
    const { vectorCount } = await h.vectors.getCollectionStats({ name: 'cancelled' });
    expect([0, 5000]).toContain(vectorCount);
  });

  it('echoes x-request-id in the response header and logs it; generates one when absent', async () => {
    let echoed: string | undefined;
    await h.vectors.hasCollection(
      { name: 'docs' },
      { metadata: Metadata({ 'x-request-id': 'req-123' }), onHeader: (m) => (echoed = m.get('x-request-id')) },
    );
    expect(echoed).toBe('req-123');
    const line = await logLine(h.logs, (l) => l.requestId === 'req-123');
    expect(line).toMatchObject({ method: `/${VECTOR_SERVICE}/HasCollection`, code: 'OK' });
    expect(typeof line.durationMs).toBe('number');

    let generated: string | undefined;
    const failing = h.vectors.hasCollection({ name: '1bad' }, { onHeader: (m) => (generated = m.get('x-request-id')) });
    await expectStatus(failing, Status.INVALID_ARGUMENT);
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(await logLine(h.logs, (l) => l.requestId === generated)).toMatchObject({ code: 'INVALID_ARGUMENT' });

    let replaced: string | undefined;
    await h.vectors.hasCollection(
      { name: 'docs' },
      { metadata: Metadata({ 'x-request-id': 'has spaces; and "quotes"' }), onHeader: (m) => (replaced = m.get('x-request-id')) },
    );
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
    let tooLong: string | undefined;
    await h.vectors.hasCollection(
      { name: 'docs' },
      { metadata: Metadata({ 'x-request-id': 'x'.repeat(129) }), onHeader: (m) => (tooLong = m.get('x-request-id')) },
    );
    expect(tooLong).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('INVALID_ARGUMENT carries google.rpc.BadRequest naming the field', async () => {
    const error = await expectStatus(
      h.vectors.insert({ collectionName: 'docs', vectors: [{ id: 'x', vector: [1, 2] }] }),
      Status.INVALID_ARGUMENT,
    );
    expect(error.details).toContain('vectors[0].vector');
    expect(violatedFields(error)).toEqual(['vectors[0].vector']);
  });

  it('accepts messages far above gRPC’s 4 MiB default (64 MiB limit)', async () => {
    const dim = 1024;
    await h.vectors.createCollection({ name: 'big', vectorDim: dim });
    const vectors = Array.from({ length: 3000 }, (_, i) => ({ id: `v${i}`, vector: vectorOf(i, dim) }));
    const res = await h.vectors.insert({ collectionName: 'big', vectors });
    expect(res.ids).toHaveLength(3000);
    const { vector } = await h.vectors.getByID({ collectionName: 'big', id: 'v2999' });
    expect(vector!.vector).toHaveLength(dim);
  });
});
