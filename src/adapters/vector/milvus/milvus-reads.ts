import { ConsistencyLevelEnum } from '@zilliz/milvus2-sdk-node';
import {
  compareIds,
  rankThroughTies,
  type CollectionInfo,
  type FilterNode,
  type ListedRecord,
  type Metadata,
  type ScanRequest,
  type SearchHit,
  type SearchQuery,
  type VectorRecord,
} from '../../../domain';
import { isDomainError } from '../../../errors';
import { FIELD, hasTextField } from './milvus-catalog';
import type { MilvusConnection } from './milvus-connection';
import { checkStatus } from './milvus-errors';
import { ID_CHUNK, compileFilter, idAfterExpr, idInExpr } from './milvus-filter-compiler';
import { engineIndexFor, searchParamsFor } from './milvus-index-mapping';
import { needsRepair, type MilvusLoader } from './milvus-loader';
import { encodePlaceholder, searchRpc } from './milvus-search-rpc';

/**
 * Queries and searches. Every read asks for Strong consistency, so it sees every write that
 * returned before it started, on any replica (CONVENTIONS.md read-your-writes). A read that finds
 * the collection unloaded repairs it (milvus-loader.ts) and runs once more.
 */
export class MilvusReads {
  constructor(
    private readonly conn: MilvusConnection,
    private readonly loader: MilvusLoader,
    private readonly infoOf: (name: string, signal: AbortSignal | undefined) => Promise<CollectionInfo>,
  ) {}

  /** The ids of `ids` already stored. */
  async existingIds(name: string, ids: readonly string[], signal: AbortSignal | undefined): Promise<string[]> {
    const rows = await this.query(name, ids, [FIELD.id], signal);
    return [...new Set(rows.map((r) => String(r[FIELD.id])))];
  }

  /**
   * One query without a describe first (GetByID is one trip), so which fields the collection has is
   * not known here: '*' asks for all of them, `text` included where the collection has it.
   */
  async get(name: string, ids: readonly string[], signal: AbortSignal | undefined): Promise<VectorRecord[]> {
    const rows = await this.query(name, ids, ['*'], signal);
    const found = new Map<string, VectorRecord>();
    for (const row of rows) {
      const id = String(row[FIELD.id]);
      if (!found.has(id)) found.set(id, { id, vector: toNumbers(row[FIELD.vector]), metadata: toMetadata(row[FIELD.metadata]), ...textOf(row) });
    }
    return [...found.values()];
  }

  /**
   * Hits in the domain's order, ties by id: Milvus is asked past k while a tie group crosses the cut
   * (rankThroughTies). The Search RPC goes out on the SDK's clients without its search() wrapper
   * (milvus-search-rpc.ts).
   */
  async search(info: CollectionInfo, query: SearchQuery, signal: AbortSignal | undefined): Promise<SearchHit[]> {
    const filter = compileFilter(query.filter);
    if (filter.kind === 'none') return [];
    const name = info.name;
    const context = { collection: name };
    const outputFields = outputFieldsFor(info, query.includeVector);
    // Encoded once: a search reading past k for ties sends the same vector again.
    let placeholder: { client: unknown; bytes: Uint8Array } | null = null;
    const fetch = async (limit: number): Promise<SearchHit[]> => {
      const hits = await this.repairing(name, signal, () =>
        this.conn.call(context, signal, async (c, timeout) => {
          if (placeholder === null || placeholder.client !== c) placeholder = { client: c, bytes: encodePlaceholder(c, query.vector) };
          const answer = await searchRpc(
            c,
            {
              collection: name,
              annsField: FIELD.vector,
              limit,
              // Both always explicit: Milvus rejects a metric other than the index's, and defaults differ by version.
              metricType: info.metricType,
              params: searchParamsFor(info.index, limit),
              filter: filter.kind === 'expr' ? filter.expr : '',
              outputFields,
            },
            placeholder.bytes,
            timeout,
            signal,
          );
          checkStatus(answer.status, context);
          return answer.hits;
        }),
      );
      // Milvus reports COSINE and IP as similarities and L2 as the squared distance: our convention as is.
      return hits.map((hit) => ({
        id: String(hit[FIELD.id]),
        score: Number(hit.score),
        metadata: toMetadata(hit[FIELD.metadata]),
        ...textOf(hit),
        ...(query.includeVector ? { vector: toNumbers(hit[FIELD.vector]) } : {}),
      }));
    };
    return rankThroughTies(query.topK, info.metricType, fetch);
  }

