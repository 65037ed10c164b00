/**
 * One call to the service in domain-ish terms, with no door's spelling: each door driver
 * (doors.ts) writes it as its own request. Absent fields are left out of both requests (gRPC then
 * sends proto3's default, REST omits the key), so a case reads the same on both doors.
 */

export interface IndexParams {
  indexType?: string;
  metricType?: string;
  params?: Record<string, unknown>;
}

export interface VectorIn {
  id?: string;
  /** Left out: a record of text alone (bound collections). */
  vector?: number[];
  metadata?: Record<string, unknown>;
  text?: string;
}

export interface SearchOptions {
  /** Always given in the table: gRPC cannot leave it out of a set options message (grpc-door-only.test.ts). */
  topK: number;
  includeVector?: boolean;
  filter?: Record<string, unknown>;
  mode?: string;
  rrfK?: number;
  rerank?: { model: string; candidates?: number };
}

export interface ModelConfigIn {
  name?: string;
  provider: string;
  modelId: string;
  parameters?: Record<string, unknown>;
  /** Always given in the table: an absent one means false on gRPC (proto3) and true on REST. */
  enabled: boolean;
}

export type Call =
  | { op: 'createCollection'; name: string; description?: string; vectorDim: number; indexParams?: IndexParams; embeddingModel?: string }
  | { op: 'dropCollection'; name: string }
  | { op: 'hasCollection'; name: string }
  | { op: 'listCollections' }
  | { op: 'getCollectionInfo'; name: string }
  | { op: 'getCollectionStats'; name: string }
  | { op: 'createIndex'; collection: string; indexParams: IndexParams }
  | { op: 'dropIndex'; collection: string }
  | { op: 'hasIndex'; collection: string }
  | { op: 'insert'; collection: string; vectors: VectorIn[] }
  | { op: 'upsert'; collection: string; vectors: VectorIn[] }
  | { op: 'delete'; collection: string; ids: string[] }
  | { op: 'search'; collection: string; queryVector?: number[]; queryText?: string; options?: SearchOptions }
  | { op: 'getById'; collection: string; id: string }
  | { op: 'health' }
  | { op: 'compact'; collection: string }
  | { op: 'listVectors'; collection: string; filter?: Record<string, unknown>; pageSize?: number; pageToken?: string; includeVector?: boolean }
  | { op: 'countVectors'; collection: string; filter?: Record<string, unknown> }
  | { op: 'createAlias'; alias: string; collection: string }
  | { op: 'alterAlias'; alias: string; collection: string }
  | { op: 'dropAlias'; alias: string }
  | { op: 'listAliases'; collection?: string }
  | { op: 'registerModel'; config?: ModelConfigIn }
  | { op: 'unregisterModel'; name: string }
  | { op: 'listModels' }
  | { op: 'getModel'; name: string }
  | { op: 'updateModel'; name: string; config: ModelConfigIn }
  | { op: 'generateText'; model: string; prompt: string; parameters?: Record<string, unknown> }
  | { op: 'streamText'; model: string; prompt: string; parameters?: Record<string, unknown> }
  | { op: 'embed'; model: string; text: string }
  | { op: 'embedMany'; model: string; texts: string[] }
  | { op: 'rerank'; model: string; query: string; documents: string[]; topN?: number };

export type Op = Call['op'];

/** Every operation of VectorService (22) and ModelService (10), as the table names them. */
export const VECTOR_OPS: readonly Op[] = [
  'createCollection', 'dropCollection', 'hasCollection', 'listCollections', 'getCollectionInfo', 'getCollectionStats',
  'createIndex', 'dropIndex', 'hasIndex', 'insert', 'upsert', 'delete', 'search', 'getById', 'health', 'compact',
  'listVectors', 'countVectors', 'createAlias', 'alterAlias', 'dropAlias', 'listAliases',
];
export const MODEL_OPS: readonly Op[] = [
  'registerModel', 'unregisterModel', 'listModels', 'getModel', 'updateModel', 'generateText', 'streamText', 'embed', 'embedMany', 'rerank',
];

/**
 * Answers the seed's proto gives as google.protobuf.Empty: no `message` there, so a case's
 * expected message is checked on REST only, and gRPC must answer exactly `{}`.
 */
export const EMPTY_OVER_GRPC: ReadonlySet<Op> = new Set<Op>(['dropCollection', 'createIndex', 'dropIndex', 'compact', 'unregisterModel', 'updateModel']);
