import { createHash } from 'node:crypto';
import { AccessControl, Keyring, RateLimiter, type Access, type ApiKeyEntry } from '../../src/domain';
import { presentedKey } from '../../src/transport/bearer-token';
import { DomainError } from '../../src/errors';

const sha = (key: string): string => createHash('sha256').update(key).digest('hex');
const entry = (name: string, key: string, roles: ApiKeyEntry['roles'], rateLimitPerSecond?: number): ApiKeyEntry => ({
  name,
  sha256: sha(key),
  roles,
  ...(rateLimitPerSecond === undefined ? {} : { rateLimitPerSecond }),
});

const KEYS = [
  entry('reader', 'reader-key-0123456789', ['read']),
  entry('writer', 'writer-key-0123456789', ['write']),
  entry('admin', 'admin-key-0123456789', ['admin']),
  entry('all', 'all-key-0123456789xx', ['read', 'write', 'admin']),
];

/** Both steps, as the doors run them. */
function admit(ac: AccessControl, access: Access, authorization: string | undefined, peer: string) {
  const principal = ac.authenticate(access, presentedKey(authorization));
  ac.throttle(access, principal, peer);
  return principal;
}

/** The code admit() threw, or 'OK'. */
function outcome(run: () => unknown): string {
  try {
    run();
    return 'OK';
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    return e.code;
  }
}

describe('presentedKey', () => {
  it('reads "Bearer <key>" with any case of the scheme, and nothing else', () => {
    expect(presentedKey('Bearer abc')).toEqual({ kind: 'key', key: 'abc' });
    expect(presentedKey('bearer abc')).toEqual({ kind: 'key', key: 'abc' });
    expect(presentedKey('BEARER  abc ')).toEqual({ kind: 'key', key: 'abc' });
    expect(presentedKey(undefined)).toEqual({ kind: 'none' });
    for (const bad of ['', 'abc', 'Basic abc', 'Bearer', 'Bearer a b', 'Bearerabc']) expect(presentedKey(bad)).toEqual({ kind: 'malformed' });
  });
});

describe('Keyring', () => {
  it('identifies each key by its digest, and no other string', () => {
    const ring = new Keyring(KEYS);
    expect(ring.identify('reader-key-0123456789')).toEqual({ name: 'reader', roles: new Set(['read']) });
    expect(ring.identify('all-key-0123456789xx')?.roles).toEqual(new Set(['read', 'write', 'admin']));
    for (const wrong of ['', 'reader-key-012345678', 'reader-key-0123456789 ', sha('reader-key-0123456789')]) expect(ring.identify(wrong)).toBeUndefined();
  });
});

describe('RateLimiter', () => {
  it('allows a burst, then one call per 1/rate seconds, and says how long to wait', () => {
    let now = 0;
    const limiter = new RateLimiter(100, () => now);
    const limit = { perSecond: 2, burst: 3 };
    expect([1, 2, 3].map(() => limiter.take('a', limit))).toEqual([0, 0, 0]);
    expect(limiter.take('a', limit)).toBeCloseTo(0.5, 6);
    now += 250;
    expect(limiter.take('a', limit)).toBeCloseTo(0.25, 6);
    now += 250;
    expect(limiter.take('a', limit)).toBe(0);
    // Another caller has a bucket of its own.
    expect(limiter.take('b', limit)).toBe(0);
    // Refill stops at the burst.
    now += 60_000;
    expect([1, 2, 3, 4].map(() => limiter.take('a', limit) === 0)).toEqual([true, true, true, false]);
  });

  it('never limits at rate 0, and keeps at most maxBuckets callers, dropping the least recent', () => {
    const limiter = new RateLimiter(3, () => 0);
    expect(Array.from({ length: 100 }, () => limiter.take('x', { perSecond: 0, burst: 0 }))).toEqual(Array(100).fill(0));
    const limit = { perSecond: 1, burst: 1 };
    for (const who of ['a', 'b', 'c']) limiter.take(who, limit);
    expect(limiter.take('a', limit)).toBeGreaterThan(0); // 'a' is now the most recent
    for (let i = 0; i < 1000; i += 1) limiter.take(`flood-${i}`, limit);
    expect(limiter.size).toBe(3);
  });
});

