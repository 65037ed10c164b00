import { toDomainError } from './llamacpp-errors';
import { loadLlamaSdk, type Llama, type LlamaLogLevel, type LlamaSdk } from './llamacpp-sdk';
import { loadKey, type LlamaSettings } from './llamacpp-settings';

/** The slice of a logger this provider uses (pino's Logger fits). */
export interface LlamaCppLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface Runtime {
  sdk: LlamaSdk;
  llama: Llama;
}

/** What a LlamaModels holds per name: a model in memory, freed by `dispose`. */
export interface Loaded {
  readonly contextSize: number;
  dispose(): Promise<void>;
}

interface Entry<M> {
  key: string;
  loading: Promise<M>;
}

/**
 * The llama.cpp runtime, opened once for every model of the provider (generation and ranking): a
 * failed open is forgotten so the next call retries.
 */
export class LlamaRuntime {
  private runtime: Promise<Runtime> | undefined;

  constructor(private readonly logger: LlamaCppLogger) {}

  open(): Promise<Runtime> {
    if (!this.runtime) {
      const opening = openRuntime(this.logger).catch((cause: unknown) => {
        throw toDomainError(cause, 'runtime', '');
      });
      this.runtime = opening;
      opening.catch(() => {
        if (this.runtime === opening) this.runtime = undefined;
      });
    }
    return this.runtime;
  }

  async close(): Promise<void> {
    const runtime = this.runtime;
    this.runtime = undefined;
    const opened = await runtime?.catch(() => undefined);
    await opened?.llama.dispose();
  }
}

/**
 * The models loaded in the runtime, one per model name, by `load` (a generation model with its
 * context, or a ranking model). The load promise is stored before it settles, so concurrent
 * first calls share one load; a failed load is forgotten so the next call retries.
 */
export class LlamaModels<M extends Loaded> {
  private readonly entries = new Map<string, Entry<M>>();

  constructor(
    private readonly logger: LlamaCppLogger,
    private readonly runtime: LlamaRuntime,
    private readonly load: (runtime: Runtime, settings: LlamaSettings) => Promise<M>,
    /** The log line of a finished load (tests count loads by it). */
    private readonly loadedMessage: string,
  ) {}

  get(name: string, settings: LlamaSettings): Promise<M> {
    const key = loadKey(settings);
    const current = this.entries.get(name);
    if (current?.key === key) return current.loading;
    // Same name, other file or shape (the domain normally releases first): load the new one.
    if (current) {
      this.release(name).catch((err: unknown) => this.logger.warn({ model: name, err }, 'unloading the previous model failed'));
    }
    const started = Date.now();
    const loading = this.runtime
      .open()
      .then((runtime) => this.load(runtime, settings))
      .catch((cause: unknown) => {
        throw toDomainError(cause, 'load', settings.modelPath);
      });
    const entry: Entry<M> = { key, loading };
    this.entries.set(name, entry);
    loading.then(
      (m) => this.logger.info({ model: name, path: settings.modelPath, contextSize: m.contextSize, concurrency: settings.concurrency, threads: settings.threads, ms: Date.now() - started }, this.loadedMessage),
      (err: unknown) => {
        if (this.entries.get(name) === entry) this.entries.delete(name);
        this.logger.warn({ model: name, path: settings.modelPath, err }, 'model load failed');
      },
    );
    return loading;
  }

  /** Unloads `name` after ending its running work; a no-op when it is not loaded. */
  async release(name: string): Promise<void> {
    const entry = this.entries.get(name);
    if (!entry) return;
    this.entries.delete(name);
    const loaded = await entry.loading.catch(() => undefined);
    await loaded?.dispose();
  }

  async close(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((name) => this.release(name)));
  }
}

/**
 * CPU only (gpu: false) and only the prebuilt binary shipped in @node-llama-cpp/<platform>:
 * build 'never' + skipDownload means no compiling or downloading llama.cpp at runtime; without a
 * usable binary getLlama throws NoBinaryFoundError (mapped to UNAVAILABLE). So the GPU and ARM
 * builds among node-llama-cpp's optional packages are never loaded: package.json's overrides
 * replace them with an empty package (README "Quick start").
 */
async function openRuntime(logger: LlamaCppLogger): Promise<Runtime> {
  const sdk = await loadLlamaSdk();
  const llama = await sdk.getLlama({
    gpu: false,
    build: 'never',
    skipDownload: true,
    usePrebuiltBinaries: true,
    progressLogs: false,
    // No cap of its own: each model context uses exactly `parameters.threads`.
    maxThreads: 0,
    logLevel: sdk.LlamaLogLevel.warn,
    logger: (level: LlamaLogLevel, message: string) => {
      const text = message.trim();
      if (level === sdk.LlamaLogLevel.error || level === sdk.LlamaLogLevel.fatal) logger.error({ source: 'llama.cpp' }, text);
      else logger.warn({ source: 'llama.cpp' }, text);
    },
  });
  return { sdk, llama };
}
