import { mkdtemp, rm } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type ServiceProcess } from '../support/service-process';

/**
 * Secure by default: with no API keys the service binds loopback only, even when HOST asks for
 * every interface, unless ALLOW_UNAUTHENTICATED=true; either way the start-up log says so.
 */
jest.setTimeout(180_000);

/** This machine's own non-loopback IPv4 address, if it has one: where an open bind would be reachable. */
const EXTERNAL = Object.values(networkInterfaces())
  .flat()
  .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal)?.address;

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
  let dataDir: string;
  let service: ServiceProcess | undefined;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'taishang-bind-'));
  });
  afterEach(async () => {
    await service?.stop();
    service = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  const listening = (s: ServiceProcess) => s.waitForLog((l) => l.msg === 'taishang-ai listening');

  it('binds 127.0.0.1 instead of HOST=0.0.0.0 when no keys are configured, and warns', async () => {
    service = await startService(dataDir, { HOST: '0.0.0.0' });
    expect(await listening(service)).toMatchObject({ host: '127.0.0.1', apiKeys: 0 });
    const warning = await service.waitForLog((l) => l.level === 40 && String(l.msg).includes('no API keys'));
    expect(warning.msg).toBe('no API keys: listening on 127.0.0.1 only instead of 0.0.0.0; set API_KEYS (or API_KEYS_FILE) or ALLOW_UNAUTHENTICATED=true');
    if (EXTERNAL !== undefined) {
      expect(await reach(EXTERNAL, service.httpPort)).toBe('ECONNREFUSED');
      expect(await reach('127.0.0.1', service.httpPort)).toBe('answered');
    }
  });

  it('binds HOST with ALLOW_UNAUTHENTICATED=true and warns that it is open', async () => {
    service = await startService(dataDir, { HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED: 'true' });
    expect(await listening(service)).toMatchObject({ host: '0.0.0.0' });
    expect(await service.waitForLog((l) => l.level === 40 && String(l.msg).includes('open to anyone'))).toBeDefined();
    if (EXTERNAL !== undefined) expect(await reach(EXTERNAL, service.httpPort)).toBe('answered');
  });

  it('binds HOST when keys are configured, and says ALLOW_UNAUTHENTICATED is then ignored', async () => {
    service = await startService(dataDir, { HOST: '0.0.0.0', API_KEYS: 'bind-test-key-000000001', ALLOW_UNAUTHENTICATED: 'true' });
    expect(await listening(service)).toMatchObject({ host: '0.0.0.0', apiKeys: 1 });
    expect(await service.waitForLog((l) => l.msg === 'API keys are configured: ALLOW_UNAUTHENTICATED is ignored')).toBeDefined();
    expect(service.logs.some((l) => l.level === 40 && String(l.msg).includes('no API keys'))).toBe(false);
    if (EXTERNAL !== undefined) {
      const res = await fetch(`http://${EXTERNAL}:${service.httpPort}/v1/collections`, { signal: AbortSignal.timeout(5000) });
      expect(res.status).toBe(401);
    }
  });
});
