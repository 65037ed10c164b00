import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, credentials, Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { FileDescriptorSet } from 'protobufjs/ext/descriptor';
import { OPERATION_ACCESS, type Access, type Role } from '../../src/domain';
import { startService, type ServiceProcess } from '../support/service-process';
import { tempDir } from '../support/temp-dirs';

/**
 * Every REST operation (from the served /openapi.json) and every RPC (from the proto descriptors)
 * against no key, a wrong key, keys lacking the role and the key with just the role, on the real
 * service process: a route or RPC added without an access rule fails here.
 */
jest.setTimeout(180_000);

const KEYS = {
  read: 'matrix-read-only-key-0001',
  write: 'matrix-write-only-key-0002',
  admin: 'matrix-admin-only-key-0003',
  all: 'matrix-all-roles-key-0004',
} as const;
const WRONG_KEY = 'matrix-not-a-configured-key-9';
const ROLES: Role[] = ['read', 'write', 'admin'];
const COLLECTION = 'matrix';
const MODEL = 'all-MiniLM-L6-v2';

/** REST operations → the RPC whose access they share (CONVENTIONS.md's table); OpenAI routes read. */
const REST_OPERATION: Record<string, keyof typeof OPERATION_ACCESS | 'openai' | 'probe' | 'metrics'> = {
  'POST /v1/collections': 'VectorService.CreateCollection',
  'GET /v1/collections': 'VectorService.ListCollections',
  'GET /v1/collections/{name}': 'VectorService.GetCollectionInfo',
  'HEAD /v1/collections/{name}': 'VectorService.HasCollection',
  'DELETE /v1/collections/{name}': 'VectorService.DropCollection',
  'GET /v1/collections/{name}/stats': 'VectorService.GetCollectionStats',
  'POST /v1/collections/{name}/compact': 'VectorService.Compact',
  'PUT /v1/collections/{name}/index': 'VectorService.CreateIndex',
  'GET /v1/collections/{name}/index': 'VectorService.HasIndex',
  'DELETE /v1/collections/{name}/index': 'VectorService.DropIndex',
  'POST /v1/collections/{name}/vectors': 'VectorService.Insert',
  'PUT /v1/collections/{name}/vectors': 'VectorService.Upsert',
  'POST /v1/collections/{name}/vectors/delete': 'VectorService.Delete',
  'GET /v1/collections/{name}/vectors/{id}': 'VectorService.GetByID',
  'POST /v1/collections/{name}/search': 'VectorService.Search',
  'GET /v1/collections/{name}/vectors': 'VectorService.ListVectors',
  'POST /v1/collections/{name}/vectors/list': 'VectorService.ListVectors',
  'GET /v1/collections/{name}/count': 'VectorService.CountVectors',
  'POST /v1/collections/{name}/count': 'VectorService.CountVectors',
  'POST /v1/aliases': 'VectorService.CreateAlias',
  'PUT /v1/aliases/{alias}': 'VectorService.AlterAlias',
  'DELETE /v1/aliases/{alias}': 'VectorService.DropAlias',
  'GET /v1/aliases': 'VectorService.ListAliases',
  'GET /v1/collections/{name}/snapshot': 'VectorService.ExportSnapshot',
  'POST /v1/collections/{name}/snapshot': 'VectorService.ImportSnapshot',
  'GET /v1/health': 'VectorService.Health',
  'GET /healthz': 'probe',
  'GET /readyz': 'probe',
  // Keys are configured and METRICS_PUBLIC is not set, so the scrape needs `read`.
  'GET /metrics': 'metrics',
  'POST /v1/models': 'ModelService.RegisterModel',
  'GET /v1/models': 'ModelService.ListModels',
  'GET /v1/models/{name}': 'ModelService.GetModelInfo',
  'PUT /v1/models/{name}': 'ModelService.UpdateModelConfig',
  'DELETE /v1/models/{name}': 'ModelService.UnregisterModel',
  'POST /v1/models/{name}/generate': 'ModelService.GenerateText',
  'POST /v1/models/{name}/generate/stream': 'ModelService.StreamGenerateText',
  'POST /v1/models/{name}/embed': 'ModelService.GenerateEmbedding',
  'POST /v1/models/{name}/embeddings': 'ModelService.GenerateEmbeddings',
  'POST /v1/models/{name}/rerank': 'ModelService.Rerank',
  'POST /openai/v1/embeddings': 'openai',
  'POST /openai/v1/chat/completions': 'openai',
  'POST /openai/v1/rerank': 'openai',
  'POST /openai/v1/completions': 'openai',
  'GET /openai/v1/models': 'openai',
  'GET /openai/v1/models/{model}': 'openai',
};