  /**
   * Rows stored now (deleted ones excluded) that match `filter`: a Strong `count(*)` query, exact,
   * unlike the engine's own statistics, which count deleted rows until compaction.
   */
  async count(name: string, filter: FilterNode | null, signal: AbortSignal | undefined): Promise<number> {
    const compiled = compileFilter(filter);
    if (compiled.kind === 'none') return 0;
    const context = { collection: name };
    const expr = compiled.kind === 'expr' ? compiled.expr : `${FIELD.id} != ""`;
    const res = await this.repairing(name, signal, () =>
      this.conn.call(context, signal, (c, timeout) =>
        c.query({ collection_name: name, filter: expr, output_fields: ['count(*)'], consistency_level: ConsistencyLevelEnum.Strong, timeout }),
      ),
    );
    checkStatus(res.status, context);
    return Number(res.data[0]?.['count(*)'] ?? 0);
  }

  /**
   * A keyset page: `id > last` (and the filter) with a limit. A query with a limit answers the
   * rows with the smallest primary keys, in key order (each segment walks its keys in order and
   * the proxy merges by key; measured on Milvus 2.3.5 across sealed and growing segments and
   * deletes, test/contract/vector-store/scan.test.ts), so no offset is ever sent and the
   * offset + limit ≤ 16,384 cap does not apply. The rows are sorted again here, in the domain's id
   * order, so the page's order never rests on the engine's.
   */
  async scan(info: CollectionInfo, request: ScanRequest, signal: AbortSignal | undefined): Promise<ListedRecord[]> {
    const { name } = info;
    const compiled = compileFilter(request.filter);
    if (compiled.kind === 'none') return [];
    const context = { collection: name };
    const after = idAfterExpr(request.afterId ?? '');
    const expr = compiled.kind === 'expr' ? `${after} and ${compiled.expr}` : after;
    const outputFields = outputFieldsFor(info, request.includeVector);
    const res = await this.repairing(name, signal, async () => {
      const answer = await this.conn.call(context, signal, (c, timeout) =>
        c.query({ collection_name: name, filter: expr, output_fields: outputFields, limit: request.limit, consistency_level: ConsistencyLevelEnum.Strong, timeout }),
      );
      checkStatus(answer.status, context);
      return answer;
    });
    return res.data
      .map((row): ListedRecord => ({
        id: String(row[FIELD.id]),
        metadata: toMetadata(row[FIELD.metadata]),
        ...textOf(row),
        ...(request.includeVector ? { vector: toNumbers(row[FIELD.vector]) } : {}),
      }))
      .sort((a, b) => compareIds(a.id, b.id));
  }

  private async query(name: string, ids: readonly string[], outputFields: string[], signal: AbortSignal | undefined): Promise<Record<string, unknown>[]> {
    const context = { collection: name };
    const rows: Record<string, unknown>[] = [];
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      const filter = idInExpr(ids.slice(i, i + ID_CHUNK));
      const res = await this.repairing(name, signal, async () => {
        const answer = await this.conn.call(context, signal, (c, timeout) =>
          c.query({ collection_name: name, filter, output_fields: outputFields, consistency_level: ConsistencyLevelEnum.Strong, timeout }),
        );
        checkStatus(answer.status, context);
        return answer;
      });
      rows.push(...res.data);
    }
    return rows;
  }

  private async repairing<T>(name: string, signal: AbortSignal | undefined, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (cause) {
      if (!isDomainError(cause) || !needsRepair(cause)) throw cause;
      await this.loader.repair(name, async () => {
        const info = await this.infoOf(name, signal);
        return engineIndexFor(info.index, info.metricType, info.dimension);
      }, signal);
      return read();
    }
  }
}

/** What a search or scan reads: `text` where the collection has it, the vector when asked for. */
function outputFieldsFor(info: CollectionInfo, includeVector: boolean): string[] {
  return [FIELD.id, FIELD.metadata, ...(hasTextField(info) ? [FIELD.text] : []), ...(includeVector ? [FIELD.vector] : [])];
}

/** A row's text as the port has it: '' (how a bound collection stores "no text") and no field at all both read as absent. */
function textOf(row: Record<string, unknown>): { text?: string } {
  const text = row[FIELD.text];
  return typeof text === 'string' && text !== '' ? { text } : {};
}

function toNumbers(value: unknown): number[] {
  return Array.isArray(value) ? value.map(Number) : [];
}

/** The SDK parses the JSON field; an unparsable or non-object value reads as empty metadata. */
function toMetadata(value: unknown): Metadata {
  if (typeof value === 'string') {
    try {
      return toMetadata(JSON.parse(value));
    } catch {
      return {};
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Metadata) : {};
}
