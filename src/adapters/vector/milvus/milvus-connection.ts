import { MilvusClient, logger as sdkLogger } from '@zilliz/milvus2-sdk-node';
import { errors } from '../../../errors';
import { untilAborted, type StoreHealth } from '../../../domain';
import { checkStatus, isSuccess, toDomainError, type EngineStatus, type MilvusErrorContext } from './milvus-errors';

/** Pino-compatible: what the adapter logs through. */
export interface MilvusLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface MilvusConnectionOptions {
  /** host:port */
  address: string;
  tls: boolean;
  /** A token ("user:password" or an API key), or user + password; all empty when auth is off. */
  token: string;
  username: string;
  password: string;
  database: string;
  /** Bound of one call when the caller's signal does not end it sooner. */
  timeoutMs: number;
  logger: MilvusLogger;
}

interface Attempt {
  client: MilvusClient;
  ready: Promise<void>;
  failed: boolean;
}

const HEALTH_TIMEOUT_MS = 5_000;
/** Reconnect attempts back off up to this, so a Milvus that comes back is found within seconds. */
const MAX_BACKOFF_MS = 10_000;

/**
 * The adapter's one Milvus client, rebuilt with exponential backoff when it cannot connect: the
 * SDK connects once, in its constructor, and a client whose first connect failed stays failed. A
 * connected client survives server restarts (grpc-js reconnects its channel; the reconnect
 * backoff is capped at 5 s so recovery is quick). During a backoff, calls fail UNAVAILABLE at once.
 */
export class MilvusConnection {
  private attempt: Attempt | null = null;
  private failures = 0;
  private retryAt = 0;
  private closed = false;
  /** The server's version, read once per connected client (serverVersion). */
  private version: Promise<string | null> | null = null;

  constructor(readonly options: MilvusConnectionOptions) {
    // The SDK logs through a process-wide winston logger; this adapter reports failures itself.
    sdkLogger.silent = true;
  }

  get address(): string {
    return this.options.address;
  }

  /**
   * Runs one engine call: the client, a timeout for the SDK, and the caller's signal (the SDK takes
   * no AbortSignal, so an abort stops the wait; the RPC itself ends at its timeout). Everything the
   * call throws comes back as a DomainError.
   */
  async call<T>(context: MilvusErrorContext, signal: AbortSignal | undefined, run: (client: MilvusClient, timeoutMs: number) => Promise<T>, timeoutMs = this.options.timeoutMs): Promise<T> {
    if (signal?.aborted) throw errors.cancelled();
    try {
      const client = await this.client(signal);
      return await untilAborted(run(client, timeoutMs), signal);
    } catch (cause) {
      throw toDomainError(cause, context);
    }
  }

  /** CheckHealth, bounded by the caller's signal and HEALTH_TIMEOUT_MS; never throws. */
  async health(signal: AbortSignal | undefined): Promise<StoreHealth> {
    const bounded = signal ? AbortSignal.any([signal, AbortSignal.timeout(HEALTH_TIMEOUT_MS)]) : AbortSignal.timeout(HEALTH_TIMEOUT_MS);
    try {
      const res = await this.call({}, bounded, (c) => c.checkHealth());
      // The SDK's type omits the status Milvus sends along.
      const status = (res as { status?: EngineStatus }).status;
      if ((status !== undefined && !isSuccess(status)) || !res.isHealthy) {
        const reasons = [...(res.reasons ?? []), status?.reason ?? ''].filter((r) => r !== '');
        return { healthy: false, message: `milvus at ${this.address} is not healthy: ${reasons.join('; ') || 'no reason given'}` };
      }
      return { healthy: true, message: `milvus ready at ${this.address}` };
    } catch (cause) {
      // The engine's own words (e.g. "connect ECONNREFUSED") tell an operator more than our code name.
      const inner = (cause as { cause?: unknown }).cause;
      const detail = inner instanceof Error ? inner.message : cause instanceof Error ? cause.message : String(cause);
      return { healthy: false, message: `milvus at ${this.address} unavailable: ${detail}` };
    }
  }

