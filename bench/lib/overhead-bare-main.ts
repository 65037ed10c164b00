import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { HealthDefinition, HealthServiceImpl, HealthState } from 'nice-grpc-server-health';

/**
 * bench:overhead's bare side: a plain @grpc/grpc-js server (default options, no interceptor, no
 * middleware) in its own process, serving
 * - grpc.health.v1.Health/Check with the very handler the service uses (nice-grpc-server-health's
 *   HealthServiceImpl over a HealthState whose '' service is SERVING), and
 * - taishang.ai.v1.VectorService/HasCollection doing the same store work through the same domain
 *   call: dist's VectorService.hasCollection over a LanceVectorStore in a fresh folder, with the
 *   same collection created beforehand, so the answer (exists: true) is the service's.
 * Both use the generated codecs nice-grpc uses. What the service adds on top (nice-grpc's call
 * plumbing, the deadline interceptor, its middlewares, the store's timing decorator) is exactly
 * what bench:overhead measures. Prints `{"port":N}` on stdout once listening; SIGTERM stops it.
 */
type Domain = typeof import('../../src/domain');
type Lance = typeof import('../../src/adapters/vector/lance');
type VectorGen = typeof import('../../src/gen/taishang/ai/v1/vector_service');

const dist = join(__dirname, '..', '..', 'dist');
const { VectorService } = require(join(dist, 'domain', 'index.js')) as Domain;
const { LanceVectorStore } = require(join(dist, 'adapters', 'vector', 'lance', 'index.js')) as Lance;
const { HasCollectionRequest, HasCollectionResponse } = require(join(dist, 'gen', 'taishang', 'ai', 'v1', 'vector_service.js')) as VectorGen;

/** The collection both sides are asked about (bench/overhead-bench.ts creates it on the service). */
const COLLECTION = process.env.OVERHEAD_COLLECTION ?? 'overhead';

interface Codec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(bytes: Uint8Array): T;
}

function unary<Req, Res>(path: string, request: Codec<Req>, response: Codec<Res>): grpc.MethodDefinition<Req, Res> {
  return {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: (m: Req) => Buffer.from(request.encode(m).finish()),
    requestDeserialize: (b: Buffer) => request.decode(b),
    responseSerialize: (m: Res) => Buffer.from(response.encode(m).finish()),
    responseDeserialize: (b: Buffer) => response.decode(b),
  };
}

/** A handler's rejection as a gRPC status: a code when it carries one, else INTERNAL. */
function failure(error: unknown): Partial<grpc.StatusObject> {
  const code = typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : grpc.status.INTERNAL;
  return { code, details: error instanceof Error ? error.message : String(error) };
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'taishang-overhead-bare-'));
  const store = await LanceVectorStore.open({ dataDir });
  const vectors = new VectorService(store);
  await vectors.createCollection({ name: COLLECTION, vectorDim: 4 });

  const state = HealthState();
  state.setStatus('healthy');
  const health = HealthServiceImpl(state);
  const check = HealthDefinition.methods.check;

  const server = new grpc.Server();
  server.addService(
    { check: unary('/grpc.health.v1.Health/Check', check.requestType, check.responseType) },
    {
      check(call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) {
        // The handler reads only the request; the context it is typed for is not consulted.
        health.check(call.request as never, {} as never).then(
          (answer) => callback(null, answer),
          (error: unknown) => callback(failure(error)),
        );
      },
    },
  );
  server.addService(
    { hasCollection: unary('/taishang.ai.v1.VectorService/HasCollection', HasCollectionRequest, HasCollectionResponse) },
    {
      hasCollection(call: grpc.ServerUnaryCall<{ name: string }, unknown>, callback: grpc.sendUnaryData<unknown>) {
        vectors.hasCollection(call.request.name).then(
          (exists) => callback(null, { exists }),
          (error: unknown) => callback(failure(error)),
        );
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  process.once('SIGTERM', () => {
    server.tryShutdown(() => {
      void store
        .close()
        .catch(() => undefined)
        .then(() => rm(dataDir, { recursive: true, force: true }))
        .then(() => process.exit(0));
    });
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`overhead bare server failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
