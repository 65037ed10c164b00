import { resolve } from 'node:path';
import type { FeatureExtractionPipeline } from '../../src/providers/transformers/transformers-sdk';
import { DEFAULT_DTYPE } from '../../src/providers/transformers/transformers-parameters';

/** The transformers.js pipeline in the bench process: the baseline the service is compared with. */
export interface DirectEmbedder {
  /** Vectors of `texts`, one pipeline call (one ONNX run) for all of them. */
  embed(texts: string[]): Promise<number[][]>;
  dispose(): Promise<void>;
}

/**
 * Loads the model exactly as the service's transformers provider does: the same local folder,
 * no hub, the provider's default dtype (so the same ONNX file), feature extraction with mean
 * pooling and L2 normalization. Imported dynamically because the package is ESM-only.
 */
export async function loadDirectEmbedder(modelCacheDir: string, modelId: string): Promise<DirectEmbedder> {
  const pipe = await loadLocalPipeline(modelCacheDir, modelId);
  return {
    async embed(texts) {
      const out = await pipe(texts, { pooling: 'mean', normalize: true });
      return out.tolist() as number[][];
    },
    dispose: () => pipe.dispose(),
  };
}

/**
 * The feature-extraction pipeline from the local model folder, as the provider loads it (no hub,
 * default dtype); `sessionOptions` go to onnxruntime as they are (onnxruntime's defaults when absent).
 */
export async function loadLocalPipeline(modelCacheDir: string, modelId: string, sessionOptions?: Record<string, unknown>): Promise<FeatureExtractionPipeline> {
  const { env, pipeline } = await import('@huggingface/transformers');
  const cacheDir = resolve(modelCacheDir);
  env.localModelPath = cacheDir;
  env.cacheDir = cacheDir;
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  const options = { dtype: DEFAULT_DTYPE, cache_dir: cacheDir, local_files_only: true, ...(sessionOptions ? { session_options: sessionOptions } : {}) };
  return (await pipeline('feature-extraction', modelId, options as never)) as FeatureExtractionPipeline;
}