describe('AccessControl', () => {
  const control = (settings: Partial<ConstructorParameters<typeof AccessControl>[0]> = {}) =>
    new AccessControl({ keys: KEYS, metricsPublic: false, rateLimit: { perSecond: 0, burst: 0 }, ...settings });

  it('answers UNAUTHENTICATED without a key or with a wrong or malformed one, whatever the operation needs', () => {
    const ac = control();
    for (const access of ['read', 'write', 'admin', 'metrics'] as const) {
      expect(outcome(() => admit(ac, access, undefined, 'p'))).toBe('UNAUTHENTICATED');
      expect(outcome(() => admit(ac, access, 'Bearer not-a-configured-key', 'p'))).toBe('UNAUTHENTICATED');
      expect(outcome(() => admit(ac, access, 'reader-key-0123456789', 'p'))).toBe('UNAUTHENTICATED');
    }
  });

  it('checks roles as independent sets: a key has exactly the roles listed', () => {
    const ac = control();
    const table = ['reader', 'writer', 'admin', 'all'].map((name) => {
      const key = name === 'all' ? 'all-key-0123456789xx' : `${name}-key-0123456789`;
      return [name, ...(['read', 'write', 'admin'] as const).map((access) => outcome(() => admit(ac, access, `Bearer ${key}`, 'p')))];
    });
    expect(table).toEqual([
      ['reader', 'OK', 'PERMISSION_DENIED', 'PERMISSION_DENIED'],
      ['writer', 'PERMISSION_DENIED', 'OK', 'PERMISSION_DENIED'],
      ['admin', 'PERMISSION_DENIED', 'PERMISSION_DENIED', 'OK'],
      ['all', 'OK', 'OK', 'OK'],
    ]);
    expect(admit(ac, 'read', 'bearer reader-key-0123456789', 'p')).toEqual({ name: 'reader', roles: new Set(['read']) });
  });

  it('names the missing role and never the key', () => {
    try {
      admit(control(), 'admin', 'Bearer reader-key-0123456789', 'p');
      throw new Error('expected a denial');
    } catch (e) {
      expect((e as Error).message).toBe("API key 'reader' lacks the 'admin' role this operation needs");
    }
  });

  it('lets public calls through without a key, and metrics as configured', () => {
    expect(admit(control(), 'public', undefined, 'p')).toBeUndefined();
    expect(admit(control({ metricsPublic: true }), 'metrics', undefined, 'p')).toBeUndefined();
    expect(outcome(() => admit(control(), 'metrics', 'Bearer writer-key-0123456789', 'p'))).toBe('PERMISSION_DENIED');
    expect(outcome(() => admit(control(), 'metrics', 'Bearer reader-key-0123456789', 'p'))).toBe('OK');
  });

  it('with no keys lets everything through, limiting anonymous callers per address', () => {
    const ac = control({ keys: [], rateLimit: { perSecond: 1, burst: 1 }, now: () => 0 });
    expect(ac.authRequired).toBe(false);
    expect(admit(ac, 'admin', undefined, '10.0.0.1')).toBeUndefined();
    expect(outcome(() => admit(ac, 'read', undefined, '10.0.0.1'))).toBe('RESOURCE_EXHAUSTED');
    expect(outcome(() => admit(ac, 'read', 'Bearer anything', '10.0.0.2'))).toBe('OK');
    expect(outcome(() => admit(ac, 'public', undefined, '10.0.0.1'))).toBe('OK');
  });

  it('limits each key on its own bucket, with a per-key rate replacing the service-wide one', () => {
    const keys = [...KEYS, entry('fast', 'fast-key-0123456789x', ['read'], 100)];
    const ac = control({ keys, rateLimit: { perSecond: 1, burst: 2 }, now: () => 0 });
    const calls = (key: string, n: number) => Array.from({ length: n }, () => outcome(() => admit(ac, 'read', `Bearer ${key}`, 'same-address')));
    expect(calls('reader-key-0123456789', 3)).toEqual(['OK', 'OK', 'RESOURCE_EXHAUSTED']);
    expect(calls('all-key-0123456789xx', 2)).toEqual(['OK', 'OK']);
    expect(calls('fast-key-0123456789x', 200).filter((o) => o === 'OK')).toHaveLength(200);
    // Public calls are never limited.
    expect(outcome(() => admit(ac, 'public', undefined, 'same-address'))).toBe('OK');
    const limited = (() => {
      try {
        admit(ac, 'read', 'Bearer reader-key-0123456789', 'p');
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(limited).toMatchObject({ code: 'RESOURCE_EXHAUSTED', reason: 'RATE_LIMITED', retryAfterSeconds: 1 });
    expect((limited as Error).message).toContain("API key 'reader'");
  });
});
