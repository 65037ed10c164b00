import { windowOf } from '../../src/providers/transformers/embed-texts';
import { meanPoolNormalized } from '../../src/providers/transformers/mean-pooling';
import type { Tensor } from '../../src/providers/transformers/transformers-sdk';
import { loadLocalPipeline } from './models-direct-embed';

/** The transformers.js pipeline in the bench process, pooled exactly as the service pools. */
export interface PooledEmbedder {
  /** One tokenizer call and one ONNX run for all `texts`; vectors as plain arrays, as the service hands them on. */
  embed(texts: string[]): Promise<number[][]>;
  dispose(): Promise<void>;
}

/**
 * The direct side of bench:overhead's embedding comparison. The model is loaded as the provider
 * loads it (same local folder, no hub, the provider's default dtype, so the same ONNX file), and a
 * batch is embedded as the provider embeds it: the pipeline's own tokenizer (padding, truncation
 * at the model's window), its model, then the provider's mean pooling + L2 normalization
 * (mean-pooling.ts, bit-identical to the library's `{pooling: 'mean', normalize: true}` and
 * faster). bench:models' direct side pools with the library's slower code, which flatters the
 * service; here both sides do the same arithmetic, so only serving costs differ.
 */
export async function loadPooledEmbedder(modelCacheDir: string, modelId: string): Promise<PooledEmbedder> {
  const pipe = await loadLocalPipeline(modelCacheDir, modelId);
  const window = windowOf(pipe);
  return {
    async embed(texts) {
      const encoding = pipe.tokenizer(texts, { padding: true, truncation: true, max_length: window }) as unknown as { attention_mask: Tensor };
      const output = (await pipe.model(encoding)) as { last_hidden_state: Tensor };
      const [rows = 0, tokens = 0, width = 0] = output.last_hidden_state.dims;
      const data = meanPoolNormalized(output.last_hidden_state.data as Float32Array, encoding.attention_mask.data as ArrayLike<bigint | number>, rows, tokens, width);
      return Array.from({ length: rows }, (_, r) => Array.from(data.subarray(r * width, (r + 1) * width)));
    },
    dispose: () => pipe.dispose(),
  };
}
