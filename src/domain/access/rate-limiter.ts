/** A token bucket's shape: `perSecond` tokens flow in, up to `burst`; 0 per second = no limit. */
export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * One token bucket per caller (a key's name, or an address when auth is off). Buckets live in an
 * insertion-ordered Map used as an LRU, capped at `maxBuckets`, so a flood of distinct callers
 * cannot grow memory without bound; an evicted caller simply starts again with a full bucket.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly maxBuckets = 10_000,
    /** Milliseconds, monotonic; tests pass a fake clock. */
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes one token from `caller`'s bucket: 0 when the call may go ahead, else the seconds until a token is there. */
  take(caller: string, limit: RateLimit): number {
    if (limit.perSecond <= 0) return 0;
    const now = this.now();
    let bucket = this.buckets.get(caller);
    if (bucket === undefined) {
      bucket = { tokens: limit.burst, updatedAt: now };
    } else {
      this.buckets.delete(caller);
      bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * limit.perSecond);
      bucket.updatedAt = now;
    }
    this.buckets.set(caller, bucket);
    if (this.buckets.size > this.maxBuckets) this.buckets.delete(this.buckets.keys().next().value as string);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return (1 - bucket.tokens) / limit.perSecond;
  }

  /** How many callers have a bucket (bounded by maxBuckets). */
  get size(): number {
    return this.buckets.size;
  }
}
