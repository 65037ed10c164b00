import type { ModelConfig } from '../../src/domain';
import type { ChatWrapper, LlamaContextSequence, LlamaSdk } from '../../src/providers/llamacpp/llamacpp-sdk';
import { defaultThreads, parseLlamaSettings, type LlamaSettings } from '../../src/providers/llamacpp/llamacpp-settings';

/** One generation's timings, measured the same way for the service and for direct calls. */
export interface GenerationSample {
  text: string;
  completionTokens: number;
  /** From the start of the call to the first non-empty text chunk. */
  ttftMs: number;
  totalMs: number;
}

export interface GenerationRequest {
  prompt: string;
  maxTokens: number;
  temperature: number;
  seed: number;
}

export interface DirectGenerator {
  readonly settings: LlamaSettings;
  generate(req: GenerationRequest): Promise<GenerationSample>;
  dispose(): Promise<void>;
}

/**
 * node-llama-cpp in the bench process with the settings the service derives from the same
 * registry entry (file, context size, sequences, threads, chat template, system prompt): the
 * provider's own settings parser is reused so the two cannot drift apart. The runtime options
 * mirror the provider's (CPU only, prebuilt binary, no thread cap of its own).
 */
export async function loadDirectGenerator(config: ModelConfig, modelCacheDir: string): Promise<DirectGenerator> {
  const settings = parseLlamaSettings(config, modelCacheDir, defaultThreads());
  const sdk = (await import('node-llama-cpp')) as LlamaSdk;
  const llama = await sdk.getLlama({ gpu: false, build: 'never', skipDownload: true, usePrebuiltBinaries: true, progressLogs: false, maxThreads: 0, logLevel: sdk.LlamaLogLevel.warn });
  const model = await llama.loadModel({ modelPath: settings.modelPath, gpuLayers: 0 });
  const context = await model.createContext({ contextSize: settings.contextSize, sequences: settings.concurrency, threads: settings.threads });
  const sequence = context.getSequence();
  const chatWrapper = settings.chatTemplate ? sdk.resolveChatWrapper(model) : undefined;
  if (!chatWrapper) throw new Error('the direct baseline covers chat-template models only (the default text model is one)');
  return {
    settings,
    generate: (req) => generateOnce(sdk, sequence, chatWrapper, settings, req),
    async dispose() {
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}

/**
 * What the service does per call, minus the transport: an emptied sequence, a fresh chat
 * session, one prompt. The clock starts before the history is cleared, as the service's call
 * includes that step too.
 */
async function generateOnce(sdk: LlamaSdk, sequence: LlamaContextSequence, chatWrapper: ChatWrapper, settings: LlamaSettings, req: GenerationRequest): Promise<GenerationSample> {
  const t0 = process.hrtime.bigint();
  let firstAt: bigint | undefined;
  let completionTokens = 0;
  await sequence.clearHistory();
  const session = new sdk.LlamaChatSession({ contextSequence: sequence, chatWrapper, systemPrompt: settings.systemPrompt ?? '' });
  try {
    const text = await session.prompt(req.prompt, {
      maxTokens: req.maxTokens,
      temperature: req.temperature,
      seed: req.seed,
      onTextChunk: (chunk) => {
        if (firstAt === undefined && chunk !== '') firstAt = process.hrtime.bigint();
      },
      onToken: (tokens) => {
        completionTokens += tokens.length;
      },
    });
    const end = process.hrtime.bigint();
    return { text, completionTokens, ttftMs: Number((firstAt ?? end) - t0) / 1e6, totalMs: Number(end - t0) / 1e6 };
  } finally {
    session.dispose({ disposeSequence: false });
  }
}
