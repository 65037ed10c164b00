import { errors, type FieldViolation } from '../../errors';
import type { ModelConfig } from '../../domain';

/**
 * ONNX weight variants transformers.js can load, with the file suffix it looks for
 * (`onnx/model{suffix}.onnx`). fp32 is the default: q8 graphs quantize activations with one range
 * per batch tensor (DynamicQuantizeLinear), so a text's vector shifts (up to ~0.03 per component
 * measured) with whatever shares its micro-batch. q8 is about 2-3x faster; pick it per model.
 */
export const DTYPE_SUFFIXES = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
} as const;

export type Dtype = keyof typeof DTYPE_SUFFIXES;

/** The transformers provider's view of `ModelConfig.parameters`, after checking. */
export interface TransformersParameters {
  dtype: Dtype;
  /** Texts per model call (the domain's micro-batches are cut to this). */
  maxBatch: number;
  /** When set, the model's output dimension must equal it. */
  dimensions: number | undefined;
}

export const DEFAULT_DTYPE: Dtype = 'fp32';
export const DEFAULT_MAX_BATCH = 32;
/** Larger batches only add padding and memory with no throughput gain on CPU. */
const MAX_MAX_BATCH = 256;
const KNOWN_KEYS = ['dtype', 'max_batch', 'dimensions', 'kind', 'matryoshka_dimensions'];

/**
 * Hub ids (`owner/name`) or plain folder names, resolved under MODEL_CACHE_DIR; no absolute paths or
 * `..`, so a registered model cannot read files outside the cache.
 */
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/;

/** Checks parameters and model id; INVALID_ARGUMENT names every bad field at once. */
export function parseTransformersParameters(config: ModelConfig, at = 'config'): TransformersParameters {
  const p = config.parameters;
  const violations: FieldViolation[] = [];
  const bad = (key: string, message: string): void => {
    violations.push({ field: `${at}.parameters.${key}`, message });
  };
  if (!MODEL_ID.test(config.modelId) || config.modelId.includes('..')) {
    violations.push({ field: `${at}.model_id`, message: 'must be a model id such as Xenova/all-MiniLM-L6-v2 (a folder under MODEL_CACHE_DIR)' });
  }
  for (const key of Object.keys(p)) {
    if (!KNOWN_KEYS.includes(key)) bad(key, `not a transformers parameter; supported: ${KNOWN_KEYS.join(', ')}`);
  }
  if (p.kind !== undefined && p.kind !== 'embedding') bad('kind', "transformers models are embedding models; use 'embedding' or leave it out");
  const dtype = p.dtype ?? DEFAULT_DTYPE;
  if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_SUFFIXES, dtype)) bad('dtype', `must be one of ${Object.keys(DTYPE_SUFFIXES).join(', ')}`);
  const maxBatch = p.max_batch ?? DEFAULT_MAX_BATCH;
  if (!Number.isInteger(maxBatch) || (maxBatch as number) < 1 || (maxBatch as number) > MAX_MAX_BATCH) bad('max_batch', `must be an integer between 1 and ${MAX_MAX_BATCH}`);
  const dimensions = p.dimensions;
  if (dimensions !== undefined && (!Number.isInteger(dimensions) || (dimensions as number) < 1)) bad('dimensions', 'must be a positive integer');
  if (violations.length > 0) throw errors.invalidArguments(violations);
  return { dtype: dtype as Dtype, maxBatch: maxBatch as number, dimensions: dimensions as number | undefined };
}

/** Files transformers.js reads for a feature-extraction model, relative to the model folder. */
export function requiredFiles(dtype: Dtype): string[] {
  return ['config.json', 'tokenizer.json', 'tokenizer_config.json', `onnx/model${DTYPE_SUFFIXES[dtype]}.onnx`];
}
