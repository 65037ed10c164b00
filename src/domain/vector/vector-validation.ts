import { errors, type FieldViolation } from '../../errors';
import { checkJsonSize } from '../check-json-size';
import { limits } from '../limits';
import {
  INDEX_TYPES,
  METRIC_TYPES,
  type IndexSpec,
  type IndexType,
  type Metadata,
  type MetricType,
  type VectorValues,
} from './vector-types';

/** Index parameters as they arrive from either door; empty strings mean "not given". */
export interface IndexParamsInput {
  indexType?: string;
  metricType?: string;
  params?: Record<string, unknown>;
}

/** A vector as it arrives from either door. */
export interface VectorInput {
  id?: string;
  /** Absent or empty: none (a bound collection then embeds `text`). */
  vector?: VectorValues;
  metadata?: Metadata;
  /** The record's text ('' or absent: none); embedded when the vector is empty. */
  text?: string;
}

export function checkCollectionName(name: string, field = 'name'): void {
  if (!limits.collectionName.test(name)) {
    throw errors.invalidArgument(field, 'must match ^[A-Za-z_][A-Za-z0-9_]{0,254}$ (letters, digits and _, not starting with a digit)');
  }
}

export function checkDimension(dimension: number, field = 'vector_dim'): void {
  if (!Number.isInteger(dimension) || dimension < limits.minDimension || dimension > limits.maxDimension) {
    throw errors.invalidArgument(field, `must be an integer between ${limits.minDimension} and ${limits.maxDimension}`);
  }
}

export function parseMetric(value: string | undefined, fallback: MetricType, field: string): MetricType {
  if (value === undefined || value === '') return fallback;
  const upper = value.toUpperCase();
  if ((METRIC_TYPES as readonly string[]).includes(upper)) return upper as MetricType;
  throw errors.invalidArgument(field, `unknown metric '${value}'; supported: ${METRIC_TYPES.join(', ')}`);
}

/** Returns null when no index type is given (the collection then has no index). */
export function parseIndex(
  input: IndexParamsInput | undefined,
  fallbackMetric: MetricType,
  supported: readonly IndexType[],
  field: string,
): IndexSpec | null {
  if (input?.params !== undefined) checkJsonSize(input.params, `${field}.params`, limits.maxIndexParamsBytes);
  const metricType = parseMetric(input?.metricType, fallbackMetric, `${field}.metric_type`);
  const raw = input?.indexType ?? '';
  if (raw === '') return null;
  const indexType = raw.toUpperCase();
  if (!(INDEX_TYPES as readonly string[]).includes(indexType) || !supported.includes(indexType as IndexType)) {
    throw errors.invalidArgument(`${field}.index_type`, `unsupported index type '${raw}'; supported: ${supported.join(', ')}`);
  }
  return { indexType: indexType as IndexType, metricType, params: input?.params ?? {} };
}

/**
 * What is wrong with one value: the message and, for a vector, the element at fault. The checks
 * below come in two forms: `…Problem` (no field name; a batch's records name their field only
 * when one fails, instead of building three names per record) and `check…` (throws, naming it).
 */
export interface Problem {
  message: string;
  at?: number;
}

/** Throws INVALID_ARGUMENT for `problem` on `field` (or its element); does nothing for null. */
export function raise(problem: Problem | null, field: string): void {
  if (problem !== null) throw errors.invalidArgument(problem.at === undefined ? field : `${field}[${problem.at}]`, problem.message);
}

export function idProblem(id: string): Problem | null {
  if (id.length === 0) return { message: 'must not be empty' };
  if (Buffer.byteLength(id, 'utf8') > limits.maxIdBytes) return { message: `must be at most ${limits.maxIdBytes} bytes` };
  return null;
}

export function checkId(id: string, field: string): void {
  raise(idProblem(id), field);
}

/** Cosine similarity is undefined for a zero vector; engines drop or mis-score such rows, so refuse them. */
export function vectorProblem(vector: VectorValues, dimension: number, metric: MetricType): Problem | null {
  if (vector.length !== dimension) return { message: `expected ${dimension} dimensions, got ${vector.length}` };
  // One loop per array kind: a loop over both kinds reads its elements polymorphically, which
  // for a batch of 1,000 × 384 cost a millisecond on the event loop.
  const bad = vector instanceof Float32Array ? firstNonFiniteFloat32(vector) : firstNonFiniteNumber(vector);
  if (bad >= 0) return { message: 'must be a finite number', at: bad };
  if (metric === 'COSINE' && allZero(vector)) return { message: 'an all-zero vector has no direction; COSINE needs a non-zero vector' };
  return null;
}

