import { ConfigError, loadConfig } from '../../src/config/config';

describe('loadConfig', () => {
  it('uses the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ host: '0.0.0.0', grpcPort: 50051, httpPort: 8083, dataDir: './data', vectorBackend: 'lance', logLevel: 'info' });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads the environment', () => {
    const c = loadConfig({ GRPC_PORT: '6000', HTTP_PORT: '0', DATA_DIR: '/tmp/x', API_KEYS: 'a, b,,' });
    expect(c).toMatchObject({ grpcPort: 6000, httpPort: 0, dataDir: '/tmp/x', apiKeys: ['a', 'b'] });
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
});
