import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';

/**
 * bench:ingest's transport floor: a grpc-js server in its own process that receives Insert and
 * answers at once, decoding nothing and storing nothing. It has the service's transport settings
 * (message limits, channelz off: grpcServerOptions without the deadline interceptor; the wide
 * HTTP/2 flow windows), so the Go client's `bare` sides show what receiving 1,000 × 384 over
 * gRPC costs before any of the service's work: the floor under the service's CPU per batch, and
 * the rate no Node gRPC server on this machine can pass with this client. The answer is as long
 * as the service's: INGEST_BARE_IDS ids (the batch size; the Go client counts them), made up
 * since nothing is decoded. Prints `{"port":N}` once listening; SIGTERM stops it.
 */
type Options = typeof import('../../src/grpc/grpc-server-options');
type Windows = typeof import('../../src/grpc/http2-flow-windows');
type VectorGen = typeof import('../../src/gen/taishang/ai/v1/vector_service');

const dist = join(__dirname, '..', '..', 'dist');
const { grpcServerOptions } = require(join(dist, 'grpc', 'grpc-server-options.js')) as Options;
const { widenFlowWindows } = require(join(dist, 'grpc', 'http2-flow-windows.js')) as Windows;
const { InsertResponse } = require(join(dist, 'gen', 'taishang', 'ai', 'v1', 'vector_service.js')) as VectorGen;

const ids = Array.from({ length: Number(process.env.INGEST_BARE_IDS ?? 0) }, (_, i) => `v${i}`);
const ANSWER = Buffer.from(InsertResponse.encode({ ids, success: true, message: 'received' }).finish());

const insert: grpc.MethodDefinition<number, Buffer> = {
  path: '/taishang.ai.v1.VectorService/Insert',
  requestStream: false,
  responseStream: false,
  requestSerialize: () => Buffer.alloc(0),
  requestDeserialize: (bytes: Buffer) => bytes.length,
  responseSerialize: (answer: Buffer) => answer,
  responseDeserialize: (bytes: Buffer) => bytes,
};

async function main(): Promise<void> {
  const { interceptors: _deadline, ...options } = grpcServerOptions();
  const server = new grpc.Server(options);
  server.addService({ insert }, { insert: (_call: grpc.ServerUnaryCall<number, Buffer>, callback: grpc.sendUnaryData<Buffer>) => callback(null, ANSWER) });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  widenFlowWindows(server);
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  process.once('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
}

main().catch((err: unknown) => {
  process.stderr.write(`ingest bare server failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
