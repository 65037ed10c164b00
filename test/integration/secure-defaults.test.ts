import { nonLoopbackAddress, type NonLoopbackAddress } from '../support/non-loopback-address';
import { startService, type ServiceProcess , LIGHT_START } from '../support/service-process';
import { useTempDir } from '../support/temp-dirs';

/**
 * Secure by default: with no API keys the service binds loopback only, even when HOST asks for
 * every interface, unless ALLOW_UNAUTHENTICATED=true; either way the start-up log says so. Each
 * case also calls the service on an address of this machine other than loopback (made for the
 * test when the machine has none); when no such address can be had, every case fails.
 */
jest.setTimeout(180_000);

/** 'answered' or the connection error code of GET /healthz on address:port. */
async function reach(address: string, port: number): Promise<string> {
  try {
    await (await fetch(`http://${address}:${port}/healthz`, { signal: AbortSignal.timeout(5000) })).text();
    return 'answered';
  } catch (e) {
    return ((e as { cause?: { code?: string } }).cause?.code ?? 'failed');
  }
}

describe('where the service listens', () => {
  const data = useTempDir('bind', { each: true });
  let external: NonLoopbackAddress;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    external = await nonLoopbackAddress();
  });
  afterAll(async () => {
    await external?.release();
  });
  afterEach(async () => {
    await service?.stop();
    service = undefined;
  });

  const listening = (s: ServiceProcess) => s.waitForLog((l) => l.msg === 'taishang-ai listening');

  it('binds 127.0.0.1 instead of HOST=0.0.0.0 when no keys are configured, and warns', async () => {
    service = await startService(data.path, { ...LIGHT_START, HOST: '0.0.0.0' });
    expect(await listening(service)).toMatchObject({ host: '127.0.0.1', apiKeys: 0 });
    const warning = await service.waitForLog((l) => l.level === 40 && String(l.msg).includes('no API keys'));
    expect(warning.msg).toBe('no API keys: listening on 127.0.0.1 only instead of 0.0.0.0; set API_KEYS (or API_KEYS_FILE) or ALLOW_UNAUTHENTICATED=true');
    expect(await reach(external.address, service.httpPort)).toBe('ECONNREFUSED');
    expect(await reach('127.0.0.1', service.httpPort)).toBe('answered');
  });

  it('binds HOST with ALLOW_UNAUTHENTICATED=true and warns that it is open', async () => {
    service = await startService(data.path, { ...LIGHT_START, HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED: 'true' });
    expect(await listening(service)).toMatchObject({ host: '0.0.0.0' });
    expect(await service.waitForLog((l) => l.level === 40 && String(l.msg).includes('open to anyone'))).toBeDefined();
    expect(await reach(external.address, service.httpPort)).toBe('answered');
  });

  it('binds HOST when keys are configured, and says ALLOW_UNAUTHENTICATED is then ignored', async () => {
    service = await startService(data.path, { ...LIGHT_START, HOST: '0.0.0.0', API_KEYS: 'bind-test-key-000000001', ALLOW_UNAUTHENTICATED: 'true' });
    expect(await listening(service)).toMatchObject({ host: '0.0.0.0', apiKeys: 1 });
    expect(await service.waitForLog((l) => l.msg === 'API keys are configured: ALLOW_UNAUTHENTICATED is ignored')).toBeDefined();
    expect(service.logs.some((l) => l.level === 40 && String(l.msg).includes('no API keys'))).toBe(false);
    const res = await fetch(`http://${external.address}:${service.httpPort}/v1/collections`, { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(401);
  });
});
