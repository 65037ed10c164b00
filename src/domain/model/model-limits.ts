/** Bounds of the model calls (documented in docs/API.md). */
export const modelLimits = {
  maxPromptBytes: 256 * 1024,
  maxEmbedTextBytes: 64 * 1024,
  maxTextsPerCall: 2048,
  /** Documents one Rerank call may score (Cohere's recommended ceiling for its /rerank). */
  maxRerankDocuments: 1000,
  /** The query, and each document, of a Rerank call (as one embedding text). */
  maxRerankTextBytes: 64 * 1024,
  /** All documents of one Rerank call together: 1000 of 64 KiB would be a 64 MiB request. */
  maxRerankTotalBytes: 4 * 1024 * 1024,
  /** Texts waiting per embedding model before RESOURCE_EXHAUSTED. */
  maxEmbedQueue: 4096,
  /** Generation calls waiting per model before RESOURCE_EXHAUSTED. */
  maxGenerationQueue: 64,
  /** Generation streams open at once across both doors, unless the service is told otherwise. */
  defaultMaxConcurrentStreams: 64,
} as const;
