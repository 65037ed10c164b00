import type { CollectionInfo, EmbeddingBinding, IndexType, MetricType } from './vector-types';

/**
 * What VectorService answers, once for both doors: the summaries a caller reads as `message` and
 * the projection of a collection. A door renames these fields onto its wire and adds nothing.
 */

/** An operation that changed something: its one-line summary, sent as `message` where the wire has one. */
export interface Done {
  message: string;
}

/** Insert's and Upsert's answer: every id in input order (generated ones included). */
export interface WriteDone extends Done {
  ids: string[];
}

/**
 * GetCollectionInfo's answer. `indexParams` is never absent: it always carries the collection's
 * metric, with `indexType` '' and no params while no index is declared (docs/API.md, "Indexes").
 */
export interface CollectionDetails {
  name: string;
  description: string;
  vectorDim: number;
  indexParams: { indexType: IndexType | ''; metricType: MetricType; params: Record<string, unknown> };
  /** Unix milliseconds. */
  createdAt: number;
  /** Unix milliseconds of the last change to definition or data. */
  updatedAt: number;
  /** The bound embedding model; null for a collection of plain vectors. */
  embeddingModel: EmbeddingBinding | null;
}

export function describeCollection(info: CollectionInfo): CollectionDetails {
  return {
    name: info.name,
    description: info.description,
    vectorDim: info.dimension,
    indexParams: {
      indexType: info.index?.indexType ?? '',
      metricType: info.index?.metricType ?? info.metricType,
      params: info.index?.params ?? {},
    },
    createdAt: info.createdAt,
    updatedAt: info.updatedAt,
    embeddingModel: info.embedding ? { ...info.embedding } : null,
  };
}

function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The summaries, one wording for both doors; the OpenAPI examples quote them too. */
export const vectorMessages = {
  created: (collection: string) => `collection '${collection}' created`,
  dropped: (collection: string) => `collection '${collection}' dropped`,
  compacted: (collection: string) => `collection '${collection}' compacted`,
  indexBuilt: (collection: string) => `index built on collection '${collection}'`,
  indexDropped: (collection: string) => `index dropped from collection '${collection}'`,
  inserted: (count: number) => `inserted ${counted(count, 'vector')}`,
  upserted: (count: number) => `upserted ${counted(count, 'vector')}`,
  /** Delete is idempotent, so the count is of the distinct ids asked for, stored or not. */
  deleted: (count: number) => `deleted ${counted(count, 'id')} (missing ids are ignored)`,
  aliasCreated: (alias: string, collection: string) => `alias '${alias}' created for collection '${collection}'`,
  aliasAltered: (alias: string, collection: string) => `alias '${alias}' now names collection '${collection}'`,
  aliasDropped: (alias: string) => `alias '${alias}' dropped`,
} as const;
