import { errors } from '../../errors';
import { characterCount } from '../text-rules';
import { limits } from '../limits';
import { checkCollectionName, checkDimension, parseIndex, parseMetric } from '../vector/vector-validation';
import type { CollectionInfo, CollectionSpec, EmbeddingBinding, IndexType } from '../vector/vector-types';

export const SNAPSHOT_FORMAT = 'taishang-snapshot';
export const SNAPSHOT_VERSION = 1;

/**
 * The header frame's JSON: what the collection declares, in the proto's snake_case names so a
 * reader in any language finds the GetCollectionInfo fields it knows.
 */
export interface SnapshotHeaderJson {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  chunk_format: string;
  exported_at: number;
  collection: {
    name: string;
    description: string;
    vector_dim: number;
    metric_type: string;
    index_params: { index_type: string; metric_type: string; params: Record<string, unknown> } | null;
    embedding_model: { name: string; provider: string; model_id: string; weights: string; dimension: number } | null;
    created_at: number;
  };
}

/** The trailer frame's JSON: what the reader counts and chains on its way, to compare at the end. */
export interface SnapshotTrailerJson {
  records: number;
  chunks: number;
  /** sha256 (hex) over the checksums of the header and every chunk frame, in order. */
  digest: string;
}

export function headerOf(info: CollectionInfo, chunkFormat: string, exportedAt: number): SnapshotHeaderJson {
  const { index, embedding } = info;
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    chunk_format: chunkFormat,
    exported_at: exportedAt,
    collection: {
      name: info.name,
      description: info.description,
      vector_dim: info.dimension,
      metric_type: info.metricType,
      index_params: index === null ? null : { index_type: index.indexType, metric_type: index.metricType, params: index.params },
      embedding_model:
        embedding === null
          ? null
          : { name: embedding.model, provider: embedding.provider, model_id: embedding.modelId, weights: embedding.weights, dimension: embedding.dimension },
      created_at: info.createdAt,
    },
  };
}

const FIELD = 'snapshot.header';

/**
 * The declaration a header carries, checked as CreateCollection checks one (fields named
 * `snapshot.header.collection.*`), renamed to `name`; the index must be one this engine builds.
 */
export function specOfHeader(payload: Uint8Array, name: string | null, supported: readonly IndexType[], chunkFormat: string): CollectionSpec {
  const raw = parseJson(payload, FIELD) as Partial<SnapshotHeaderJson> | null;
  if (raw === null || typeof raw !== 'object' || raw.format !== SNAPSHOT_FORMAT) throw errors.invalidArgument(`${FIELD}.format`, `must be '${SNAPSHOT_FORMAT}'`);
  if (raw.version !== SNAPSHOT_VERSION) throw errors.invalidArgument(`${FIELD}.version`, `unsupported version ${String(raw.version)}; this service reads ${SNAPSHOT_VERSION}`);
  if (raw.chunk_format !== chunkFormat) throw errors.invalidArgument(`${FIELD}.chunk_format`, `must be '${chunkFormat}'`);
  const c = raw.collection;
  const at = `${FIELD}.collection`;
  if (c === null || typeof c !== 'object') throw errors.invalidArgument(at, 'must be an object');
  const target = name ?? c.name;
  if (typeof target !== 'string') throw errors.invalidArgument(`${at}.name`, 'must be a string');
  checkCollectionName(target, name === null ? `${at}.name` : 'collection_name');
  const description = typeof c.description === 'string' ? c.description : '';
  if (characterCount(description) > limits.maxDescriptionLength) throw errors.invalidArgument(`${at}.description`, `at most ${limits.maxDescriptionLength} characters`);
  checkDimension(c.vector_dim as number, `${at}.vector_dim`);
  const metricType = parseMetric(String(c.metric_type ?? ''), 'COSINE', `${at}.metric_type`);
  const ip = c.index_params;
  const index =
    ip === null || ip === undefined
      ? null
      : parseIndex({ indexType: String(ip.index_type ?? ''), metricType: String(ip.metric_type ?? ''), params: objectOr(ip.params) }, metricType, supported, `${at}.index_params`);
  return { name: target, description, dimension: c.vector_dim as number, metricType, index, embedding: bindingOf(c.embedding_model, c.vector_dim as number, `${at}.embedding_model`) };
}

export function parseTrailer(payload: Uint8Array): SnapshotTrailerJson {
  const raw = parseJson(payload, 'snapshot.trailer') as Partial<SnapshotTrailerJson> | null;
  const ok = raw !== null && typeof raw === 'object' && Number.isSafeInteger(raw.records) && Number.isSafeInteger(raw.chunks) && typeof raw.digest === 'string';
  if (!ok) throw errors.invalidArgument('snapshot.trailer', 'must be {records, chunks, digest}');
  return raw as SnapshotTrailerJson;
}

function bindingOf(raw: unknown, dimension: number, field: string): EmbeddingBinding | null {
  if (raw === null || raw === undefined) return null;
  const b = raw as Record<string, unknown>;
  for (const key of ['name', 'provider', 'model_id', 'weights'] as const) {
    if (typeof b[key] !== 'string' || (key === 'name' && b[key] === '')) throw errors.invalidArgument(`${field}.${key}`, 'must be a string');
  }
  if (b.dimension !== dimension) throw errors.invalidArgument(`${field}.dimension`, `must equal vector_dim (${dimension})`);
  return { model: b.name as string, provider: b.provider as string, modelId: b.model_id as string, weights: b.weights as string, dimension };
}

function objectOr(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function parseJson(payload: Uint8Array, field: string): unknown {
  try {
    return JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    throw errors.invalidArgument(field, 'is not JSON');
  }
}
