import { getMetaInterceptor, type MilvusClient } from '@zilliz/milvus2-sdk-node';
import type { EngineStatus } from './milvus-errors';

/**
 * Milvus's Search RPC sent straight on the SDK's own gRPC clients (its pool, channel, credentials
 * and connection metadata), without the SDK's `search()` around it. Per search, `search()` adds
 * work the adapter does not need (docs/MILVUS.md, "Search without the SDK's wrapper"): a cached
 * describe and `buildSearchRequest`'s general request building, an AsyncLocalStorage scope for its
 * telemetry, the retry interceptor (which `JSON.stringify`s every request and answer for a debug
 * line even with the logger silenced, and retries nothing here: retries are off), and
 * proto-loader's decoding of the answer into plain objects with every default filled in, then
 * `formatSearchResult` turning columns into rows. Here the request is encoded once with the
 * SDK's own protobuf definitions, the answer is decoded without defaults, and only the columns
 * the adapter reads are turned into rows.
 *
 * What stays as the SDK does it: the connection metadata (database, credentials, the client
 * identifier Milvus gave at connect, `client-request-unixmsec`), added by the SDK's own metadata
 * interceptor; the pool's clients (so closing the connection drains them); the deadline. What
 * differs: a cancelled caller cancels the RPC itself (the SDK cannot), and an UNIMPLEMENTED status
 * stays an error (the retry interceptor turned it into an empty answer; both end INTERNAL).
 */

/** The part of protobufjs's Type used here (protobufjs itself stays out of the adapter's imports: the SDK owns it). */
interface ProtoType {
  encode(message: object): { finish(): Uint8Array };
  decode(bytes: Uint8Array): unknown;
}
interface ProtoRoot {
  lookupType(name: string): ProtoType;
  lookupEnum(name: string): { values: Record<string, number>; valuesById: Record<number, string> };
}
/** The part of a grpc-js Client (the SDK's pool holds them) used here. */
interface UnaryClient {
  makeUnaryRequest(
    method: string,
    serialize: (value: Uint8Array) => Buffer,
    deserialize: (bytes: Buffer) => unknown,
    argument: Uint8Array,
    options: { deadline: Date; interceptors: unknown[] },
    callback: (err: Error | null, value?: unknown) => void,
  ): { cancel(): void };
}
/** What MilvusClient holds and this file uses; protected or untyped in the SDK's declarations. */
interface SdkInternals {
  channelPool: { acquire(): Promise<UnaryClient>; release(client: UnaryClient): Promise<void> };
  milvusProto: ProtoRoot;
  metadata: Map<string, string>;
}

/** Decoded shapes (protobufjs messages, camelCase, no defaults: absent fields are undefined). */
interface DecodedStatus {
  errorCode?: number;
  reason?: string;
  code?: number;
  detail?: string;
}
interface DecodedField {
  fieldName?: string;
  scalars?: { jsonData?: { data?: Uint8Array[] }; stringData?: { data?: string[] } };
  vectors?: { dim?: number | { toNumber(): number }; floatVector?: { data?: number[] } };
}
interface DecodedResults {
  status?: DecodedStatus;
  results?: { scores?: number[]; ids?: { strId?: { data?: string[] } }; fieldsData?: DecodedField[] };
}

export interface SearchRpcRequest {
  collection: string;
  annsField: string;
  limit: number;
  metricType: string;
  /** Index search parameters (e.g. `{ ef: 100 }`), sent as the SDK sends them: once as JSON and once per key. */
  params: Readonly<Record<string, number>>;
  /** A boolean expression, '' for none. */
  filter: string;
  outputFields: readonly string[];
}

export interface SearchRpcAnswer {
  /** Absent when Milvus sent none (checkStatus refuses that, as it did the SDK's null). */
  status: EngineStatus | undefined;
  /** One row per hit in Milvus's order, keyed like the SDK's rows: `score`, and each output field (JSON parsed, vectors as number arrays). */
  hits: Record<string, unknown>[];
}

const METHOD = '/milvus.proto.milvus.MilvusService/Search';
const REQUEST_UNIXMSEC = 'client-request-unixmsec';
/** The SDK's way to say "no deadline" (timeout 0): a day. */
const NO_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/** The encoders of one MilvusClient's protobuf root, made on first use. */
class Codec {
  readonly request: ProtoType;
  readonly placeholders: ProtoType;
  readonly answer: ProtoType;
  readonly floatVector: number;
  readonly strong: number;
  readonly boolExpr: number;
  readonly errorNames: Record<number, string>;

  constructor(root: ProtoRoot) {
    this.request = root.lookupType('milvus.proto.milvus.SearchRequest');
    this.placeholders = root.lookupType('milvus.proto.common.PlaceholderGroup');
    this.answer = root.lookupType('milvus.proto.milvus.SearchResults');
    this.floatVector = root.lookupEnum('milvus.proto.common.PlaceholderType').values.FloatVector!;
    this.strong = root.lookupEnum('milvus.proto.common.ConsistencyLevel').values.Strong!;
    this.boolExpr = root.lookupEnum('milvus.proto.common.DslType').values.BoolExprV1!;
    this.errorNames = root.lookupEnum('milvus.proto.common.ErrorCode').valuesById;
  }
}

const codecs = new WeakMap<MilvusClient, { codec: Codec; interceptors: unknown[] }>();

