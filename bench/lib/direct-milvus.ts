import { ConsistencyLevelEnum, type MilvusClient } from '@zilliz/milvus2-sdk-node';
import { searchParamsFor } from '../../src/adapters/vector/milvus/milvus-index-mapping';
import { encodePlaceholder, searchRpc } from '../../src/adapters/vector/milvus/milvus-search-rpc';
import type { IndexSpec } from '../../src/domain';

/**
 * The adapter's Milvus search made by hand with the SDK: same metric, search parameters
 * (searchParamsFor, imported, not copied) and Strong consistency. `limit`: rows asked (the
 * adapter asks topK + 1 to see a tie at the cut), cut to topK.
 */
export function directMilvusSearcher(client: MilvusClient, collection: string, index: IndexSpec, topK: number, limit = topK): (query: number[]) => Promise<string[]> {
  const params = searchParamsFor(index, limit);
  return async (query) => {
    const res = await client.search({
      collection_name: collection,
      anns_field: 'vector',
      data: [query],
      limit,
      metric_type: index.metricType,
      params,
      output_fields: ['id', 'metadata'],
      consistency_level: ConsistencyLevelEnum.Strong,
    });
    if (res.status.error_code !== 'Success' || res.status.code !== 0) throw new Error(`direct search failed: ${res.status.reason}`);
    return (res.results as { id: string }[]).slice(0, topK).map((h) => String(h.id));
  };
}

/**
 * The same search as `directMilvusSearcher`, sent the way the service's adapter sends it since
 * issue 12: Milvus's Search RPC on the SDK's own gRPC clients without the SDK's search() wrapper
 * (`searchRpc`, imported from the adapter). The fair reference for how much of the service's gap
 * was the SDK's per-call work, which the "direct" door (the SDK as a user calls it) still pays.
 */
export function leanMilvusSearcher(client: MilvusClient, collection: string, index: IndexSpec, topK: number, limit = topK): (query: number[]) => Promise<string[]> {
  const params = searchParamsFor(index, limit);
  return async (query) => {
    const res = await searchRpc(
      client,
      { collection, annsField: 'vector', limit, metricType: index.metricType, params, filter: '', outputFields: ['id', 'metadata'] },
      encodePlaceholder(client, query),
      30_000,
      undefined,
    );
    if (res.status === undefined || res.status.error_code !== 'Success' || res.status.code !== 0) throw new Error(`lean search failed: ${res.status?.reason ?? 'no status'}`);
    return res.hits.slice(0, topK).map((h) => String(h.id));
  };
}
