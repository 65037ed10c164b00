import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClientError, createChannel, createClientFactory, Metadata, Status, type Channel } from 'nice-grpc';
import { errorDetailsClientMiddleware, RetryInfo, RichClientError } from 'nice-grpc-error-details';
import { VectorServiceDefinition } from '../../src/gen/taishang/ai/v1/vector_service';
import { startService, type ServiceProcess , LIGHT_START } from '../support/service-process';
import { tempDir } from '../support/temp-dirs';

/**
 * The per-caller token bucket on the real process. The rate is one call per 100 s with a burst of
 * 2, so a bucket never refills while a test runs, however slow the machine: the third call is
 * always the refused one.
 */
jest.setTimeout(180_000);

const sha256 = (key: string): string => createHash('sha256').update(key).digest('hex');
const SLOW = { RATE_LIMIT_PER_SECOND: '0.01', RATE_LIMIT_BURST: '2' };
const KEY_A = 'rate-limit-key-a-000001';
const KEY_B = 'rate-limit-key-b-000002';
const KEY_FAST = 'rate-limit-key-fast-0003';

async function get(service: ServiceProcess, path: string, key?: string): Promise<{ status: number; retryAfter: string | null; body: any }> {
  const res = await fetch(`${service.baseUrl}${path}`, { headers: key === undefined ? {} : { authorization: `Bearer ${key}` } });
  const text = await res.text();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: text === '' ? undefined : JSON.parse(text) };
}

describe('rate limits per API key', () => {
  let service: ServiceProcess;
  let channel: Channel;
  const vectors = () => createClientFactory().use(errorDetailsClientMiddleware).create(VectorServiceDefinition, channel);
  const as = (key: string) => ({ metadata: Metadata({ authorization: `Bearer ${key}` }) });

  beforeAll(async () => {
    const dataDir = await tempDir('rate');
    const keysFile = join(dataDir, 'keys.json');
    await writeFile(keysFile, JSON.stringify([{ name: 'fast', key: KEY_FAST, roles: ['read'], rate_limit_per_second: 1000 }]));
    service = await startService(join(dataDir, 'data'), { ...LIGHT_START, ...SLOW, API_KEYS: `${KEY_A}:read,${KEY_B}:read`, API_KEYS_FILE: keysFile });
    channel = createChannel(`127.0.0.1:${service.grpcPort}`);
  });

  afterAll(async () => {
    channel?.close();
    await service?.stop();
  });

  it('answers 429 with Retry-After once a key is over its limit, while other keys and public routes keep working', async () => {
    expect((await get(service, '/v1/collections', KEY_A)).status).toBe(200);
    expect((await get(service, '/v1/collections', KEY_A)).status).toBe(200);
    const limited = await get(service, '/v1/collections', KEY_A);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ status: 429, code: 'RESOURCE_EXHAUSTED', detail: expect.stringContaining('rate limit') });
    expect(Number(limited.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(limited.retryAfter).toMatch(/^\d+$/);

    // The same key over gRPC: one bucket per key, whichever door it uses.
    const error = await vectors().listCollections({}, as(KEY_A)).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    expect(Status[(error as ClientError).code]).toBe('RESOURCE_EXHAUSTED');
    expect(error).toBeInstanceOf(RichClientError);
    const retry = (error as RichClientError).extra.find((d) => d.$type === RetryInfo.$type) as RetryInfo | undefined;
    expect(Number(retry?.retryDelay?.seconds ?? 0) + (retry?.retryDelay?.nanos ?? 0) / 1e9).toBeGreaterThan(0);

    // OpenAI routes answer in OpenAI's body.
    const openai = await get(service, '/openai/v1/models', KEY_A);
    expect({ status: openai.status, type: openai.body.error.type, retryAfter: Number(openai.retryAfter) >= 1 }).toEqual({ status: 429, type: 'rate_limit_error', retryAfter: true });

    // Another key has a bucket of its own, on both doors.
    expect((await get(service, '/v1/collections', KEY_B)).status).toBe(200);
    expect(await vectors().listCollections({}, as(KEY_B))).toEqual({ names: [] });

    // Public routes are never limited.
    for (let i = 0; i < 5; i += 1) expect((await get(service, '/healthz', KEY_A)).status).toBe(200);
    expect((await vectors().health({}, as(KEY_A))).healthy).toBe(true);
  });

  it('applies a key file entry\'s own rate instead of the service-wide one', async () => {
    const statuses = [];
    for (let i = 0; i < 20; i += 1) statuses.push((await get(service, '/v1/collections', KEY_FAST)).status);
    expect(statuses).toEqual(Array(20).fill(200));
  });

  it('logs the refusal with the key\'s name and status, never the key', async () => {
    await service.waitForLog((l) => l.keyName === `key-${sha256(KEY_A).slice(0, 8)}` && l.code === 'RESOURCE_EXHAUSTED' && l.method === '/taishang.ai.v1.VectorService/ListCollections');
    const output = service.stdout.join('') + service.stderr.join('');
    for (const key of [KEY_A, KEY_B, KEY_FAST]) expect(output).not.toContain(key);
  });
});

describe('rate limits without keys', () => {
  it('limits anonymous callers per address', async () => {
    const service = await startService(await tempDir('rate-anon'), { ...LIGHT_START, ...SLOW });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await get(service, '/v1/collections')).status);
      expect(statuses).toEqual([200, 200, 429]);
      expect((await get(service, '/readyz')).status).toBe(200);
    } finally {
      await service.stop();
    }
  });
});