function setupOf(client: MilvusClient): { codec: Codec; interceptors: unknown[] } {
  let setup = codecs.get(client);
  if (setup === undefined) {
    const sdk = client as unknown as SdkInternals;
    // The SDK's metadata interceptor with the SDK's metadata; given per call, it replaces the
    // client's interceptors (meta, request time, retry) for this call only.
    const meta = getMetaInterceptor((metadata: { add(key: string, value: string): void }) => {
      for (const [key, value] of sdk.metadata) metadata.add(key, value);
      metadata.add(REQUEST_UNIXMSEC, String(Date.now()));
    });
    setup = { codec: new Codec(sdk.milvusProto), interceptors: [meta] };
    codecs.set(client, setup);
  }
  return setup;
}

/**
 * The float vector as Milvus's placeholder group, encoded once per search (a search reading past
 * k for ties sends the same bytes again).
 */
export function encodePlaceholder(client: MilvusClient, vector: readonly number[]): Uint8Array {
  const { codec } = setupOf(client);
  const floats = Float32Array.from(vector);
  const bytes = Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength);
  return codec.placeholders.encode({ placeholders: [{ tag: '$0', type: codec.floatVector, values: [bytes] }] }).finish();
}

/**
 * One Search RPC with Strong consistency. Resolves with Milvus's status (a failed status is for
 * the caller to check) and the hits; rejects with the grpc-js error when the RPC itself fails.
 * `signal` aborting cancels the RPC.
 */
export async function searchRpc(client: MilvusClient, request: SearchRpcRequest, placeholder: Uint8Array, timeoutMs: number, signal: AbortSignal | undefined): Promise<SearchRpcAnswer> {
  const { codec, interceptors } = setupOf(client);
  const params = request.params;
  const searchParams = [
    { key: 'anns_field', value: request.annsField },
    { key: 'params', value: JSON.stringify(params) },
    { key: 'topk', value: String(request.limit) },
    { key: 'offset', value: '0' },
    { key: 'metric_type', value: request.metricType },
    { key: 'ignore_growing', value: 'false' },
    ...Object.keys(params).map((key) => ({ key, value: String(params[key]) })),
  ];
  const bytes = codec.request
    .encode({
      collectionName: request.collection,
      partitionNames: [],
      dsl: request.filter,
      dslType: codec.boolExpr,
      placeholderGroup: placeholder,
      outputFields: request.outputFields,
      searchParams,
      nq: 1,
      consistencyLevel: codec.strong,
    })
    .finish();
  const pool = (client as unknown as SdkInternals).channelPool;
  const grpc = await pool.acquire();
  try {
    const decoded = await new Promise<DecodedResults>((resolve, reject) => {
      const onAbort = (): void => call.cancel();
      const call = grpc.makeUnaryRequest(
        METHOD,
        toBuffer,
        (answer) => codec.answer.decode(answer),
        bytes,
        { deadline: new Date(Date.now() + (timeoutMs === 0 ? NO_TIMEOUT_MS : timeoutMs)), interceptors },
        (err, value) => {
          signal?.removeEventListener('abort', onAbort);
          if (err !== null) reject(err);
          else resolve(value as DecodedResults);
        },
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    return { status: statusOf(decoded.status, codec), hits: hitsOf(decoded, request.outputFields) };
  } finally {
    void pool.release(grpc).catch(() => undefined);
  }
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Milvus's status as the SDK reports it (the legacy code by its name, as milvus-errors.ts reads it). */
function statusOf(status: DecodedStatus | null | undefined, codec: Codec): EngineStatus | undefined {
  if (status === undefined || status === null) return undefined;
  const number = status.errorCode ?? 0;
  return { error_code: codec.errorNames[number] ?? number, code: status.code ?? 0, reason: status.reason ?? '', ...(status.detail ? { detail: status.detail } : {}) };
}

const utf8 = new TextDecoder();

/** Rows of the single query's hits: `score`, the primary key as `id` (from the ids when not an output column), each output field. */
function hitsOf(decoded: DecodedResults, outputFields: readonly string[]): Record<string, unknown>[] {
  const results = decoded.results;
  const scores = results?.scores ?? [];
  if (scores.length === 0) return [];
  const columns = new Map<string, unknown[]>();
  for (const field of results?.fieldsData ?? []) {
    if (field.fieldName === undefined || !outputFields.includes(field.fieldName)) continue;
    columns.set(field.fieldName, columnOf(field));
  }
  const ids = results?.ids?.strId?.data;
  const hits: Record<string, unknown>[] = new Array<Record<string, unknown>>(scores.length);
  for (let i = 0; i < scores.length; i += 1) {
    const hit: Record<string, unknown> = { score: scores[i] };
    if (ids !== undefined) hit.id = ids[i];
    for (const [name, values] of columns) hit[name] = values[i];
    hits[i] = hit;
  }
  return hits;
}

function columnOf(field: DecodedField): unknown[] {
  const json = field.scalars?.jsonData?.data;
  if (json !== undefined) return json.map((bytes) => (bytes.length > 0 ? (JSON.parse(utf8.decode(bytes)) as unknown) : null));
  const strings = field.scalars?.stringData?.data;
  if (strings !== undefined) return strings;
  const floats = field.vectors?.floatVector?.data;
  if (floats !== undefined) {
    const raw = field.vectors?.dim ?? 0;
    const dim = typeof raw === 'number' ? raw : raw.toNumber();
    const rows: number[][] = [];
    for (let at = 0; dim > 0 && at < floats.length; at += dim) rows.push(floats.slice(at, at + dim));
    return rows;
  }
  return [];
}