  /**
   * The server's version as GetVersion reports it (e.g. "v2.3.5"), read on first need and kept for
   * this client (a reconnect reads it again: the server may have been upgraded); null when the
   * server does not say. Never throws but for the caller's abort.
   */
  async serverVersion(signal: AbortSignal | undefined): Promise<string | null> {
    if (this.version === null) {
      const read = this.call({}, undefined, (c) => c.getVersion()).then(
        (res) => (typeof res.version === 'string' && res.version !== '' ? res.version : null),
        () => null,
      );
      this.version = read;
      // A failed read is not kept: the next caller asks again.
      void read.then((v) => {
        if (v === null && this.version === read) this.version = null;
      });
    }
    return untilAborted(this.version, signal);
  }

  /** Stops the client; later calls fail UNAVAILABLE. */
  async close(): Promise<void> {
    this.closed = true;
    const attempt = this.attempt;
    this.attempt = null;
    if (attempt !== null) await attempt.client.closeConnection().catch(() => undefined);
  }

  private async client(signal: AbortSignal | undefined): Promise<MilvusClient> {
    if (this.closed) throw errors.unavailable('the vector store is closed');
    if (this.attempt === null || (this.attempt.failed && Date.now() >= this.retryAt)) this.connect();
    const attempt = this.attempt!;
    if (attempt.failed) {
      throw errors.unavailable(`Milvus at ${this.address} is unreachable; reconnecting in ${Math.max(0, this.retryAt - Date.now())} ms`);
    }
    await untilAborted(attempt.ready, signal);
    return attempt.client;
  }

  private connect(): void {
    const previous = this.attempt;
    if (previous !== null) void previous.client.closeConnection().catch(() => undefined);
    this.version = null;
    const { address, tls, token, username, password, database, timeoutMs } = this.options;
    const client = new MilvusClient({
      address,
      ssl: tls,
      ...(token !== '' ? { token } : {}),
      ...(username !== '' ? { username, password } : {}),
      database,
      timeout: timeoutMs,
      // Inserts are not idempotent; callers retry on UNAVAILABLE, the SDK must not retry for them.
      maxRetries: 0,
      telemetry: { enabled: false },
      logLevel: 'error',
      channelOptions: { 'grpc.initial_reconnect_backoff_ms': 250, 'grpc.max_reconnect_backoff_ms': 5_000 },
    });
    const attempt: Attempt = { client, failed: false, ready: Promise.resolve() };
    attempt.ready = client.connectPromise.then(() => this.ensureDatabase(client)).then(
      () => {
        if (this.failures > 0) this.options.logger.info({ address }, 'milvus connection restored');
        this.failures = 0;
      },
      (cause: unknown) => {
        attempt.failed = true;
        this.failures += 1;
        const backoff = Math.min(MAX_BACKOFF_MS, 250 * 2 ** (this.failures - 1)) * (0.8 + Math.random() * 0.4);
        this.retryAt = Date.now() + backoff;
        this.options.logger.warn({ err: cause, address, retryInMs: Math.round(backoff) }, 'milvus connect failed');
        throw toDomainError(cause);
      },
    );
    // Awaited by the next call; until then a rejection must not count as unhandled.
    attempt.ready.catch(() => undefined);
    this.attempt = attempt;
  }

  /** A database other than "default" is created on first connect, so a fresh deployment works. */
  private async ensureDatabase(client: MilvusClient): Promise<void> {
    const { database, timeoutMs } = this.options;
    if (database === 'default') return;
    const listed = await client.listDatabases({ timeout: timeoutMs });
    checkStatus(listed.status);
    if (listed.db_names.includes(database)) return;
    const created = await client.createDatabase({ db_name: database, timeout: timeoutMs });
    checkStatus(created);
    this.options.logger.info({ database }, 'milvus database created');
  }
}
