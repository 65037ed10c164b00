import type { EmbeddingResult } from '../../domain';
import { meanPoolNormalized } from './mean-pooling';
import type { FeatureExtractionPipeline, Tensor } from './transformers-sdk';

/** Used when neither the tokenizer nor the model config states a window (BERT's positions). */
export const FALLBACK_WINDOW = 512;

interface Encoding {
  input_ids: Tensor;
  attention_mask: Tensor;
  token_type_ids?: Tensor;
}

/**
 * Tokens the model reads per text, special tokens included: the tokenizer's `model_max_length`
 * (256 for all-MiniLM-L6-v2, as sentence-transformers trains and serves it), never past the
 * model's position embeddings. transformers.js reports an unset `model_max_length` as Infinity.
 */
export function windowOf(pipe: FeatureExtractionPipeline): number {
  const candidates = [pipe.tokenizer.model_max_length as unknown, (pipe.model.config as unknown as Record<string, unknown>).max_position_embeddings];
  const finite = candidates.filter((v): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0);
  return finite.length > 0 ? Math.min(...finite) : FALLBACK_WINDOW;
}

/**
 * What the feature-extraction pipeline does for `{pooling: 'mean', normalize: true}` (tokenize with
 * padding and truncation, run, mean-pool over the attention mask, L2-normalize; the pooling is
 * mean-pooling.ts, bit-identical to the library's and faster), done through the pipeline's own
 * tokenizer and model so the attention mask is at hand: it gives the token counts,
 * and therefore which texts were cut, without tokenizing every text twice.
 */
export async function embedTexts(pipe: FeatureExtractionPipeline, texts: string[], window: number): Promise<EmbeddingResult> {
  const encoding = pipe.tokenizer(texts, { padding: true, truncation: true, max_length: window }) as unknown as Encoding;
  const output = (await pipe.model(encoding)) as { last_hidden_state: Tensor };
  const [rows = 0, tokens = 0, dimension = 0] = output.last_hidden_state.dims;
  const data = meanPoolNormalized(output.last_hidden_state.data as Float32Array, encoding.attention_mask.data as ArrayLike<bigint | number>, rows, tokens, dimension);
  const lengths = rowLengths(encoding.attention_mask);
  const vectors = texts.map((_, i) => Array.from(data.subarray(i * dimension, (i + 1) * dimension)));
  // Only a text that filled the whole window can have been cut; count its full length to know.
  const truncated = texts.map((text, i) => lengths[i] === window && pipe.tokenizer.encode(text).length > window);
  return { vectors, dimension, truncated, tokens: lengths.reduce((a, b) => a + b, 0), tokenCounts: lengths };
}

/** Non-padding tokens per row of a [rows, cols] attention mask (int64 in transformers.js). */
function rowLengths(mask: Tensor): number[] {
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