export function checkVector(vector: VectorValues, dimension: number, metric: MetricType, field: string): void {
  raise(vectorProblem(vector, dimension, metric), field);
}

/** The index of the first NaN or ±Infinity, or -1 (x - x is NaN exactly for those). */
function firstNonFiniteFloat32(vector: Float32Array): number {
  for (let i = 0; i < vector.length; i += 1) {
    const x = vector[i]!;
    if (x - x !== 0) return i;
  }
  return -1;
}

function firstNonFiniteNumber(vector: readonly number[]): number {
  for (let i = 0; i < vector.length; i += 1) {
    const x = vector[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) return i;
  }
  return -1;
}

function allZero(vector: VectorValues): boolean {
  for (let i = 0; i < vector.length; i += 1) if (vector[i] !== 0) return false;
  return true;
}

export function metadataProblem(metadata: Metadata): Problem | null {
  const depth = isFlat(metadata) ? 1 : nestingDepth(metadata, limits.maxMetadataDepth);
  if (depth > limits.maxMetadataDepth) return { message: `metadata nests deeper than ${limits.maxMetadataDepth} levels` };
  const bytes = Buffer.byteLength(JSON.stringify(metadata), 'utf8');
  if (bytes > limits.maxMetadataBytes) return { message: `serialized metadata is ${bytes} bytes; the limit is ${limits.maxMetadataBytes}` };
  return null;
}

/** Most metadata is one level of scalars: its depth is 1 without the general walk's allocations. */
function isFlat(metadata: Metadata): boolean {
  for (const key in metadata) {
    const value = metadata[key];
    if (value !== null && typeof value === 'object') return false;
  }
  return true;
}

/** Levels of objects/arrays in a JSON value, walked without recursion and stopping past `cap`. */
function nestingDepth(value: unknown, cap: number): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [node, level] = pending.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (level > deepest) deepest = level;
    if (deepest > cap) return deepest;
    for (const child of Array.isArray(node) ? node : Object.values(node)) pending.push([child, level + 1]);
  }
  return deepest;
}

export function checkBatch(count: number, floats: number, field: string): void {
  if (count === 0) throw errors.invalidArgument(field, 'must not be empty');
  if (count > limits.maxBatchSize) {
    throw errors.tooLarge(field, `${count} items; at most ${limits.maxBatchSize} per call`);
  }
  if (floats > limits.maxBatchFloats) {
    throw errors.tooLarge(field, `${floats} floats; at most ${limits.maxBatchFloats} per call`);
  }
}

export function checkTopK(topK: number, field: string): void {
  if (!Number.isInteger(topK) || topK < limits.minTopK || topK > limits.maxTopK) {
    throw errors.invalidArgument(field, `must be between ${limits.minTopK} and ${limits.maxTopK}`);
  }
}

/** Reports every duplicate id of a batch at once. */
export function duplicateIdViolations(ids: readonly string[], field: string): FieldViolation[] {
  const firstAt = new Map<string, number>();
  const violations: FieldViolation[] = [];
  ids.forEach((id, i) => {
    if (id === '') return;
    const first = firstAt.get(id);
    if (first === undefined) firstAt.set(id, i);
    else violations.push({ field: `${field}[${i}].id`, message: `duplicate of ${field}[${first}].id '${id}'` });
  });
  return violations;
}

/**
 * An integer index parameter under any of `keys` (snake_case first), given as a number or a
 * numeric string; INVALID_ARGUMENT naming `index_params.params.<key>` when out of range. Shared by
 * every engine's index mapping so the same params are read the same way.
 */
export function intParam(params: Record<string, unknown>, keys: readonly string[], min: number, max: number): number | undefined {
  for (const key of keys) {
    const raw = params[key];
    if (raw === undefined || raw === null) continue;
    const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw errors.invalidArgument(`index_params.params.${key}`, `must be an integer between ${min} and ${max}`);
    }
    return value;
  }
  return undefined;
}
