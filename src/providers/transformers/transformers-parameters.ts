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

/**
 * How a reranker scores a (query, document) pair:
 * - `cross-encoder`: both texts in one input to a sequence-classification model, whose one logit
 *   is the score (what rerankers such as ms-marco-MiniLM-L-6-v2 are);
 * - `bi-encoder`: the cosine similarity of the two texts' embeddings from a feature-extraction
 *   model (mean pooling, L2 normalization), the embedding code path; weaker, but runs on any
 *   embedding model's weights.
 */
export const ARCHITECTURES = ['cross-encoder', 'bi-encoder'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

/** What a cross-encoder's logit is turned into: a probability (0..1, as Cohere, Jina and TEI answer) or the logit as it is. */
export const ACTIVATIONS = ['sigmoid', 'none'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** The transformers provider's view of `ModelConfig.parameters`, after checking. */
export interface TransformersParameters {
  kind: 'embedding' | 'reranker';
  /** Rerankers only. */
  architecture: Architecture | undefined;
  /** Cross-encoders only. */
  activation: Activation;
  dtype: Dtype;
  /** Texts per model call (the domain's micro-batches are cut to this). */
  maxBatch: number;
  /** When set, the model's output dimension must equal it. */
  dimensions: number | undefined;
}

export const DEFAULT_DTYPE: Dtype = 'fp32';
export const DEFAULT_ARCHITECTURE: Architecture = 'cross-encoder';
export const DEFAULT_ACTIVATION: Activation = 'sigmoid';
export const DEFAULT_MAX_BATCH = 32;
/** Larger batches only add padding and memory with no throughput gain on CPU. */
const MAX_MAX_BATCH = 256;
const KNOWN_KEYS = ['kind', 'dtype', 'max_batch', 'dimensions', 'architecture', 'activation', 'matryoshka_dimensions'];

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
  const knownKind = p.kind === undefined || p.kind === 'embedding' || p.kind === 'reranker';
  if (!knownKind) bad('kind', "transformers models are 'embedding' (the default) or 'reranker' models");
  const kind = p.kind === 'reranker' ? 'reranker' : 'embedding';
  const dtype = p.dtype ?? DEFAULT_DTYPE;
  if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_SUFFIXES, dtype)) bad('dtype', `must be one of ${Object.keys(DTYPE_SUFFIXES).join(', ')}`);
  const onlyFor = (key: string, what: string): void => {
    if (p[key] !== undefined) bad(key, `applies to ${what} only`);
  };
  let architecture: Architecture | undefined;
  if (kind === 'reranker') {
    onlyFor('max_batch', "kind 'embedding'");
    onlyFor('dimensions', "kind 'embedding'");
    architecture = (p.architecture ?? DEFAULT_ARCHITECTURE) as Architecture;
    if (!(ARCHITECTURES as readonly unknown[]).includes(architecture)) bad('architecture', `must be one of ${ARCHITECTURES.join(', ')}`);
    if (architecture !== 'cross-encoder') onlyFor('activation', "architecture 'cross-encoder'");
  } else if (knownKind) {
    // With an unknown kind, whether the other keys apply cannot be told: only the kind is named.
    onlyFor('architecture', "kind 'reranker'");
    onlyFor('activation', "kind 'reranker'");
  }
  const activation = p.activation ?? DEFAULT_ACTIVATION;
  if (!(ACTIVATIONS as readonly unknown[]).includes(activation)) bad('activation', `must be one of ${ACTIVATIONS.join(', ')}`);
  const maxBatch = p.max_batch ?? DEFAULT_MAX_BATCH;
  if (!Number.isInteger(maxBatch) || (maxBatch as number) < 1 || (maxBatch as number) > MAX_MAX_BATCH) bad('max_batch', `must be an integer between 1 and ${MAX_MAX_BATCH}`);
  const dimensions = p.dimensions;
  if (dimensions !== undefined && (!Number.isInteger(dimensions) || (dimensions as number) < 1)) bad('dimensions', 'must be a positive integer');
  if (violations.length > 0) throw errors.invalidArguments(violations);
  return {
    kind,
    architecture,
    activation: activation as Activation,
    dtype: dtype as Dtype,
    maxBatch: maxBatch as number,
    dimensions: dimensions as number | undefined,
  };
}

/** Files transformers.js reads for a feature-extraction or sequence-classification model, relative to the model folder. */
export function requiredFiles(dtype: Dtype): string[] {
  return ['config.json', 'tokenizer.json', 'tokenizer_config.json', `onnx/model${DTYPE_SUFFIXES[dtype]}.onnx`];
}
