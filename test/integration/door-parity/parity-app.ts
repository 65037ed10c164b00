import { createChannel, createClientFactory, type Channel } from 'nice-grpc';
import { errorDetailsClientMiddleware } from 'nice-grpc-error-details';
import pino from 'pino';
import { ArrowRecordChunkCodec } from '../../../src/adapters/snapshot';
import { LanceVectorStore } from '../../../src/adapters/vector/lance';
import { limits, SnapshotService, VectorService, type ModelConfig, type ModelService, type VectorStore } from '../../../src/domain';
import { ModelServiceDefinition, type ModelServiceClient } from '../../../src/gen/taishang/ai/v1/model_service';
import { VectorServiceDefinition, type VectorServiceClient } from '../../../src/gen/taishang/ai/v1/vector_service';
import { buildGrpc, type GrpcDoor } from '../../../src/grpc/build-grpc-server';
import { openModelService } from '../../support/model-services';
import { createRealProviders, type RealProviders } from '../../support/real-models';
import { startRestServer, type RestTestServer } from '../../support/rest-test-server';
import { tempDir } from '../../support/temp-dirs';

/** The gRPC clients of the one app, made from the same protos as the server. */
export interface GrpcClients {
  address: string;
  vectors: VectorServiceClient;
  models: ModelServiceClient;
}

/**
 * One real app: a VectorService on LanceDB in a temp dir and a ModelService over a registry file
 * (with the real providers when asked), served by the gRPC door and the REST door at once, each
 * on 127.0.0.1 and a port of its own. Both doors reach the same two services, as in the service.
 */
export interface ParityApp {
  vectors: VectorService;
  models: ModelService;
  grpc: GrpcClients;
  rest: RestTestServer;
  /** The real providers (transformers, llama.cpp, openai), when the app was started with them. */
  providers?: RealProviders;
  /** Closes both doors and the services and opens them again over the same data and registry files. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface ParityAppOptions {
  /** Load the real providers (for the model cases); without them no model can be called. */
  realModels?: boolean;
  /** Registered on first start, in the domain's terms. */
  models?: ModelConfig[];
}

const CLIENT_OPTIONS = {
  'grpc.max_receive_message_length': limits.maxMessageBytes,
  'grpc.max_send_message_length': limits.maxMessageBytes,
};

export async function startParityApp(options: ParityAppOptions = {}): Promise<ParityApp> {
  const dataDir = await tempDir('parity');
  const providers = options.realModels ? createRealProviders() : undefined;
  let store: VectorStore;
  let channel: Channel;
  let door: GrpcDoor;

  const open = async (): Promise<Omit<ParityApp, 'restart' | 'close' | 'providers'>> => {
    store = await LanceVectorStore.open({ dataDir });
    const models = await openModelService(providers?.map ?? {}, { dir: dataDir, defaults: options.models ?? [] });
    const vectors = new VectorService(store, models.textModels());
    models.guardBindings((model) => vectors.collectionsBoundTo(model));
    door = buildGrpc({ vectors, snapshots: new SnapshotService(store, new ArrowRecordChunkCodec()), models, logger: pino({ level: 'silent' }), readiness: { isReady: async () => true } });
    const address = `127.0.0.1:${await door.server.listen('127.0.0.1:0')}`;
    channel = createChannel(address, undefined, CLIENT_OPTIONS);
    const clients = createClientFactory().use(errorDetailsClientMiddleware);
    const grpc = { address, vectors: clients.create(VectorServiceDefinition, channel), models: clients.create(ModelServiceDefinition, channel) };
    const rest = await startRestServer(store, { vectors, models });
    return { vectors, models, grpc, rest };
  };

  const shut = async (app: Omit<ParityApp, 'restart' | 'close' | 'providers'>): Promise<void> => {
    channel.close();
    await door.server.shutdown();
    await app.rest.close();
    await store.close();
  };

  const app = { ...(await open()), providers } as ParityApp;
  app.restart = async () => {
    await shut(app);
    Object.assign(app, await open());
  };
  app.close = async () => {
    await shut(app);
    await providers?.close();
  };
  return app;
}
