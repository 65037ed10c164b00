import type { RerankScores } from '../../domain';
import { errors } from '../../errors';
import { chunkRows, CHUNK_TOKENS, rowLengths, seeArrivedCancels, sliceRows, type EmbedProgress, type Encoding } from './embed-texts';
import type { Activation } from './transformers-parameters';
import type { Tensor } from './transformers-sdk';

/** The slice of transformers.js's tokenizer a cross-encoder uses (PreTrainedTokenizer fits). */
export interface PairTokenizer {
  (texts: string[], options: { text_pair: string[]; padding: boolean; truncation: boolean; max_length: number }): unknown;
  encode(text: string, options?: { text_pair?: string | null; add_special_tokens?: boolean }): number[];
  decode(ids: number[], options?: { skip_special_tokens?: boolean }): string;
  padding_side?: string;
  model_max_length: unknown;
}

/** A sequence-classification model and its tokenizer, loaded together (AutoModelForSequenceClassification). */
export interface CrossEncoder {
  tokenizer: PairTokenizer;
  model: ((inputs: Encoding) => Promise<unknown>) & { config: unknown };
  dispose(): Promise<void>;
}

/**
 * Each (query, document) pair as one input, `[CLS] query [SEP] document [SEP]` by the tokenizer's
 * own template, scored by the model's one logit (after `activation`). The pairs are tokenized once
 * and run in chunks of CHUNK_TOKENS padded tokens, as embeddings are, stopping between chunks when
 * the signal fires. Not the text-classification pipeline: it tokenizes texts without their pair
 * and applies softmax, which makes a one-logit model score 1.0 for everything.
 *
 * A pair longer than the window keeps the whole query and the start of the document (reported in
 * `truncated`): the document's tokens are cut before the template adds the final separator, which
 * the tokenizer's own tail truncation would drop.
 */
export async function crossEncoderScores(
  encoder: CrossEncoder,
  query: string,
  documents: string[],
  window: number,
  activation: Activation,
  progress: EmbedProgress,
): Promise<RerankScores> {
  const fitted = documents.map((document) => fitPair(encoder.tokenizer, query, document, window));
  const pairs = fitted.map((f) => f.text);
  const encoding = encoder.tokenizer(pairs.map(() => query), { text_pair: pairs, padding: true, truncation: true, max_length: window }) as Encoding;
  const lengths = rowLengths(encoding.attention_mask);
  const chunks = chunkRows(lengths, CHUNK_TOKENS);
  const scores: number[] = [];
  for (const [index, [start, end]] of chunks.entries()) {
    if (progress.signal !== undefined) await seeArrivedCancels();
    if (progress.signal?.aborted) throw errors.abortedBy(progress.signal.reason);
    progress.onChunk?.(index, chunks.length, start, end);
    const part = chunks.length === 1 ? encoding : sliceRows(encoding, start, end, Math.max(...lengths.slice(start, end)), encoder.tokenizer.padding_side === 'left');
    const { logits } = (await encoder.model(part)) as { logits: Tensor };
    const [rows = 0, labels = 0] = logits.dims;
    if (labels !== 1) throw errors.failedPrecondition(`a cross-encoder must have one output label; this model has ${labels}`);
    const data = logits.data as Float32Array;
    for (let r = 0; r < rows; r += 1) scores.push(activation === 'sigmoid' ? sigmoid(data[r]!) : data[r]!);
  }
  return { scores, truncated: fitted.map((f) => f.truncated), tokens: lengths.reduce((a, b) => a + b, 0) };
}

/** The document as it fits next to the query in `window` tokens, special tokens included. */
export function fitPair(tokenizer: PairTokenizer, query: string, document: string, window: number): { text: string; truncated: boolean } {
  const full = tokenizer.encode(query, { text_pair: document }).length;
  if (full <= window) return { text: document, truncated: false };
  const ids = tokenizer.encode(document, { add_special_tokens: false });
  const keep = ids.length - (full - window);
  if (keep < 1) throw errors.invalidArgument('query', `leaves no room for a document in the model's ${window}-token window; shorten it`);
  return { text: tokenizer.decode(ids.slice(0, keep), { skip_special_tokens: true }), truncated: true };
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
