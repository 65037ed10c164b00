import { errors } from '../../errors';
import { Keyring, type ApiKeyEntry } from './keyring';
import { RateLimiter, type RateLimit } from './rate-limiter';
import type { Access, Principal, Role } from './roles';

/** The credential a call carries, as a door read it from its Authorization header or metadata. */
export type PresentedKey = { kind: 'none' } | { kind: 'malformed' } | { kind: 'key'; key: string };

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
 * Who may call what, for both doors: `authenticate` checks the key a call presents against the
 * access the operation needs, then `throttle` the caller's rate limit. Two steps, so a door can
 * record whom it is serving (logs) before the rate limit may refuse the call.
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

  /** Whether a call to an operation of this access must carry a key: what the OpenAPI document declares. */
  requiresKey(access: Access): boolean {
    return this.authRequired && this.guarded(access);
  }

  /**
   * Whom the call comes from: the principal of the key it presents, or undefined when the
   * operation needs no key. Throws UNAUTHENTICATED or PERMISSION_DENIED.
   */
  authenticate(access: Access, presented: PresentedKey): Principal | undefined {
    if (!this.guarded(access) || !this.authRequired) return undefined;
    const needed: Role = access === 'metrics' ? 'read' : (access as Role);
    if (presented.kind !== 'key') {
      throw errors.unauthenticated(
        presented.kind === 'none' ? 'an API key is required: send "Authorization: Bearer <key>"' : 'malformed Authorization: expected "Bearer <key>"',
      );
    }
    const principal = this.keyring.identify(presented.key);
    if (principal === undefined) throw errors.unauthenticated('invalid API key');
    if (!principal.roles.has(needed)) throw errors.permissionDenied(`API key '${principal.name}' lacks the '${needed}' role this operation needs`);
    return principal;
  }

  /**
   * Takes a token from the caller's bucket: the principal's, or when there is none (auth off) the
   * `peer` address's. Public operations are never limited. Throws RESOURCE_EXHAUSTED with retryAfterSeconds.
   */
  throttle(access: Access, principal: Principal | undefined, peer: string): void {
    if (!this.guarded(access)) return;
    if (principal === undefined) {
      this.limit(`address ${peer}`, this.settings.rateLimit);
      return;
    }
    const own = this.keyring.rateOf(principal.name);
    this.limit(`API key '${principal.name}'`, own === undefined ? this.settings.rateLimit : { perSecond: own, burst: Math.max(1, 2 * own) });
  }

  /** False for operations anyone may call: public ones, and /metrics when configured public or auth is off. */
  private guarded(access: Access): boolean {
    if (access === 'public') return false;
    return access !== 'metrics' || !(this.settings.metricsPublic || !this.authRequired);
  }

  private limit(caller: string, limit: RateLimit): void {
    const wait = this.limiter.take(caller, limit);
    if (wait > 0) throw errors.rateLimited(caller, wait);
  }
}
