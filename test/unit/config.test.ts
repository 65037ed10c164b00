import { defaultModels } from '../../src/app/build-models';
import { ConfigError, loadConfig } from '../../src/config/config';

describe('loadConfig', () => {
  it('uses the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ host: '0.0.0.0', grpcPort: 50051, httpPort: 8083, dataDir: './data', vectorBackend: 'lance', logLevel: 'info' });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('registers the default text model disabled when TEXT_MODEL_ENABLED=false', () => {
    const models = (env: Record<string, string>) => defaultModels(loadConfig(env)).map((m) => `${m.provider}:${m.name}:${m.enabled ? 'on' : 'off'}`);
    const others = ['transformers:all-MiniLM-L6-v2:on', 'transformers:all-MiniLM-L6-v2-rerank:on'];
    expect(models({})).toEqual([others[0], 'llamacpp:SmolLM2-135M-Instruct:on', others[1]]);
    expect(models({ TEXT_MODEL_ENABLED: 'false' })).toEqual([others[0], 'llamacpp:SmolLM2-135M-Instruct:off', others[1]]);
    expect(() => loadConfig({ TEXT_MODEL_ENABLED: 'maybe' })).toThrow(/TEXT_MODEL_ENABLED/);
  });

  it('runs each embedding model on EMBEDDING_THREADS threads, 2 unless set', () => {
    expect(loadConfig({}).embeddingThreads).toBe(2);
    expect(loadConfig({ EMBEDDING_THREADS: '1' }).embeddingThreads).toBe(1);
    expect(() => loadConfig({ EMBEDDING_THREADS: '0' })).toThrow(/EMBEDDING_THREADS/);
    expect(() => loadConfig({ EMBEDDING_THREADS: 'two' })).toThrow(/EMBEDDING_THREADS/);
  });

  it('reads the environment', () => {
    const c = loadConfig({ GRPC_PORT: '6000', HTTP_PORT: '0', DATA_DIR: '/tmp/x' });
    expect(c).toMatchObject({ grpcPort: 6000, httpPort: 0, dataDir: '/tmp/x' });
  });

  it('reports every bad value in one message', () => {
    expect(() => loadConfig({ GRPC_PORT: 'abc', HTTP_PORT: '70000', VECTOR_BACKEND: 'redis', LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    try {
      loadConfig({ GRPC_PORT: 'abc', HTTP_PORT: '70000', VECTOR_BACKEND: 'redis', LOG_LEVEL: 'loud' });
    } catch (e) {
      const text = (e as Error).message;
      for (const name of ['GRPC_PORT', 'HTTP_PORT', 'VECTOR_BACKEND', 'LOG_LEVEL']) expect(text).toContain(name);
    }
  });

  it('selects Milvus and reads its connection settings', () => {
    const c = loadConfig({
      VECTOR_BACKEND: 'milvus',
      MILVUS_HOST: 'milvus.internal',
      MILVUS_PORT: '19531',
      MILVUS_USER: 'svc',
      MILVUS_PASSWORD: 'secret',
      MILVUS_TLS: 'true',
      MILVUS_DATABASE: 'taishang',
      MILVUS_TIMEOUT_MS: '5000',
    });
    expect(c).toMatchObject({ vectorBackend: 'milvus', milvusHost: 'milvus.internal', milvusPort: 19531, milvusUser: 'svc', milvusTls: true, milvusDatabase: 'taishang', milvusTimeoutMs: 5000 });
    expect(loadConfig({})).toMatchObject({ milvusHost: 'localhost', milvusPort: 19530, milvusDatabase: 'default', milvusTls: false, milvusToken: '' });
  });

  it('rejects half a credential pair, two kinds of credentials and bad Milvus values, without echoing secrets', () => {
    let text = '';
    try {
      loadConfig({ MILVUS_USER: 'svc', MILVUS_TOKEN: 'tok-123', MILVUS_DATABASE: 'no-dashes', MILVUS_TLS: 'maybe', MILVUS_TIMEOUT_MS: '10' });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      text = (e as Error).message;
    }
    for (const name of ['MILVUS_USER and MILVUS_PASSWORD', 'MILVUS_TOKEN or MILVUS_USER', 'MILVUS_DATABASE', 'MILVUS_TLS', 'MILVUS_TIMEOUT_MS']) expect(text).toContain(name);
    expect(text).not.toContain('tok-123');
  });
});
