import { Writable } from 'node:stream';
import { Client, credentials, Metadata as GrpcMetadata, type ServiceError } from '@grpc/grpc-js';
import { ClientError, createChannel, createClientFactory, Status, type Channel } from 'nice-grpc';
import { BadRequest, errorDetailsClientMiddleware, RichClientError } from 'nice-grpc-error-details';
import { HealthDefinition } from 'nice-grpc-server-health';
import pino from 'pino';
import { ArrowRecordChunkCodec } from '../../src/adapters/snapshot';
import { limits, type ModelService, SnapshotService, VectorService, type VectorStore } from '../../src/domain';
import { ModelServiceDefinition, type ModelServiceClient } from '../../src/gen/taishang/ai/v1/model_service';
import { VectorServiceDefinition, type VectorServiceClient } from '../../src/gen/taishang/ai/v1/vector_service';
import { buildGrpc, type GrpcDoor } from '../../src/grpc/build-grpc-server';
import { openModelService } from '../support/model-services';
import { openLanceStore } from '../support/stores';

/** The store every gRPC integration test runs on (real LanceDB in a temp dir): the one place to switch engines. */
export async function createTestStore(): Promise<VectorStore> {
  return openLanceStore();
}

/** One parsed pino line of the server. */
export type LogLine = Record<string, unknown> & { msg?: string; requestId?: string; method?: string; code?: string };

export interface GrpcHarness {
  address: string;
  channel: Channel;
  vectors: VectorServiceClient;
  models: ModelServiceClient;
  health: ReturnType<typeof createHealthClient>;
  /** The service the server calls, for tests that reach below the door. */
  service: VectorService;
  snapshots: SnapshotService;
  logs: LogLine[];
  /** Flips what the server's readiness reports. */
  setReady(ready: boolean): void;
  close(): Promise<void>;
}

const CLIENT_OPTIONS = {
  'grpc.max_receive_message_length': limits.maxMessageBytes,
  'grpc.max_send_message_length': limits.maxMessageBytes,
};

function createHealthClient(channel: Channel) {
  return createClientFactory().use(errorDetailsClientMiddleware).create(HealthDefinition, channel);
}

/**
 * The real server on 127.0.0.1:0 and a real client made from the same proto. The vectors live in
 * `options.store` (the caller's to close; unit tests pass a MemoryVectorStore) or else in LanceDB
 * in a fresh temp dir; models come from `options.models` or a ModelService with no providers,
 * enough for the vector tests, which never call a model.
 */
export async function startGrpc(options: { models?: ModelService; store?: VectorStore } = {}): Promise<GrpcHarness> {
  const store = options.store ?? (await createTestStore());
  const service = new VectorService(store);
  const snapshots = new SnapshotService(store, new ArrowRecordChunkCodec());
  const models = options.models ?? (await openModelService());
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  let ready = true;
  const door: GrpcDoor = buildGrpc({
    vectors: service,
    snapshots,
    models,
    logger: pino({ level: 'info' }, sink),
    readiness: { isReady: async () => ready },
    healthIntervalMs: 50,
  });
  const port = await door.server.listen('127.0.0.1:0');
  const address = `127.0.0.1:${port}`;
  const channel = createChannel(address, undefined, CLIENT_OPTIONS);
  const clients = createClientFactory().use(errorDetailsClientMiddleware);
  return {
    address,
    channel,
    vectors: clients.create(VectorServiceDefinition, channel),
    models: clients.create(ModelServiceDefinition, channel),
    health: createHealthClient(channel),
    service,
    snapshots,
    logs,
    setReady(value) {
      ready = value;
    },
    async close() {
      channel.close();
      await door.server.shutdown();
      if (options.store === undefined) await store.close();
    },
  };
}

/** Awaits a call expected to fail and returns its ClientError after checking the status. */
export async function expectStatus(call: Promise<unknown>, code: Status): Promise<ClientError> {
  const error = await call.then(
    () => new Error(`expected status ${Status[code]}, but the call succeeded`),
    (e: unknown) => e,
  );
  if (!(error instanceof ClientError)) throw error;
  expect(Status[error.code]).toBe(Status[code]);
  return error;
}

/** The google.rpc.BadRequest field names a failed call carried. */
export function violatedFields(error: ClientError): string[] {
  if (!(error instanceof RichClientError)) return [];
  return error.extra.flatMap((d) => (d.$type === BadRequest.$type ? d.fieldViolations.map((v) => v.field) : []));
}

/**
 * Waits until the server logged, at index `from` or later, a line matching `match`: a call's line
 * is written when its handler finishes, which for an aborted call may be after the client saw the status.
 */
export async function logLine(logs: LogLine[], match: (l: LogLine) => boolean, from = 0): Promise<LogLine> {
  const until = Date.now() + 5000;
  for (;;) {
    const found = logs.slice(from).find(match);
    if (found) return found;
    if (Date.now() > until) throw new Error(`no matching log line in ${JSON.stringify(logs.slice(-5))}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A deterministic unit-ish vector of `dim` floats for row `i`. */
export function vectorOf(i: number, dim: number): number[] {
  return Array.from({ length: dim }, (_, j) => Math.round(Math.sin(i * 7.1 + j * 1.3) * 1000) / 1000);
}

/**
 * A server-streaming call the way a Go client makes it, with a deadline sent as grpc-timeout
 * (nice-grpc's client has no deadline option without extra middleware). Resolves with the messages
 * received and the status the stream ended with.
 */
export function streamWithDeadline<Req, Res>(
  address: string,
  path: string,
  codec: { encode(r: Req): { finish(): Uint8Array } },
  decoder: { decode(b: Uint8Array): Res },
  request: Req,
  deadline: Date,
): Promise<{ messages: Res[]; code: number }> {
  const client = new Client(address, credentials.createInsecure());
  const messages: Res[] = [];
  return new Promise((resolve) => {
    const finish = (code: number): void => {
      client.close();
      resolve({ messages, code });
    };
    const call = client.makeServerStreamRequest(path, (r: Req) => Buffer.from(codec.encode(r).finish()), (b: Buffer) => decoder.decode(b), request, new GrpcMetadata(), { deadline });
    call.on('data', (m: Res) => messages.push(m));
    call.on('error', (e: ServiceError) => finish(e.code));
    call.on('end', () => finish(0));
  });
}
