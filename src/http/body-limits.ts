import { limits } from '../domain';

const MiB = 1024 * 1024;

/**
 * The largest request body each REST route accepts, by OpenAPI operationId: what the route can
 * legitimately need, so that a route reading a few fields cannot be made to buffer 64 MiB.
 * Listed in docs/API.md ("Limits"); a route not listed takes `DEFAULT_BODY_LIMIT`.
 */
export const BODY_LIMITS: Readonly<Record<string, number>> = {
  // Up to 10 000 vectors (16 Mi floats) with 64 KiB of metadata each: the whole message limit.
  insertVectors: limits.maxMessageBytes,
  upsertVectors: limits.maxMessageBytes,
  // A 32 768-dim query (~700 KB as JSON text) plus a filter of up to 1024 nodes of 4 KiB strings.
  searchVectors: 8 * MiB,
  // A filter as large as Search's.
  listVectorsFiltered: 8 * MiB,
  countVectorsFiltered: 8 * MiB,
  // 10 000 ids of up to 512 bytes, with room for JSON escapes.
  deleteVectors: 8 * MiB,
  // Up to 2048 texts per call; the models' windows truncate long texts anyway.
  generateEmbeddings: 8 * MiB,
  openaiCreateEmbeddings: 8 * MiB,
  // Up to 1000 documents of 4 MiB in all (JSON escapes can double them).
  rerank: 8 * MiB,
  openaiRerank: 8 * MiB,
  // One text of at most 64 KiB; prompts of at most 256 KiB (JSON escapes can double them).
  generateEmbedding: 1 * MiB,
  generateText: 1 * MiB,
  streamGenerateText: 1 * MiB,
  openaiCreateChatCompletion: 1 * MiB,
  openaiCreateCompletion: 1 * MiB,
};

/** Collections, indexes, model registration, compaction and any route without a body. */
export const DEFAULT_BODY_LIMIT = 1 * MiB;

/** The body limit of one route: its own, never above the app's overall cap (`cap`). */
export function bodyLimitOf(operationId: string | undefined, cap: number): number {
  const own = (operationId === undefined ? undefined : BODY_LIMITS[operationId]) ?? DEFAULT_BODY_LIMIT;
  return Math.min(own, cap);
}
