import { ConsistencyLevelEnum } from '@zilliz/milvus2-sdk-node';
import { rankThroughTies, type CollectionInfo, type Metadata, type SearchHit, type SearchQuery, type VectorRecord } from '../../../domain';
import { isDomainError } from '../../../errors';
import { FIELD } from './milvus-catalog';
import type { MilvusConnection } from './milvus-connection';
import { checkStatus } from './milvus-errors';
import { ID_CHUNK, compileFilter, idInExpr } from './milvus-filter-compiler';
import { engineIndexFor, searchParamsFor } from './milvus-index-mapping';
import { needsRepair, type MilvusLoader } from './milvus-loader';

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

  async get(name: string, ids: readonly string[], signal: AbortSignal | undefined): Promise<VectorRecord[]> {
    const rows = await this.query(name, ids, [FIELD.id, FIELD.vector, FIELD.metadata], signal);
    const found = new Map<string, VectorRecord>();
    for (const row of rows) {
      const id = String(row[FIELD.id]);
      if (!found.has(id)) found.set(id, { id, vector: toNumbers(row[FIELD.vector]), metadata: toMetadata(row[FIELD.metadata]) });
    }
    return [...found.values()];
  }

  /** Hits in the domain's order, ties by id: Milvus is asked past k while a tie group crosses the cut (rankThroughTies). */
  async search(info: CollectionInfo, query: SearchQuery, signal: AbortSignal | undefined): Promise<SearchHit[]> {
    const filter = compileFilter(query.filter);
    if (filter.kind === 'none') return [];
    const name = info.name;
    const context = { collection: name };
    const outputFields = query.includeVector ? [FIELD.id, FIELD.metadata, FIELD.vector] : [FIELD.id, FIELD.metadata];
    const fetch = async (limit: number): Promise<SearchHit[]> => {
      const res = await this.repairing(name, signal, () =>
        this.conn.call(context, signal, async (c, timeout) => {
          const answer = await c.search({
            collection_name: name,
            anns_field: FIELD.vector,
            data: [query.vector],
            limit,
            // Both always explicit: Milvus rejects a metric other than the index's, and defaults differ by version.
            metric_type: info.metricType,
            params: searchParamsFor(info.index, limit),
            ...(filter.kind === 'expr' ? { filter: filter.expr } : {}),
            output_fields: outputFields,
            consistency_level: ConsistencyLevelEnum.Strong,
            timeout,
          });
          checkStatus(answer.status, context);
          return answer;
        }),
      );
      // Milvus reports COSINE and IP as similarities and L2 as the squared distance: our convention as is.
      return (res.results as Record<string, unknown>[]).map((hit) => ({
        id: String(hit[FIELD.id]),
        score: Number(hit.score),
        metadata: toMetadata(hit[FIELD.metadata]),
        ...(query.includeVector ? { vector: toNumbers(hit[FIELD.vector]) } : {}),
      }));
    };
    return rankThroughTies(query.topK, info.metricType, fetch);
  }

  /** Rows stored now (deleted ones excluded), which the engine's own statistics are not until compaction. */
  async count(name: string, signal: AbortSignal | undefined): Promise<number> {
    const context = { collection: name };
    const res = await this.repairing(name, signal, () =>
      this.conn.call(context, signal, (c, timeout) =>
        c.query({ collection_name: name, filter: `${FIELD.id} != ""`, output_fields: ['count(*)'], consistency_level: ConsistencyLevelEnum.Strong, timeout }),
      ),
    );
    checkStatus(res.status, context);
    return Number(res.data[0]?.['count(*)'] ?? 0);
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
