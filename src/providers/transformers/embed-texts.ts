import type { EmbeddingResult } from '../../domain';
import { errors } from '../../errors';
import { meanPoolNormalized } from './mean-pooling';
import type { FeatureExtractionPipeline, Tensor } from './transformers-sdk';

/** Used when neither the tokenizer nor the model config states a window (BERT's positions). */
export const FALLBACK_WINDOW = 512;

/** A tokenizer's batch output, as the model takes it. */
export interface Encoding {
  input_ids: Tensor;
  attention_mask: Tensor;
  token_type_ids?: Tensor;
}

/**
 * Tokens the model reads per text, special tokens included: the tokenizer's `model_max_length`
 * (256 for all-MiniLM-L6-v2, as sentence-transformers trains and serves it), never past the
 * model's position embeddings. transformers.js reports an unset `model_max_length` as Infinity.
 */
export function windowOf(pipe: { tokenizer: { model_max_length: unknown }; model: { config: unknown } }): number {
  const candidates = [pipe.tokenizer.model_max_length, (pipe.model.config as Record<string, unknown>).max_position_embeddings];
  const finite = candidates.filter((v): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0);
  return finite.length > 0 ? Math.min(...finite) : FALLBACK_WINDOW;
}

/**
 * Padded tokens (texts × the longest text's tokens) per model run. A micro-batch of 32 short texts
 * is one run; 32 texts at the 256-token window are four, each ~0.5 s on 2 cores, between which a
 * batch whose callers have all left stops. Per-token cost is the same at this size, and shorter
 * texts pad less in a run of their own.
 */
export const CHUNK_TOKENS = 2048;

/** What `embedTexts` reports as it goes, and how it learns that nobody waits any more. */
export interface EmbedProgress {
  signal?: AbortSignal;
  /** Called before each model run: its position among `chunks`, and its texts as indexes [start, end) into `texts`. */
  onChunk?: (chunk: number, chunks: number, start: number, end: number) => void;
}

/**
 * What the feature-extraction pipeline does for `{pooling: 'mean', normalize: true}` (tokenize with
 * padding and truncation, run, mean-pool over the attention mask, L2-normalize; the pooling is
 * mean-pooling.ts, bit-identical to the library's and faster), done through the pipeline's own
 * tokenizer and model so the attention mask is at hand: it gives the token counts,
 * and therefore which texts were cut, without tokenizing every text twice. The texts are
 * tokenized once and run in chunks of CHUNK_TOKENS; an aborted signal stops the work before the
 * next chunk (errors.abortedBy its reason, as every provider answers an abort).
 */
export async function embedTexts(pipe: FeatureExtractionPipeline, texts: string[], window: number, progress: EmbedProgress = {}): Promise<EmbeddingResult> {
  const encoding = pipe.tokenizer(texts, { padding: true, truncation: true, max_length: window }) as unknown as Encoding;
  const lengths = rowLengths(encoding.attention_mask);
  const chunks = chunkRows(lengths, CHUNK_TOKENS);
  const vectors: number[][] = [];
  let dimension = 0;
  for (const [index, [start, end]] of chunks.entries()) {
    if (progress.signal !== undefined) await seeArrivedCancels();
    if (progress.signal?.aborted) throw errors.abortedBy(progress.signal.reason);
    progress.onChunk?.(index, chunks.length, start, end);
    const part = chunks.length === 1 ? encoding : sliceRows(encoding, start, end, Math.max(...lengths.slice(start, end)), pipe.tokenizer.padding_side === 'left');
    const output = (await pipe.model(part)) as { last_hidden_state: Tensor };
    const [rows = 0, tokens = 0, width = 0] = output.last_hidden_state.dims;
    const data = meanPoolNormalized(output.last_hidden_state.data as Float32Array, part.attention_mask.data as ArrayLike<bigint | number>, rows, tokens, width);
    for (let r = 0; r < rows; r += 1) vectors.push(Array.from(data.subarray(r * width, (r + 1) * width)));
    dimension = width;
  }
  // Only a text that filled the whole window can have been cut; count its full length to know.
  const truncated = texts.map((text, i) => lengths[i] === window && pipe.tokenizer.encode(text).length > window);
  return { vectors, dimension, truncated, tokens: lengths.reduce((a, b) => a + b, 0), tokenCounts: lengths };
}

/**
 * ONNX Runtime's Node binding runs a model synchronously on the calling thread (inside a
 * setImmediate), so nothing reaches that thread while a run computes. Before deciding on the next
 * run, its event loop goes round once in full: the poll phase delivers what arrived meanwhile (on
 * an embedding thread, the main thread's 'cancel' message; on the main thread, a gRPC client's
 * RST_STREAM or an HTTP client's closed socket, whose close callbacks fire the abort); a second
 * turn is needed because a setImmediate resumes before those close callbacks.
 */
export async function seeArrivedCancels(): Promise<void> {
  for (let turn = 0; turn < 2; turn += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Consecutive runs of texts whose count times their longest length stays within `budget` (a run holds at least one text). */
export function chunkRows(lengths: readonly number[], budget: number): [number, number][] {
  const chunks: [number, number][] = [];
  let start = 0;
  let longest = 0;
  lengths.forEach((length, i) => {
    const wider = Math.max(longest, length);
    if (i > start && wider * (i - start + 1) > budget) {
      chunks.push([start, i]);
      start = i;
      longest = length;
    } else {
      longest = wider;
    }
  });
  if (lengths.length > 0) chunks.push([start, lengths.length]);
  return chunks;
}

/** Rows [start, end) of the encoding, cut to `width` columns (the padding the run does not need). */
export function sliceRows(encoding: Encoding, start: number, end: number, width: number, leftPadded: boolean): Encoding {
  const cols = encoding.input_ids.dims[1] ?? width;
  const columns: [number, number] = leftPadded ? [cols - width, cols] : [0, width];
  const cut = (t: Tensor): Tensor => t.slice([start, end], columns);
  return {
    input_ids: cut(encoding.input_ids),
    attention_mask: cut(encoding.attention_mask),
    ...(encoding.token_type_ids ? { token_type_ids: cut(encoding.token_type_ids) } : {}),
  };
}

/** Non-padding tokens per row of a [rows, cols] attention mask (int64 in transformers.js). */
export function rowLengths(mask: Tensor): number[] {
  const [rows = 0, cols = 0] = mask.dims;
  const data = mask.data as ArrayLike<bigint | number>;
  const out: number[] = [];
  for (let r = 0; r < rows; r += 1) {
    let n = 0;
    for (let c = 0; c < cols; c += 1) n += Number(data[r * cols + c]);
    out.push(n);
  }
  return out;
}
