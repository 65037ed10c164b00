import { randomUUID } from 'node:crypto';
import { DataType, type DescribeCollectionResponse, type FieldType } from '@zilliz/milvus2-sdk-node';
import { INDEX_TYPES, METRIC_TYPES, limits, type CollectionInfo, type CollectionSpec, type EmbeddingBinding, type IndexSpec, type MetricType } from '../../../domain';
import { errors } from '../../../errors';

/**
 * How a collection looks in Milvus: one Milvus collection per collection, with
 * `id` VarChar(512) primary key, `vector` FloatVector(dim) and `metadata` JSON, and our definition in
 * collection properties (`taishang.*`). The description is the collection's own; createdAt is
 * Milvus's creation time; updatedAt is a property moved by index changes and (within a second,
 * milvus-updated-at.ts) by data writes, and equals createdAt until the first change.
 *
 * A collection bound to an embedding model (`taishang.embedding`) has a fourth field, `text`
 * VarChar(TEXT_MAX_BYTES), and only it: the domain refuses text on unbound collections, and
 * collections created before texts keep their three fields. Milvus 2.3 has no nullable fields, so
 * a record without text stores '' there, read back as "no text" (the domain refuses blank texts,
 * so '' never is a text).
 */
export const FIELD = { id: 'id', vector: 'vector', metadata: 'metadata', text: 'text' } as const;

/** Milvus's VarChar limit (bytes of UTF-8): twice limits.maxTextBytes, so any text the domain accepts fits. */
export const TEXT_MAX_BYTES = 65_535;

const PROP = {
  format: 'taishang.format',
  metric: 'taishang.metric',
  /** The declared index as JSON, or "null": the engine always has one (milvus-index-mapping.ts). */
  index: 'taishang.index',
  updatedAt: 'taishang.updated_at',
  /** Unique per CreateCollection: Milvus accepts an identical re-create silently, a different one not. */
  creation: 'taishang.creation',
  /** The EmbeddingBinding as JSON, or "null"; absent on collections created before bindings (read as null). */
  embedding: 'taishang.embedding',
} as const;

const FORMAT = '1';

export function collectionFields(spec: CollectionSpec): FieldType[] {
  return [
    { name: FIELD.id, data_type: DataType.VarChar, is_primary_key: true, autoID: false, max_length: limits.maxIdBytes },
    { name: FIELD.vector, data_type: DataType.FloatVector, dim: spec.dimension },
    { name: FIELD.metadata, data_type: DataType.JSON },
    ...(spec.embedding === null ? [] : [{ name: FIELD.text, data_type: DataType.VarChar, max_length: TEXT_MAX_BYTES }]),
  ];
}

/** True when the collection's rows carry the `text` field (bound collections). */
export function hasTextField(info: Pick<CollectionInfo, 'embedding'>): boolean {
  return info.embedding !== null;
}

export function creationProperties(spec: CollectionSpec): Record<string, string> {
  return {
    [PROP.format]: FORMAT,
    [PROP.metric]: spec.metricType,
    [PROP.index]: JSON.stringify(spec.index),
    [PROP.creation]: randomUUID(),
    [PROP.embedding]: JSON.stringify(spec.embedding),
  };
}

export function indexProperties(index: IndexSpec | null, metric: MetricType, updatedAt: number): Record<string, string> {
  return { [PROP.index]: JSON.stringify(index), [PROP.metric]: metric, [PROP.updatedAt]: String(updatedAt) };
}

export function updatedAtProperty(updatedAt: number): Record<string, string> {
  return { [PROP.updatedAt]: String(updatedAt) };
}

/** Our view of a described collection; FAILED_PRECONDITION for a collection this service did not create. */
export function toCollectionInfo(described: DescribeCollectionResponse, name: string): CollectionInfo {
  const props = new Map(described.properties.map((p) => [p.key, String(p.value)]));
  const fields = new Map(described.schema.fields.map((f) => [f.name, f]));
  const vector = fields.get(FIELD.vector);
  const dimension = Number(vector?.dim ?? (vector?.type_params as Record<string, unknown> | undefined)?.dim);
  const metric = props.get(PROP.metric);
  const index = parseIndex(props.get(PROP.index));
  const embedding = parseEmbedding(props.get(PROP.embedding));
  const text = fields.get(FIELD.text);
  const ours =
    props.get(PROP.format) === FORMAT &&
    fields.get(FIELD.id)?.is_primary_key === true &&
    String(vector?.data_type) === 'FloatVector' &&
    String(fields.get(FIELD.metadata)?.data_type) === 'JSON' &&
    Number.isInteger(dimension) &&
    (METRIC_TYPES as readonly string[]).includes(metric ?? '') &&
    index !== undefined &&
    embedding !== undefined &&
    (embedding === null || String(text?.data_type) === 'VarChar');
  if (!ours) {
    throw errors.failedPrecondition(`collection '${name}' exists in Milvus but was not created by this service (fields id, vector, metadata, text when bound to a model, and taishang.* properties expected)`);
  }
  const createdAt = Number(described.created_utc_timestamp);
  const stored = Number(props.get(PROP.updatedAt) ?? createdAt);
  return {
    name,
    description: described.schema.description ?? '',
    dimension,
    metricType: metric as MetricType,
    index,
    embedding,
    createdAt,
    updatedAt: Math.max(createdAt, Number.isFinite(stored) ? stored : createdAt),
  };
}

/** The declared index property: an IndexSpec, null (none declared), or undefined when unreadable. */
function parseIndex(raw: string | undefined): IndexSpec | null | undefined {
  if (raw === undefined) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<IndexSpec> | null;
    if (value === null) return null;
    const ok =
      (INDEX_TYPES as readonly unknown[]).includes(value.indexType) &&
      (METRIC_TYPES as readonly unknown[]).includes(value.metricType) &&
      typeof value.params === 'object' &&
      value.params !== null;
    return ok ? (value as IndexSpec) : undefined;
  } catch {
    return undefined;
  }
}

/** The binding property: a binding, null (unbound, or a collection older than bindings), or undefined when unreadable. */
function parseEmbedding(raw: string | undefined): EmbeddingBinding | null | undefined {
  if (raw === undefined) return null;
  try {
    const value = JSON.parse(raw) as Partial<EmbeddingBinding> | null;
    if (value === null) return null;
    const ok =
      typeof value.model === 'string' &&
      typeof value.provider === 'string' &&
      typeof value.modelId === 'string' &&
      typeof value.weights === 'string' &&
      Number.isInteger(value.dimension);
    return ok ? { model: value.model!, provider: value.provider!, modelId: value.modelId!, weights: value.weights!, dimension: value.dimension! } : undefined;
  } catch {
    return undefined;
  }
}

/** Milvus's answer to a concurrent or repeated create of the same name with other parameters. */
export function isDuplicateCreate(cause: unknown): boolean {
  const reason = (cause as { reason?: unknown } | null)?.reason;
  return typeof reason === 'string' && /duplicate collection|already exist/i.test(reason);
}
