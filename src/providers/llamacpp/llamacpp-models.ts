import { toDomainError } from './llamacpp-errors';
import { LoadedModel } from './llamacpp-loaded-model';
import { loadLlamaSdk, type Llama, type LlamaLogLevel, type LlamaSdk } from './llamacpp-sdk';
import { loadKey, type LlamaSettings } from './llamacpp-settings';

/** The slice of a logger this provider uses (pino's Logger fits). */
export interface LlamaCppLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

interface Runtime {
  sdk: LlamaSdk;
  llama: Llama;
}

interface Entry {
  key: string;
  loading: Promise<LoadedModel>;
}

/**
 * The llama.cpp runtime and the models loaded in it, one per model name. The load promise is
 * stored before it settles, so concurrent first calls share one load; a failed load is forgotten
 * so the next call retries.
 */
export class LlamaModels {
  private runtime: Promise<Runtime> | undefined;
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly logger: LlamaCppLogger) {}

  get(name: string, settings: LlamaSettings): Promise<LoadedModel> {
    const key = loadKey(settings);
    const current = this.entries.get(name);
    if (current?.key === key) return current.loading;
    // Same name, other file or shape (the domain normally releases first): load the new one.
    if (current) {
      this.release(name).catch((err: unknown) => this.logger.warn({ model: name, err }, 'unloading the previous model failed'));
    }
    const started = Date.now();
    const loading = this.open()
      .then(({ sdk, llama }) => LoadedModel.load(sdk, llama, settings))
      .catch((cause: unknown) => {
        throw toDomainError(cause, 'load', settings.modelPath);
      });
    const entry: Entry = { key, loading };
    this.entries.set(name, entry);
    loading.then(
      (m) => this.logger.info({ model: name, path: settings.modelPath, contextSize: m.contextSize, concurrency: settings.concurrency, threads: settings.threads, ms: Date.now() - started }, 'model loaded'),
      (err: unknown) => {
        if (this.entries.get(name) === entry) this.entries.delete(name);
        this.logger.warn({ model: name, path: settings.modelPath, err }, 'model load failed');
      },
    );
    return loading;
  }

  /** Unloads `name` after ending its running generations; a no-op when it is not loaded. */
  async release(name: string): Promise<void> {
    const entry = this.entries.get(name);
    if (!entry) return;
    this.entries.delete(name);
    const loaded = await entry.loading.catch(() => undefined);
    await loaded?.dispose();
  }

  async close(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((name) => this.release(name)));
    const runtime = this.runtime;
    this.runtime = undefined;
    const opened = await runtime?.catch(() => undefined);
    await opened?.llama.dispose();
  }

  private open(): Promise<Runtime> {
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
}

/**
 * CPU only (gpu: false) and only the prebuilt binary shipped in @node-llama-cpp/<platform>:
 * build 'never' + skipDownload means no compiling or downloading llama.cpp at runtime; without a
 * usable binary getLlama throws NoBinaryFoundError (mapped to UNAVAILABLE).
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
