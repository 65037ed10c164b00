import { errors } from '../../errors';
import { bearerToken } from './bearer-token';
import { Keyring, type ApiKeyEntry } from './keyring';
import { RateLimiter, type RateLimit } from './rate-limiter';
import type { Access, Principal, Role } from './roles';

export interface AccessSettings {
  /** No keys = authentication off (the composition root then binds loopback unless told otherwise). */
  readonly keys: readonly ApiKeyEntry[];
  /** /metrics without a key even when keys are configured. */
  readonly metricsPublic: boolean;
  /** Per caller; perSecond 0 = no limit. A key's own rate replaces perSecond (its burst is twice that rate). */
  readonly rateLimit: RateLimit;
  /** Bound on rate-limit buckets kept (LRU). */
  readonly maxBuckets?: number;
  /** Monotonic milliseconds, for tests. */
  readonly now?: () => number;
}

/**
 * Who may call what, for both doors: checks the key a call presents against the access the
 * operation needs, then the caller's rate limit. Throws UNAUTHENTICATED, PERMISSION_DENIED or
 * RESOURCE_EXHAUSTED (with retryAfterSeconds); returns the principal, or undefined for calls that
 * need no key (public operations, or every call when no keys are configured).
 */
export class AccessControl {
  private readonly keyring: Keyring;
  private readonly limiter: RateLimiter;

  /** No keys and no limits: what a door does when it is given no AccessControl (tests, embedding). */
  static open(): AccessControl {
    return new AccessControl({ keys: [], metricsPublic: false, rateLimit: { perSecond: 0, burst: 0 } });
  }

  constructor(private readonly settings: AccessSettings) {
    this.keyring = new Keyring(settings.keys);
    this.limiter = new RateLimiter(settings.maxBuckets, settings.now);
  }

  /** True when keys are configured, so every non-public call needs one. */
  get authRequired(): boolean {
    return this.keyring.size > 0;
  }

  /**
   * `authorization` is the raw Authorization value (header or metadata); `peer` identifies an
   * anonymous caller for rate limiting (its address) when authentication is off.
   */
  admit(access: Access, authorization: string | undefined, peer: string): Principal | undefined {
    if (access === 'public') return undefined;
    if (access === 'metrics' && (this.settings.metricsPublic || !this.authRequired)) return undefined;
    const needed: Role = access === 'metrics' ? 'read' : access;
    if (!this.authRequired) {
      this.limit(`address ${peer}`, this.settings.rateLimit);
      return undefined;
    }
    const key = bearerToken(authorization);
    if (key === undefined) {
      throw errors.unauthenticated(
        authorization === undefined ? 'an API key is required: send "Authorization: Bearer <key>"' : 'malformed Authorization: expected "Bearer <key>"',
      );
    }
    const holder = this.keyring.identify(key);
    if (holder === undefined) throw errors.unauthenticated('invalid API key');
    const { principal } = holder;
    if (!principal.roles.has(needed)) throw errors.permissionDenied(`API key '${principal.name}' lacks the '${needed}' role this operation needs`);
    const own = holder.rateLimitPerSecond;
    this.limit(`API key '${principal.name}'`, own === undefined ? this.settings.rateLimit : { perSecond: own, burst: Math.max(1, 2 * own) });
    return principal;
  }

  private limit(caller: string, limit: RateLimit): void {
    const wait = this.limiter.take(caller, limit);
    if (wait > 0) throw errors.rateLimited(caller, wait);
  }
}
