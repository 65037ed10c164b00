import { connect, type ClientHttp2Session } from 'node:http2';
import { MemoryVectorStore } from '../../src/adapters/vector/memory';
import { FLOW_WINDOWS } from '../../src/grpc/http2-flow-windows';
import { startGrpc, type GrpcHarness } from './grpc-harness';

/**
 * The gRPC server opens wide HTTP/2 receive windows on every connection (http2-flow-windows.ts):
 * read from a raw HTTP/2 client, the server's SETTINGS carry the stream window and the
 * connection window grows past the protocol's 64 KiB start. The check reaches a private field of
 * grpc-js; an upgrade that drops it fails here instead of silently slowing large Inserts.
 */
describe('HTTP/2 flow-control windows of the gRPC server', () => {
  let grpc: GrpcHarness;
  let session: ClientHttp2Session | undefined;

  beforeAll(async () => {
    grpc = await startGrpc({ store: new MemoryVectorStore() });
  });

  afterAll(async () => {
    session?.destroy();
    await grpc.close();
  });

  it('announces a 4 MiB stream window and opens a 16 MiB connection window', async () => {
    const s = connect(`http://${grpc.address}`);
    session = s;
    // The server's first SETTINGS are http2's defaults; grpc-js' session handler sends the wide ones next.
    const deadline = Date.now() + 5000;
    const widened = (): boolean => s.remoteSettings?.initialWindowSize === FLOW_WINDOWS.streamBytes && (s.state.remoteWindowSize ?? 0) >= FLOW_WINDOWS.connectionBytes;
    while (!widened() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(s.remoteSettings.initialWindowSize).toBe(FLOW_WINDOWS.streamBytes);
    expect(s.state.remoteWindowSize).toBe(FLOW_WINDOWS.connectionBytes);
  });

  it('still answers calls, a 1,000 × 384 Insert among them', async () => {
    await grpc.vectors.createCollection({ name: 'wide', vectorDim: 384, description: '', indexParams: { indexType: 'FLAT', metricType: 'COSINE', params: {} } });
    const vectors = Array.from({ length: 1000 }, (_, i) => ({ id: `v${i}`, vector: Array.from({ length: 384 }, (_, j) => ((i * 7 + j) % 13) + 1), metadata: { i }, text: '' }));
    const { ids } = await grpc.vectors.insert({ collectionName: 'wide', vectors });
    expect(ids).toHaveLength(1000);
    const got = await grpc.vectors.getByID({ collectionName: 'wide', id: 'v999' });
    expect(got.vector?.vector).toEqual(vectors[999]!.vector);
  });
});