function accessOfRoute(route: string): Access {
  const operation = REST_OPERATION[route];
  if (operation === undefined) throw new Error(`${route} has no entry in this test's table: add it with the access it needs`);
  if (operation === 'metrics') return 'metrics';
  return operation === 'openai' ? 'read' : operation === 'probe' ? 'public' : OPERATION_ACCESS[operation];
}

interface RestOperation {
  route: string;
  method: string;
  path: string;
  hasBody: boolean;
  documentedPublic: boolean;
}

interface Rpc {
  path: string;
  operation: string;
  serverStreaming: boolean;
  clientStreaming: boolean;
}

/** VectorService and ModelService methods as the proto descriptor set declares them. */
function rpcsFromDescriptors(): Rpc[] {
  const set = FileDescriptorSet.decode(readFileSync(join(__dirname, '..', '..', 'src', 'gen', 'descriptor-set.binpb'))) as unknown as {
    file: { package?: string; service?: { name: string; method: { name: string; serverStreaming?: boolean; clientStreaming?: boolean }[] }[] }[];
  };
  return set.file
    .filter((f) => f.package === 'taishang.ai.v1')
    .flatMap((f) => (f.service ?? []).flatMap((s) => s.method.map((m) => ({
      path: `/${f.package}.${s.name}/${m.name}`,
      operation: `${s.name}.${m.name}`,
      serverStreaming: m.serverStreaming === true,
      clientStreaming: m.clientStreaming === true,
    }))));
}

