import { createHash, timingSafeEqual } from 'node:crypto';
import { ROLES, type Principal, type Role } from './roles';

/** One configured API key, as the config hands it over: never the key itself, only its SHA-256. */
export interface ApiKeyEntry {
  /** What logs, metrics and rate limits call the key. */
  readonly name: string;
  /** Lower-case hex SHA-256 of the key. */
  readonly sha256: string;
  readonly roles: readonly Role[];
  /** This key's own rate (calls per second; 0 = unlimited); absent = the service-wide rate. */
  readonly rateLimitPerSecond?: number;
}

/**
 * The configured keys, stored as digests. Presented keys are hashed first, so every comparison is
 * between equal-length buffers and the stored keys never sit in memory in the clear.
 */
export class Keyring {
  private readonly keys: { digest: Buffer; principal: Principal }[];
  private readonly rates = new Map<string, number | undefined>();

  constructor(entries: readonly ApiKeyEntry[]) {
    this.keys = entries.map((e) => ({
      digest: Buffer.from(e.sha256, 'hex'),
      principal: Object.freeze({ name: e.name, roles: new Set(e.roles.filter((r) => ROLES.includes(r))) }),
    }));
    for (const e of entries) this.rates.set(e.name, e.rateLimitPerSecond);
  }

  get size(): number {
    return this.keys.length;
  }

  /**
   * The principal `key` belongs to, or undefined. Every stored digest is compared in constant time
   * and the loop never exits early, so the time taken says nothing about which key (if any) matched.
   */
  identify(key: string): Principal | undefined {
    const presented = createHash('sha256').update(key, 'utf8').digest();
    let found: Principal | undefined;
    for (const { digest, principal } of this.keys) {
      const same = timingSafeEqual(presented, digest);
      if (same && found === undefined) found = principal;
    }
    return found;
  }

  /** The key's own rate limit, if its entry set one. */
  rateOf(name: string): number | undefined {
    return this.rates.get(name);
  }
}
