import { randomUUID } from 'node:crypto';
import { DataType, type DescribeCollectionResponse, type FieldType } from '@zilliz/milvus2-sdk-node';
import { INDEX_TYPES, METRIC_TYPES, limits, type CollectionInfo, type CollectionSpec, type IndexSpec, type MetricType } from '../../../domain';
import { errors } from '../../../errors';

/**
 * How a collection looks in Milvus: one Milvus collection per collection, with
 * `id` VarChar(512) primary key, `vector` FloatVector(dim) and `metadata` JSON, and our definition in
 * collection properties (`taishang.*`). The description is the collection's own; createdAt is
 * Milvus's creation time; updatedAt is a property moved by index changes and (within a second,
 * milvus-updated-at.ts) by data writes, and equals createdAt until the first change.
 */
export const FIELD = { id: 'id', vector: 'vector', metadata: 'metadata' } as const;

const PROP = {
  format: 'taishang.format',
  metric: 'taishang.metric',
  /** The declared index as JSON, or "null": the engine always has one (milvus-index-mapping.ts). */
  index: 'taishang.index',
  updatedAt: 'taishang.updated_at',
  /** Unique per CreateCollection: Milvus accepts an identical re-create silently, a different one not. */
  creation: 'taishang.creation',
} as const;

const FORMAT = '1';

export function collectionFields(dimension: number): FieldType[] {
  return [
    { name: FIELD.id, data_type: DataType.VarChar, is_primary_key: true, autoID: false, max_length: limits.maxIdBytes },
    { name: FIELD.vector, data_type: DataType.FloatVector, dim: dimension },
    { name: FIELD.metadata, data_type: DataType.JSON },
  ];
}

export function creationProperties(spec: CollectionSpec): Record<string, string> {
  return {
    [PROP.format]: FORMAT,
    [PROP.metric]: spec.metricType,
    [PROP.index]: JSON.stringify(spec.index),
    [PROP.creation]: randomUUID(),
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
  const ours =
    props.get(PROP.format) === FORMAT &&
    fields.get(FIELD.id)?.is_primary_key === true &&
    String(vector?.data_type) === 'FloatVector' &&
    String(fields.get(FIELD.metadata)?.data_type) === 'JSON' &&
    Number.isInteger(dimension) &&
    (METRIC_TYPES as readonly string[]).includes(metric ?? '') &&
    index !== undefined;
  if (!ours) {
    throw errors.failedPrecondition(`collection '${name}' exists in Milvus but was not created by this service (fields id, vector, metadata and taishang.* properties expected)`);
  }
  const createdAt = Number(described.created_utc_timestamp);
  const stored = Number(props.get(PROP.updatedAt) ?? createdAt);
  return {
    name,
    description: described.schema.description ?? '',
    dimension,
    metricType: metric as MetricType,
    index,
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

/** Milvus's answer to a concurrent or repeated create of the same name with other parameters. */
export function isDuplicateCreate(cause: unknown): boolean {
  const reason = (cause as { reason?: unknown } | null)?.reason;
  return typeof reason === 'string' && /duplicate collection|already exist/i.test(reason);
}