describe('the auth matrix over every REST operation and RPC', () => {
  let service: ServiceProcess;
  let restOperations: RestOperation[];
  let grpc: Client;

  beforeAll(async () => {
    service = await startService(await tempDir('auth-matrix'), {
      API_KEYS: `${KEYS.read}:read,${KEYS.write}:write,${KEYS.admin}:admin,${KEYS.all}`,
    });
    const spec = (await (await fetch(`${service.baseUrl}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: unknown; security?: unknown[] }>>;
    };
    restOperations = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        route: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path: path.replace('{name}', path.startsWith('/v1/models') ? MODEL : COLLECTION).replace('{id}', 'v1').replace('{model}', MODEL).replace('{alias}', 'matrix_alias'),
        hasBody: op.requestBody !== undefined,
        documentedPublic: Array.isArray(op.security) && op.security.length === 0,
      })),
    );
    const created = await fetch(`${service.baseUrl}/v1/collections`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.admin}` },
      body: JSON.stringify({ name: COLLECTION, vector_dim: 2 }),
    });
    expect(created.status).toBe(201);
    grpc = new Client(`127.0.0.1:${service.grpcPort}`, credentials.createInsecure());
  });

  afterAll(async () => {
    grpc?.close();
    await service?.stop();
  });

  async function restStatus(op: RestOperation, key: string | undefined): Promise<number> {
    const headers: Record<string, string> = key === undefined ? {} : { authorization: `Bearer ${key}` };
    if (op.hasBody) headers['content-type'] = 'application/json';
    const res = await fetch(`${service.baseUrl}${op.path}`, { method: op.method, headers, body: op.hasBody ? '{}' : undefined });
    await res.arrayBuffer();
    return res.status;
  }

  /** The status code an RPC ends with, sent an empty (all-defaults) request message. */
  function rpcStatus(rpc: Rpc, key: string | undefined): Promise<number> {
    const metadata = new Metadata();
    if (key !== undefined) metadata.set('authorization', `Bearer ${key}`);
    const serialize = (b: Buffer): Buffer => b;
    const deserialize = (b: Buffer): Buffer => b;
    const deadline = new Date(Date.now() + 30_000);
    return new Promise((resolve) => {
      if (rpc.serverStreaming) {
        const call = grpc.makeServerStreamRequest(rpc.path, serialize, deserialize, Buffer.alloc(0), metadata, { deadline });
        call.on('data', () => undefined);
        call.on('status', (s: { code: number }) => resolve(s.code));
        call.on('error', () => undefined);
      } else {
        grpc.makeUnaryRequest(rpc.path, serialize, deserialize, Buffer.alloc(0), metadata, { deadline }, (error: ServiceError | null) =>
          resolve(error === null ? GrpcStatus.OK : error.code),
        );
      }
    });
  }

  it('enumerates the REST operations, each with an access rule that the document states', () => {
    expect(restOperations.length).toBeGreaterThan(25);
    for (const op of restOperations) {
      expect({ route: op.route, documentedPublic: op.documentedPublic }).toEqual({ route: op.route, documentedPublic: accessOfRoute(op.route) === 'public' });
    }
  });

  it('enumerates every RPC of both services, each with an OPERATION_ACCESS entry, and no stale entries', () => {
    const rpcs = rpcsFromDescriptors();
    expect(rpcs.filter((r) => r.path.includes('VectorService')).length).toBeGreaterThan(10);
    expect(rpcs.filter((r) => r.path.includes('ModelService')).length).toBeGreaterThan(5);
    expect(rpcs.some((r) => r.serverStreaming)).toBe(true);
    expect(rpcs.filter((r) => !Object.hasOwn(OPERATION_ACCESS, r.operation)).map((r) => r.operation)).toEqual([]);
    expect(Object.keys(OPERATION_ACCESS).sort()).toEqual(rpcs.map((r) => r.operation).sort());
  });

  it('REST: no key and a wrong key → 401, a key without the role → 403, the key with just the role → neither', async () => {
    const table: string[] = [];
    for (const op of restOperations) {
      const access = accessOfRoute(op.route);
      const noKey = await restStatus(op, undefined);
      const wrongKey = await restStatus(op, WRONG_KEY);
      if (access === 'public') {
        table.push(`${op.route}: public ${noKey !== 401 && wrongKey !== 401 ? 'ok' : `no key ${noKey}, wrong key ${wrongKey}`}`);
        continue;
      }
      const needed = access === 'metrics' ? 'read' : access;
      const problems: string[] = [];
      if (noKey !== 401) problems.push(`no key ${noKey}`);
      if (wrongKey !== 401) problems.push(`wrong key ${wrongKey}`);
      for (const role of ROLES.filter((r) => r !== needed)) {
        const status = await restStatus(op, KEYS[role]);
        if (status !== 403) problems.push(`${role}-only key ${status}`);
      }
      const allowed = await restStatus(op, KEYS[needed]);
      if (allowed === 401 || allowed === 403) problems.push(`${needed}-only key ${allowed}`);
      table.push(`${op.route}: ${needed} ${problems.length === 0 ? 'ok' : problems.join(', ')}`);
    }
    expect(table).toEqual(table.map((line) => line.replace(/: (public|read|write|admin) .*$/, (_m, a: string) => `: ${a} ok`)));
  });

  it('gRPC: no key and a wrong key → UNAUTHENTICATED, a key without the role → PERMISSION_DENIED, the key with the role → neither', async () => {
    const table: string[] = [];
    for (const rpc of rpcsFromDescriptors()) {
      const access = OPERATION_ACCESS[rpc.operation as keyof typeof OPERATION_ACCESS];
      const noKey = await rpcStatus(rpc, undefined);
      const wrongKey = await rpcStatus(rpc, WRONG_KEY);
      if (access === 'public') {
        const refused = [noKey, wrongKey].some((c) => c === GrpcStatus.UNAUTHENTICATED || c === GrpcStatus.PERMISSION_DENIED);
        table.push(`${rpc.operation}: public ${refused ? `no key ${GrpcStatus[noKey]}, wrong key ${GrpcStatus[wrongKey]}` : 'ok'}`);
        continue;
      }
      const problems: string[] = [];
      if (noKey !== GrpcStatus.UNAUTHENTICATED) problems.push(`no key ${GrpcStatus[noKey]}`);
      if (wrongKey !== GrpcStatus.UNAUTHENTICATED) problems.push(`wrong key ${GrpcStatus[wrongKey]}`);
      for (const role of ROLES.filter((r) => r !== access)) {
        const code = await rpcStatus(rpc, KEYS[role]);
        if (code !== GrpcStatus.PERMISSION_DENIED) problems.push(`${role}-only key ${GrpcStatus[code]}`);
      }
      const allowed = await rpcStatus(rpc, KEYS[access as Role]);
      if (allowed === GrpcStatus.UNAUTHENTICATED || allowed === GrpcStatus.PERMISSION_DENIED) problems.push(`${access}-only key ${GrpcStatus[allowed]}`);
      table.push(`${rpc.operation}: ${access} ${problems.length === 0 ? 'ok' : problems.join(', ')}`);
    }
    expect(table.length).toBe(Object.keys(OPERATION_ACCESS).length);
    expect(table).toEqual(table.map((line) => line.replace(/: (public|read|write|admin) .*$/, (_m, a: string) => `: ${a} ok`)));
  });

  it('keeps health and reflection open on gRPC', async () => {
    const check = { path: '/grpc.health.v1.Health/Check', operation: 'Health.Check', serverStreaming: false, clientStreaming: false };
    expect(GrpcStatus[await rpcStatus(check, undefined)]).toBe('OK');
    expect(GrpcStatus[await rpcStatus(check, WRONG_KEY)]).toBe('OK');
  });

  it('never writes a key, good or bad, to its output', () => {
    const output = service.stdout.join('') + service.stderr.join('');
    expect(output.length).toBeGreaterThan(0);
    for (const key of [...Object.values(KEYS), WRONG_KEY]) expect(output).not.toContain(key);
    // The calls above were logged, with the key's name where one was identified.
    expect(service.logs.some((l) => typeof l.keyName === 'string' && (l.keyName as string).startsWith('key-'))).toBe(true);
  });
});
