/** Bounds of the model calls (documented in docs/API.md). */
export const modelLimits = {
  maxPromptBytes: 256 * 1024,
  maxEmbedTextBytes: 64 * 1024,
  maxTextsPerCall: 2048,
  /** Texts waiting per embedding model before RESOURCE_EXHAUSTED. */
  maxEmbedQueue: 4096,
  /** Generation calls waiting per model before RESOURCE_EXHAUSTED. */
  maxGenerationQueue: 64,
  /** Generation streams open at once across both doors, unless the service is told otherwise. */
  defaultMaxConcurrentStreams: 64,
} as const;
