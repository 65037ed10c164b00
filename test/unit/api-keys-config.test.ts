import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/config';
import { useTempDir } from '../support/temp-dirs';

const sha = (key: string): string => createHash('sha256').update(key).digest('hex');
const KEY_A = 'alpha-key-0123456789';
const KEY_B = 'bravo-key-0123456789';

/** The ConfigError text for an environment expected to be refused. */
function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('API keys and access settings', () => {
  const keys = useTempDir('keys');

  it('defaults to no keys, loopback-only when unauthenticated, private metrics and no rate limit', () => {
    expect(loadConfig({})).toMatchObject({ apiKeys: [], allowUnauthenticated: false, metricsPublic: false, rateLimitPerSecond: 0 });
  });

  it('reads API_KEYS: bare keys get every role, KEY:roles exactly those; names come from the digest, keys are not kept', () => {
    const c = loadConfig({ API_KEYS: ` ${KEY_A} ,${KEY_B}:read+write,,` });
    expect(c.apiKeys).toEqual([
      { name: `key-${sha(KEY_A).slice(0, 8)}`, sha256: sha(KEY_A), roles: ['read', 'write', 'admin'] },
      { name: `key-${sha(KEY_B).slice(0, 8)}`, sha256: sha(KEY_B), roles: ['read', 'write'] },
    ]);
    expect(JSON.stringify(c)).not.toContain(KEY_A);
  });

  it('refuses short keys, bad roles and repeats, naming entries by position and never echoing a key', () => {
    const short = 'short-key';
    const text = refusal({ API_KEYS: `${short},${KEY_A}:read+root,${KEY_B}:,${KEY_A},${KEY_A}:read` });
    expect(text).toContain('API_KEYS entry 1: a key must be at least 16 characters');
    expect(text).toContain('API_KEYS entry 2: roles');
    expect(text).toContain('API_KEYS entry 3: roles');
    expect(text).toContain('API_KEYS entry 5 repeats the key of API_KEYS entry 4');
    for (const secret of [short, KEY_A, KEY_B]) expect(text).not.toContain(secret);
  });

  it('reads API_KEYS_FILE with names, keys or digests, roles and per-key rates', async () => {
    const file = join(keys.path, 'keys.json');
    await writeFile(file, JSON.stringify([
      { name: 'ingest', key: KEY_A, roles: ['read', 'write'], rate_limit_per_second: 50 },
      { name: 'ops', sha256: sha(KEY_B).toUpperCase(), roles: ['admin'] },
    ]));
    const c = loadConfig({ API_KEYS_FILE: file, API_KEYS: 'charlie-key-0123456789:read' });
    expect(c.apiKeys).toEqual([
      { name: `key-${sha('charlie-key-0123456789').slice(0, 8)}`, sha256: sha('charlie-key-0123456789'), roles: ['read'] },
      { name: 'ingest', sha256: sha(KEY_A), roles: ['read', 'write'], rateLimitPerSecond: 50 },
      { name: 'ops', sha256: sha(KEY_B), roles: ['admin'] },
    ]);
  });

  it('refuses a bad keys file entry by entry without echoing keys', async () => {
    const file = join(keys.path, 'bad-keys.json');
    await writeFile(file, JSON.stringify([
      { name: 'a', key: KEY_A, roles: ['read'] },
      { name: 'a', key: KEY_B, roles: ['read'] },
      { name: 'b', key: 'tiny', roles: ['read'] },
      { name: 'c', key: KEY_A, sha256: sha(KEY_A), roles: ['read'] },
      { name: 'd', sha256: 'xyz', role: ['read'] },
      { name: 'e', key: 'echo-key-0123456789x', roles: [], rate_limit_per_second: -1 },
    ]));
    const text = refusal({ API_KEYS_FILE: file });
    expect(text).toContain("API_KEYS_FILE entry 2: name 'a' is taken");
    expect(text).toContain('API_KEYS_FILE entry 3: key must be at least 16 characters');
    expect(text).toContain('API_KEYS_FILE entry 4: give exactly one of key and sha256');
    expect(text).toContain('API_KEYS_FILE entry 5: unknown field(s) role');
    expect(text).toContain('API_KEYS_FILE entry 5: sha256 must be 64 hex digits');
    expect(text).toContain('API_KEYS_FILE entry 6: roles');
    expect(text).toContain('API_KEYS_FILE entry 6: rate_limit_per_second');
    for (const secret of [KEY_A, KEY_B, 'tiny', 'echo-key-0123456789x']) expect(text).not.toContain(secret);
  });

  it('reports an unreadable or malformed keys file without quoting it', async () => {
    const broken = join(keys.path, 'broken.json');
    await writeFile(broken, `[{"name": "x", "key": "${KEY_A}"`);
    expect(refusal({ API_KEYS_FILE: broken })).toMatch(/API_KEYS_FILE .*broken\.json: not valid JSON$/);
    expect(refusal({ API_KEYS_FILE: broken })).not.toContain(KEY_A);
    expect(refusal({ API_KEYS_FILE: join(keys.path, 'missing.json') })).toContain('cannot be read (ENOENT)');
  });

  it('reads the switches and the rate limit, with a burst of twice the rate by default', () => {
    expect(loadConfig({ ALLOW_UNAUTHENTICATED: 'true', METRICS_PUBLIC: '1', RATE_LIMIT_PER_SECOND: '20' })).toMatchObject({
      allowUnauthenticated: true,
      metricsPublic: true,
      rateLimitPerSecond: 20,
      rateLimitBurst: 40,
    });
    expect(loadConfig({ RATE_LIMIT_PER_SECOND: '0.2' })).toMatchObject({ rateLimitPerSecond: 0.2, rateLimitBurst: 1 });
    expect(loadConfig({ RATE_LIMIT_PER_SECOND: '5', RATE_LIMIT_BURST: '3' })).toMatchObject({ rateLimitPerSecond: 5, rateLimitBurst: 3 });
    const text = refusal({ ALLOW_UNAUTHENTICATED: 'maybe', RATE_LIMIT_PER_SECOND: 'fast', RATE_LIMIT_BURST: '0.5' });
    for (const name of ['ALLOW_UNAUTHENTICATED', 'RATE_LIMIT_PER_SECOND']) expect(text).toContain(name);
  });
});
